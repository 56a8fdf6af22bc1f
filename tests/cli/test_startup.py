"""The command line starts light: --help and validating a grid config load no heavy library.

What is measured in time and memory is in docs/benchmarks.md (benchmarks/startup.py); this test
checks the cause: which modules a fresh process has imported by the end of the command.
"""

import subprocess
import sys

import pytest

#: Libraries that cost tenths of a second and tens of megabytes each to import.
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "numba",
    "mesa",
    "networkx",
    "matplotlib",
    "pyarrow",
    "solara",
    "dask",
    "distributed",
    "SALib",
    "rich",
)


def _imported_after(args: list[str]) -> list[str]:
    code = (
        "import contextlib, io, sys\n"
        "from supportnet.experiments.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        status = main({args!r})\n"
        "    except SystemExit as exc:\n"
        "        status = exc.code\n"
        "assert status == 0, status\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", "demo"], ["validate", "buffering"], ["params"], ["presets"]],
)
def test_light_commands_import_no_heavy_library(args):
    assert _imported_after(args) == "[]"


def test_the_check_can_fail():
    # A command that runs the model does load them, so an empty list above means something.
    # A small town sets its own convoys and groups: the defaults are sized for a larger one.
    loaded = _imported_after(["run", "--steps", "1", "--set", "n_people=40", "--set",
                              "convoy_wider=10", "--set", "convoy_sympathy=6", "--set",
                              "convoy_inner=3", "--set", "n_groups=4"])  # fmt: skip
    assert "numpy" in loaded and "mesa" in loaded
