"""The offline front-end cache: layout, completeness, failure messages (npm faked, no network)."""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from supportnet.dashboards import assets
from supportnet.dashboards.assets import PACKAGES, AssetsError, NpmPackage

FAKE_NPM = """#!{python}
# A stand-in for `npm pack --json ... --pack-destination DIR SPEC...`: writes one tarball per
# spec, holding package/<name> files for every folder the real package would have.
import io, json, os, sys, tarfile
args = sys.argv[1:]
if os.environ.get("FAKE_NPM_FAIL"):
    print("npm error 404 Not Found - GET https://registry.npmjs.org/nope", file=sys.stderr)
    sys.exit(1)
dest = args[args.index("--pack-destination") + 1]
specs = [a for a in args[1:] if not a.startswith("--") and a != dest]
out = []
for i, spec in enumerate(specs):
    name = f"pkg{{i}}.tgz"
    with tarfile.open(os.path.join(dest, name), "w:gz") as tar:
        for rel in ("dist/a.js", "dist/a.js.map", "css/x.css", "fonts/f.woff", "build/b.js",
                    "require.js", "README.md", "../escape.txt"):
            data = spec.encode()
            info = tarfile.TarInfo("package/" + rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.append({{"id": spec, "filename": name}})
print(json.dumps(out))
"""


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    npm = bindir / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable))
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    return npm


def test_packages_are_what_the_page_asks_for():
    specs = {p.spec for p in PACKAGES}
    # The page itself, requirejs, font-awesome, and what our charts use (ECharts).
    assert "@widgetti/solara-vuetify-app@10.1.1" in specs
    assert "requirejs@2.3.6" in specs and "font-awesome@4.5.0" in specs
    assert "echarts@5.4.0" in specs
    assert NpmPackage("@widgetti/vue-grid-layout@2.3.13-alpha.2", ("dist",)).name == (
        "@widgetti/vue-grid-layout"
    )


def test_install_lays_out_the_cache_and_marks_it_complete(tmp_path, fake_npm):
    target = tmp_path / "cache"
    assert not assets.is_complete(target)
    lines = []
    assets.install(target, log=lines.append)
    assert assets.is_complete(target) and assets.missing(target) == []
    app = target / "@widgetti/solara-vuetify-app@10.1.1"
    assert (app / "dist/a.js").read_text() == "@widgetti/solara-vuetify-app@10.1.1"
    assert not (app / "dist/a.js.map").exists()  # source maps are not kept
    assert not (app / "README.md").exists() and not (app / "css").exists()  # only "dist"
    req = target / "requirejs@2.3.6"
    assert (req / "require.min.js").read_bytes() == (req / "require.js").read_bytes()
    assert not (tmp_path / "escape.txt").exists() and not (target / "escape.txt").exists()
    marker = json.loads((target / ".complete").read_text())
    assert marker["packages"] == [p.spec for p in PACKAGES]
    assert not list(target.glob(".download-*"))  # the temporary folder is gone
    # A second run downloads nothing.
    lines.clear()
    assets.install(target, log=lines.append)
    assert lines == [f"Front-end files already complete in {target.resolve()}"]


def test_a_deleted_package_is_noticed_and_refetched(tmp_path, fake_npm):
    target = tmp_path / "cache"
    assets.install(target, log=lambda _: None)
    import shutil

    shutil.rmtree(target / "echarts@5.4.0")
    assert assets.missing(target) == ["echarts@5.4.0"]
    lines = []
    assets.install(target, log=lines.append)
    assert any("Fetching 1 " in line for line in lines) and assets.is_complete(target)


def test_npm_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AssetsError, match="npm was not found.*apt-get install npm"):
        assets.install(tmp_path / "cache", log=lambda _: None)


def test_registry_failure_keeps_what_was_there(tmp_path, fake_npm, monkeypatch):
    target = tmp_path / "cache"
    assets.install(target, log=lambda _: None)
    (target / ".complete").unlink()  # pretend it was never finished
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    with pytest.raises(AssetsError, match="npm pack failed.*404.*registry"):
        assets.install(target, log=lambda _: None)
    assert (target / "echarts@5.4.0" / "dist" / "a.js").exists()  # nothing removed
    assert not assets.is_complete(target)


def test_unpack_refuses_a_package_without_the_expected_files(tmp_path):
    tgz = tmp_path / "p.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        info = tarfile.TarInfo("package/README.md")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(AssetsError, match="has none of dist"):
        assets._unpack(NpmPackage("x@1", ("dist",)), tgz, tmp_path / "out")


def test_command_line(tmp_path, fake_npm, capsys):
    target = tmp_path / "cache"
    assert assets.main(["--dir", str(target), "--check"]) == 1
    assert "missing" in capsys.readouterr().out
    assert assets.main(["--dir", str(target)]) == 0
    assert assets.main(["--dir", str(target), "--check"]) == 0
    assert "complete" in capsys.readouterr().out


def test_command_line_error_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert assets.main(["--dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        "supportnet.dashboards.assets: error: npm was not found"
    )


def test_server_environment(tmp_path):
    env = assets.server_environment(tmp_path, base={"KEEP": "1"})
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path.resolve())
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_PROXY"] == "True" and env["KEEP"] == "1"


def test_default_dir_is_in_the_environment():
    assert assets.default_dir() == Path(sys.prefix) / "solara-assets"
