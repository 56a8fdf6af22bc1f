"""One way to write files: atomically, flushed to disk, with a new file's usual permissions."""

import os
import stat

import pytest

from supportnet.experiments import files
from supportnet.experiments.cli import main
from supportnet.experiments.files import atomic_path, file_mode, write_text

SMALL = ["--set", "n_people=80", "--set", "convoy_wider=10", "--set", "convoy_sympathy=6"]


@pytest.fixture
def synced(monkeypatch):
    """Record the descriptors os.fsync is called with (files and folders)."""
    calls = []
    real = os.fsync

    def fsync(fd):
        calls.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    return calls


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_write_is_flushed_renamed_and_readable_like_any_new_file(tmp_path, synced):
    target = tmp_path / "deep" / "out.txt"
    write_text(target, "hello")
    assert target.read_text() == "hello" and _mode(target) == file_mode()
    assert file_mode() == 0o666 & ~_umask()
    assert any(p.endswith(".tmp") for p in synced)  # the content, before the rename
    assert str(target.parent) in synced  # the folder entry, after it
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_run_out_writes_through_the_helper(tmp_path, synced, suffix):
    out = tmp_path / f"run{suffix}"
    assert main(["run", "--steps", "2", "--out", str(out), *SMALL]) == 0
    assert _mode(out) == file_mode() and any(p.endswith(".tmp") for p in synced)
