# SupportNet: set-up, the demo job, tests. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := $(VENV)/solara-assets/.complete
export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False

.PHONY: help setup demo run test test-fast lint format docs bench browser assets dashboard clean screenshots lessons lock check-packaging

help:
	@echo "make demo       set up (first time) and run the demo sweep with its report"
	@echo "make test       set up (first time) and run the full test suite, browser tests included"
	@echo "make test-fast  the suite without browser tests"
	@echo "make dashboard  start the dashboard on http://127.0.0.1:8765"
	@echo "make lessons    re-run the lessons' towns: answer keys, figures and screenshots in docs/lessons/"
	@echo "make lint       ruff check and format check"
	@echo "make docs       regenerate the parameter tables in docs/"
	@echo "make bench      run the speed benchmarks"
	@echo "make lock       re-resolve the dependencies into constraints.txt (then make test)"
	@echo "make check-packaging  pip install . into fresh environments beside another numpy (slow)"

# The virtual environment, on a Python >= 3.12 found by .ci/find-python, with the exact tested set
# of dependencies (constraints.txt; pyproject.toml keeps the compatible ranges).
$(STAMP): pyproject.toml constraints.txt
	@py=$$(.ci/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	$$py -m venv $(VENV) && \
	$(BIN)/python -m pip install -q --upgrade pip && \
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]" && touch $(STAMP)

setup: $(STAMP)

# The demo sweep (24 runs, about a minute on 2 cores) and its report. --force: after a change to
# the model's defaults the old runs are redone; unchanged finished runs are kept (resumable).
demo: $(STAMP)
	$(BIN)/supportnet sweep demo --out results/demo --force
	$(BIN)/supportnet report results/demo
	@echo ""
	@echo "Demo done. Results: results/demo/ (summary.parquet: one row per run; runs/: per-step tables; manifest.json)"
	@echo "Figures and report: results/demo/report/ (report.md, trajectories.png, effect_sizes.png, ...)"

run: $(STAMP)
	$(BIN)/supportnet run --steps 200 --seed 1

# Chromium for the browser tests is a system package (Debian's `chromium`).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium: install it with" >&2; \
	  echo "  sudo apt-get install chromium" >&2; exit 1; \
	fi

# Solara's front-end files, served locally (no CDN needed: offline classrooms, tests).
$(ASSETS): $(STAMP) dashboards/assets.py
	$(BIN)/python -m supportnet.dashboards.assets --dir $(VENV)/solara-assets

assets: $(ASSETS)

test: $(STAMP) browser $(ASSETS)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=30

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not browser"

dashboard: $(STAMP) $(ASSETS)
	$(BIN)/supportnet dashboard

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/python -m supportnet.docs

# Refresh the dashboard screenshots in docs/images/ (made by the browser tests).
screenshots: $(STAMP) browser $(ASSETS)
	SUPPORTNET_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser -n 2 --dist loadgroup tests/dashboards

# The classroom lessons (docs/lessons/): run the towns each worksheet has students run, check what
# each answer key says (exit 1 naming a claim that no longer holds), rewrite the answer keys'
# tables and figures, then walk each worksheet in a real browser and refresh its screenshots.
lessons: $(STAMP) browser $(ASSETS)
	$(BIN)/python -m supportnet.experiments.lessons
	SUPPORTNET_LESSON_WALK=1 SUPPORTNET_LESSON_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser \
	  -p no:randomly tests/dashboards/test_browser_lessons.py

bench: $(STAMP)
	$(BIN)/python -m supportnet.benchmarks.speed --sizes 1000,10000,100000 --steps 20 --json

# Re-resolve the dependencies within pyproject.toml's ranges in a fresh environment and write the
# exact set to constraints.txt (pip builds in build/, removed after). Run `make test` on it before
# committing it.
lock:
	@py=$$(.ci/find-python) || exit 1; tmp=$$(mktemp -d); \
	$$py -m venv $$tmp/venv && $$tmp/venv/bin/python -m pip install -q --upgrade pip && \
	$$tmp/venv/bin/python -m pip install -q ".[dev]" && \
	{ echo "# The exact set SupportNet is tested with (Python 3.12): \`make setup\` and CI install with"; \
	  echo "#   pip install -c constraints.txt -e .[dev]"; \
	  echo "# pyproject.toml keeps the compatible ranges. Regenerate with \`make lock\`, then run \`make test\`."; \
	  $$tmp/venv/bin/python -m pip freeze --exclude-editable | grep -vi '^supportnet'; } > $$tmp/c.txt && \
	mv $$tmp/c.txt constraints.txt; status=$$?; rm -rf $$tmp build; exit $$status

# `pip install .` into fresh environments that already hold another numpy (needs the package
# index; a few minutes): tests/test_packaging.py.
check-packaging: $(STAMP)
	SUPPORTNET_PACKAGING=1 $(BIN)/python -m pytest tests/test_packaging.py -v

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
