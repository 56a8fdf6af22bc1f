"""Claiming an output folder: new, resumed, another config's (refused naming what differs, or
forced), and folders holding other files (refused)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from supportnet.experiments.config import ConfigError
from supportnet.experiments.folders import FolderKind, claim_folder, config_differences

KIND = FolderKind(
    record="record.json",
    title="test",
    other="another test's output",
    name_key="name",
    source_key="source",
    force_does="start afresh",
    ignore=(".lock",),
)


class Config:
    """The two methods claim_folder asks of a config."""

    def __init__(self, **fields):
        self.fields = {"name": "t", "seed": 1, "run": {"steps": 10, "arms": ["a", "b"]}, **fields}

    def canonical(self):
        return self.fields

    def hash(self):
        return hashlib.sha256(json.dumps(self.fields, sort_keys=True).encode()).hexdigest()[:16]


def write(folder, config, with_config=True):
    record = {"name": "t", "source": "old.toml", "config_hash": config.hash()}
    if with_config:
        record["config"] = config.canonical()
    folder.mkdir(exist_ok=True)
    (folder / KIND.record).write_text(json.dumps(record))
    return record


def test_a_new_or_empty_folder_is_claimed(tmp_path):
    assert claim_folder(tmp_path / "new", KIND, Config(), force=False) == (None, False)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".lock").write_text("")  # an ignored file
    assert claim_folder(tmp_path / "empty", KIND, Config(), force=False) == (None, False)


def test_the_same_config_resumes(tmp_path):
    record = write(tmp_path, Config())
    assert claim_folder(tmp_path, KIND, Config(), force=False) == (record, True)


def test_another_config_is_refused_naming_the_fields_that_differ(tmp_path):
    write(tmp_path, Config())
    changed = Config(seed=2, run={"steps": 10, "arms": ["a", "c"]})
    with pytest.raises(ConfigError) as err:
        claim_folder(tmp_path, KIND, changed, force=False)
    (text,) = err.value.problems
    assert text.startswith(f"{tmp_path}: holds another test's output (name 't', config hash ")
    assert "from old.toml" in text and f"this config's hash is {changed.hash()}" in text
    assert 'run.arms[1] ("b" in the folder, "c" in this config)' in text
    assert "seed (1 in the folder, 2 in this config)" in text
    assert text.endswith("Use another --out folder, or --force to start afresh")


def test_many_differences_are_counted_not_all_listed(tmp_path):
    write(tmp_path, Config())
    changed = Config(seed=2, a=1, b=2, c=3, d=4, e=5)
    with pytest.raises(ConfigError, match=r"and 2 more\. Use another --out folder"):
        claim_folder(tmp_path, KIND, changed, force=False)


def test_a_record_without_its_config_names_the_hashes_only(tmp_path):
    write(tmp_path, Config(), with_config=False)
    with pytest.raises(ConfigError) as err:
        claim_folder(tmp_path, KIND, Config(seed=2), force=False)
    assert "differ in" not in err.value.problems[0]
    assert re.search(r"this config's hash is [0-9a-f]{16}\. Use another", err.value.problems[0])


def test_force_accepts_another_config(tmp_path):
    record = write(tmp_path, Config())
    assert claim_folder(tmp_path, KIND, Config(seed=2), force=True) == (record, False)


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_of_other_files_is_refused_even_with_force(tmp_path, force):
    (tmp_path / "notes.txt").write_text("keep me")
    message = "exists and is not a SupportNet test folder (no record.json); give an empty or new"
    with pytest.raises(ConfigError, match=re.escape(message)):
        claim_folder(tmp_path, KIND, Config(), force=force)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_an_unreadable_record_gets_a_message(tmp_path):
    (tmp_path / KIND.record).write_text("{half")
    with pytest.raises(ConfigError, match=r"record\.json: cannot be read"):
        claim_folder(tmp_path, KIND, Config(), force=False)


def test_config_differences():
    nan = float("nan")
    old = {"a": 1, "b": {"c": [1, 2], "d": [1]}, "gone": 0, "unset": nan}
    new = {"a": 1, "b": {"c": [1, 3], "d": [1, 2]}, "added": 0, "unset": nan}
    assert config_differences(old, new) == [
        ("added", None, 0),
        ("b.c[1]", 2, 3),
        ("b.d", [1], [1, 2]),
        ("gone", 0, None),
    ]
    assert config_differences(old, old) == []
    assert config_differences(1, 2) == [("(the whole config)", 1, 2)]
    assert config_differences({"x": nan}, {"x": 1.0}) == [("x", nan, 1.0)]
