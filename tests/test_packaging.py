"""Packaging as a library: ranges in pyproject, the tested set pinned, LICENSE and CITATION.cff.

The install check (``pip install .`` into a fresh environment that already holds another numpy)
is slow (wheels from the package index: a few minutes) and needs the index, so it runs only when
asked: ``make check-packaging`` (SUPPORTNET_PACKAGING=1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: A numpy the user already has, older than the tested one (constraints.txt) but in range.
OTHER_NUMPY = "2.3.5"

needs_index = pytest.mark.skipif(
    os.environ.get("SUPPORTNET_PACKAGING") != "1",
    reason="slow and needs the package index: run `make check-packaging`",
)


def _run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_dependencies_are_ranges_and_the_tested_set_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert not [d for d in deps if "==" in d]
    pinned = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line]
    names = {line.split("==")[0].lower() for line in pinned}
    assert {"numpy", "mesa", "pandas", "altair", "ruff"} <= names


def test_license_and_citation_match_the_project():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    cff = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff and "license: MIT" in cff
    assert f"version: {project['version']}" in cff


@needs_index
def test_pip_install_next_to_another_numpy(tmp_path):
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    _run([py, "-m", "pip", "install", "-q", f"numpy=={OTHER_NUMPY}"])
    # From a copy of the sources: pip builds in the source folder (a build/ there).
    skip = shutil.ignore_patterns(".*", "build", "results", "*.egg-info", "__pycache__")
    source = shutil.copytree(ROOT, tmp_path / "src", ignore=skip)
    _run([py, "-m", "pip", "install", "-q", str(source)], cwd=tmp_path)
    code = (
        "import numpy, supportnet\n"
        "from supportnet import SupportModel\n"
        "m = SupportModel(rng=1, n_people=60, convoy_inner=3, convoy_sympathy=6, "
        "convoy_wider=10)\n"
        "m.run_for(3)\n"
        "print(numpy.__version__, m.steps)\n"
    )
    assert _run([py, "-c", code], cwd=tmp_path).split() == [OTHER_NUMPY, "3"]
    out = _run([venv / "bin" / "supportnet", "run", "--steps", "2", "--set", "n_people=80",
                "--set", "convoy_wider=20"], cwd=tmp_path)  # fmt: skip
    assert "SupportNet run: 2 steps" in out
