"""Every example in the package's docstrings runs and prints what it says (doctest).

One test per module of ``supportnet`` (model, experiments, dashboards, benchmarks), found by
walking the installed packages, so a new module's examples are checked without listing it here.
The subpackages live in their own folders (pyproject's package-dir), so each is walked itself.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
from contextlib import redirect_stdout

import pytest

#: The top-level package and the subpackages that sit in folders of their own.
PACKAGES = (
    "supportnet",
    "supportnet.experiments",
    "supportnet.dashboards",
    "supportnet.benchmarks",
)


def _modules() -> list[str]:
    names = set(PACKAGES)
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        names.update(info.name for info in pkgutil.walk_packages(path, prefix=f"{package}."))
    return sorted(n for n in names if not n.endswith("__main__"))


MODULES = _modules()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples(module) -> list[doctest.DocTest]:
    return [t for t in doctest.DocTestFinder().find(module) if t.examples]


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings_are_correct(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    for test in _examples(module):
        runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, report.getvalue()


def test_the_package_has_examples_and_a_wrong_one_is_caught():
    counted = sum(
        len(t.examples) for name in MODULES for t in _examples(importlib.import_module(name))
    )
    assert {"supportnet.experiments.files", "supportnet.dashboards.app"} <= set(MODULES)
    assert counted >= 30, f"only {counted} examples found: is the walk missing modules?"
    wrong = doctest.DocTestParser().get_doctest(">>> 1 + 1\n3\n", {}, "wrong", None, 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with redirect_stdout(io.StringIO()):
        runner.run(wrong, out=lambda _: None)
    assert runner.summarize(verbose=False).failed == 1
