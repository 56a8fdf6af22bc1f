"""`supportnet dashboard`: options, one-line errors, the server's command and environment."""

from __future__ import annotations

import socket
import sys

import pytest

from supportnet.dashboards import commands
from supportnet.experiments.cli import main


def _run(capsys, *argv):
    code = main(["dashboard", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["dashboard", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--assets", "--results"):
        assert option in text
    assert "127.0.0.1" in text and "0.0.0.0" in text


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--port", "70000"], "--port: 70000 is not allowed"),
        (["--port", "0"], "--port: 0 is not allowed"),
        (["--host", "no-such-host.invalid"], "--host: 'no-such-host.invalid'"),
    ],
)
def test_bad_address_is_one_line(capsys, argv, words):
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and words in err


def test_port_in_use(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = _run(capsys, "--port", str(port))
    assert code == 2 and "another dashboard" in err and "--port" in err


def test_missing_assets_without_npm_says_how(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = _run(capsys, "--port", str(port), "--assets", str(tmp_path / "none"))
    assert code == 2
    assert "npm was not found" in err
    assert f"python -m supportnet.dashboards.assets --dir {tmp_path / 'none'}" in err
    assert "fetching them once" in out


def test_server_command_and_environment(tmp_path, monkeypatch):
    for name in ("PYTHONMALLOC", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)
    cmd = commands.server_command("0.0.0.0", 9000)
    assert cmd[:5] == [sys.executable, "-m", "solara", "run", "supportnet.dashboards.app"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0" and cmd[cmd.index("--port") + 1] == "9000"
    assert "--production" in cmd and "--no-open" in cmd
    env = commands.server_env(tmp_path, results=tmp_path / "res")
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path.resolve())
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SUPPORTNET_RESULTS_DIR"] == str((tmp_path / "res").resolve())
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == commands.SESSION_TIMEOUT
    # The allocator settings that let a closed class's memory go back to the system.
    assert env["PYTHONMALLOC"] == "malloc"
    assert env["MALLOC_ARENA_MAX"] == "2"
    assert env["MALLOC_MMAP_THRESHOLD_"] == "131072"
