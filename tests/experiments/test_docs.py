"""docs/experiments.md: its generated config reference is up to date; its examples are valid."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from supportnet.experiments import docs
from supportnet.experiments.config import parse_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"


def test_generated_reference_is_up_to_date():
    assert docs.update(DOC) == DOC.read_text(), "run: python -m supportnet.experiments.docs"
    assert docs.main(["--check"]) == 0


def test_reference_lists_every_schema_key_and_measure():
    from supportnet import metrics
    from supportnet.experiments.schema import SECTIONS

    text = DOC.read_text()
    for keys in SECTIONS.values():
        for k in keys:
            assert f"| `{k.name}` |" in text
    for m in metrics.ALL_MEASURES:
        assert f"`{m}`" in text


def test_the_first_config_example_in_the_docs_is_valid():
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.DOTALL)
    config = parse_config(tomllib.loads(blocks[0]), source="docs example")
    assert config.name == "stress_and_seeking" and config.control.where
