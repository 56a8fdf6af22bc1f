"""The import namespace is ``supportnet``: a user's own model.py (etc.) cannot shadow it.

The repository's folders keep their names (model/, experiments/, dashboards/, benchmarks/) but
install as one package: model/ is ``supportnet`` itself, the others its subpackages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: The folders' own names: none of them may be imported as a top-level module.
OLD_NAMES = ("model", "experiments", "dashboards", "benchmarks")

SMALL_MODEL = (
    "SupportModel(rng=1, n_people=60, convoy_inner=3, convoy_sympathy=6, convoy_wider=10, "
    "n_groups=4)"
)


@pytest.fixture
def shadowing_folder(tmp_path):
    """A working folder holding a user's model.py, experiments.py, ... that fail on import."""
    for name in OLD_NAMES:
        (tmp_path / f"{name}.py").write_text(
            f"raise SystemExit('imported the user\\'s {name}.py')\n"
        )
    return tmp_path


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _console_script() -> str:
    here = Path(sys.executable).with_name("supportnet")  # the venv's bin/, not the resolved python
    found = str(here) if here.exists() else shutil.which("supportnet")
    assert found, "the supportnet console script is not installed (make setup)"
    return found


def test_python_import_is_not_shadowed(shadowing_folder):
    code = (
        "import sys\n"
        "from supportnet import SupportModel, run_experiment, preset\n"
        f"m = {SMALL_MODEL}\n"
        "m.step()\n"
        "assert m.steps == 1 and callable(run_experiment)\n"
        "assert preset('student_campus').params().n_people > 0\n"
        "assert SupportModel.__module__ == 'supportnet.model'\n"
        f"print(sorted(k for k in sys.modules if k.split('.')[0] in {OLD_NAMES!r}))\n"
    )
    done = _run([sys.executable, "-c", code], shadowing_folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["params"]])
def test_console_script_is_not_shadowed(shadowing_folder, args):
    done = _run([_console_script(), *args], shadowing_folder)
    assert done.returncode == 0, done.stderr
    assert "imported the user" not in done.stdout + done.stderr
    assert ("usage: supportnet" if args == ["--help"] else "stressor_rate") in done.stdout


@pytest.mark.parametrize("module", ["supportnet", "supportnet.params"])
def test_importing_a_submodule_stays_light(tmp_path, module):
    code = (
        f"import sys, {module}\n"
        "print(sorted({'mesa', 'pandas', 'scipy', 'solara'} & set(sys.modules)))\n"
    )
    done = _run([sys.executable, "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_public_names_resolve():
    import supportnet

    assert {"SupportModel", "preset", "run_experiment", "load_results"} <= set(supportnet.__all__)
    for name in supportnet.__all__:
        assert getattr(supportnet, name) is not None
        assert name in dir(supportnet)
    from supportnet.experiments.api import load_results, run_experiment

    assert supportnet.run_experiment is run_experiment
    assert supportnet.load_results is load_results
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = supportnet.nonexistent
