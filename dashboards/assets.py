"""Solara's front-end files, served from a local folder so the dashboard works offline.

A Solara page loads its JavaScript, CSS and fonts from a public CDN (jsDelivr), through a proxy in
the Solara server that keeps a copy of every file it fetched in ``SOLARA_ASSETS_PROXY_CACHE_DIR``.
Classrooms are often offline or filtered, and the ``solara-assets`` wheel stops at an older Solara,
so this module fills that cache ahead of time from the npm registry (``npm pack``), laid out as the
proxy expects: ``DIR/<package>@<version>/<path>``, the version spelled as the page asks for it
(``vega@5`` for the newest 5.x). A marker file ``DIR/.complete`` lists what was installed; it is
written last, so a half-filled folder is never taken for a complete one.

Run it as ``python -m supportnet.dashboards.assets --dir DIR`` (``make assets`` does, with
``DIR=.venv/solara-assets``); ``supportnet dashboard`` finds the folder itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from supportnet.experiments.files import write_text

__all__ = [
    "ASSETS_ENV",
    "PACKAGES",
    "AssetsError",
    "NpmPackage",
    "default_dir",
    "install",
    "is_complete",
    "missing",
    "server_environment",
]

#: Environment variable through which the Solara server finds the cache (read at its start).
ASSETS_ENV = "SOLARA_ASSETS_PROXY_CACHE_DIR"
MARKER = ".complete"
#: Files never requested by a page (source maps, type declarations): not kept.
_SKIP = (".map", ".d.ts", ".ts")


class AssetsError(RuntimeError):
    """The front-end files could not be installed; the message says why and what to do."""


@dataclass(frozen=True)
class NpmPackage:
    """One npm package whose files the page asks the CDN for.

    Attributes:
        spec: Package and version exactly as the page's URLs spell them (``vega@5``).
        keep: Top-level files or folders of the package to keep (the rest is not served).
        aliases: ``(copy, original)`` pairs: files that jsDelivr generates on the fly (a
            minified name for an unminified file) and the file to serve under that name.
    """

    spec: str
    keep: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """Package name without the version (``@widgetti/solara-vuetify-app``)."""
        return self.spec.rsplit("@", 1)[0]


#: What solara 1.64 (with ipyvue 1.x) asks the CDN for: the page itself (vuetify app, fonts,
#: requirejs), Markdown (KaTeX, Mermaid), GridDraggable, Altair/Vega and ECharts figures.
PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage("@widgetti/solara-vuetify-app@10.1.1", ("dist",)),
    NpmPackage("font-awesome@4.5.0", ("css", "fonts")),
    NpmPackage("requirejs@2.3.6", ("require.js",), (("require.min.js", "require.js"),)),
    NpmPackage("@widgetti/vue-grid-layout@2.3.13-alpha.2", ("dist",)),
    NpmPackage("echarts@5.4.0", ("dist",)),
    NpmPackage("vega@5", ("build",)),
    NpmPackage("vega-lite@5", ("build",)),
    NpmPackage("vega-embed@6", ("build",)),
    NpmPackage("katex@0.16.9", ("dist",)),
    NpmPackage("mermaid@10.8.0", ("dist",)),
)


def default_dir() -> Path:
    """Return the cache folder of this installation: ``<venv>/solara-assets``.

    ``sys.prefix`` is the virtual environment the dashboard runs in, so ``make assets`` and
    ``supportnet dashboard`` agree on the folder without configuration.
    """
    return Path(sys.prefix) / "solara-assets"


def _marker(directory: Path) -> Path:
    return Path(directory) / MARKER


def missing(directory: Path | str) -> list[str]:
    """Return the package specs not (completely) installed in ``directory``."""
    directory = Path(directory)
    try:
        done = set(json.loads(_marker(directory).read_text())["packages"])
    except (OSError, ValueError, KeyError, TypeError):
        done = set()
    return [p.spec for p in PACKAGES if p.spec not in done or not (directory / p.spec).is_dir()]


def is_complete(directory: Path | str) -> bool:
    """Return True when every package of :data:`PACKAGES` is installed in ``directory``."""
    return not missing(directory)


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(
            "npm was not found; it fetches the dashboard's front-end files from the npm registry. "
            "Install Node.js and npm (Debian/Ubuntu: `sudo apt-get install npm`), or copy a "
            f"filled folder from another installation and point {ASSETS_ENV} at it"
        )
    return npm


def _pack(packages: list[NpmPackage], dest: Path) -> dict[str, Path]:
    """Download the tarballs of ``packages`` into ``dest`` with one ``npm pack`` call."""
    cmd = [_npm(), "pack", "--json", "--silent", "--pack-destination", str(dest)]
    cmd += [p.spec for p in packages]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        raise AssetsError(
            "npm pack took more than 10 minutes; is the npm registry reachable?"
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise AssetsError(
            f"npm pack failed for {', '.join(p.spec for p in packages)}: {last}. "
            "The npm registry (https://registry.npmjs.org) must be reachable once, at install time"
        )
    try:
        results = json.loads(done.stdout)
    except ValueError:
        raise AssetsError(f"npm pack gave output that is not JSON: {done.stdout[:200]!r}") from None
    # npm reports packages in the order asked, one entry each.
    if len(results) != len(packages):
        raise AssetsError(f"npm pack returned {len(results)} packages, expected {len(packages)}")
    return {p.spec: dest / r["filename"] for p, r in zip(packages, results, strict=True)}


def _unpack(package: NpmPackage, tarball: Path, target: Path) -> int:
    """Extract the kept parts of ``tarball`` (an npm pack) into ``target``; return files written."""
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        members = []
        for m in tar.getmembers():
            # npm tarballs put everything under "package/".
            parts = m.name.split("/", 1)
            if len(parts) != 2 or not m.isfile():
                continue
            rel = parts[1]
            if rel.split("/", 1)[0] not in package.keep or rel.endswith(_SKIP):
                continue
            m.name = rel
            members.append(m)
        # The "data" filter refuses absolute paths, links out of the folder, devices.
        tar.extractall(target, members=members, filter="data")
        count = len(members)
    for copy, original in package.aliases:
        shutil.copyfile(target / original, target / copy)
        count += 1
    if count == 0:
        raise AssetsError(f"{package.spec}: the npm package has none of {', '.join(package.keep)}")
    return count


def install(directory: Path | str, force: bool = False, log=print) -> Path:
    """Fill ``directory`` with the front-end files Solara's page asks the CDN for.

    Packages already installed are kept (unless ``force``). Each package is unpacked into a
    temporary folder and moved into place whole, and the marker is written last, so an
    interrupted run leaves nothing half-written that a server would serve.

    Args:
        directory: The cache folder (created if needed).
        force: Reinstall every package.
        log: Called with one line of progress per step.

    Returns:
        The folder.

    Raises:
        AssetsError: npm is missing, the registry cannot be reached, or a package is not as
            expected. Nothing already installed is removed.
    """
    directory = Path(directory).resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssetsError(f"cannot create the assets folder {directory}: {exc}") from None
    todo = [p for p in PACKAGES if force or p.spec in missing(directory)]
    if not todo:
        # Touch the marker: `make` compares its age with dashboards/assets.py.
        _marker(directory).touch()
        log(f"Front-end files already complete in {directory}")
        return directory
    log(f"Fetching {len(todo)} front-end packages from the npm registry into {directory}")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".download-") as tmp:
        tmp_path = Path(tmp)
        tarballs = _pack(todo, tmp_path)
        for p in todo:
            staging = tmp_path / "unpacked" / p.spec
            staging.mkdir(parents=True)
            n = _unpack(p, tarballs[p.spec], staging)
            final = directory / p.spec
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                shutil.rmtree(final)
            os.replace(staging, final)
            log(f"  {p.spec}: {n} files")
    # Every package is now either freshly unpacked or was complete before.
    specs = [p.spec for p in PACKAGES]
    write_text(_marker(directory), json.dumps({"packages": specs}, indent=1) + "\n")
    log(f"Front-end files complete in {directory}")
    return directory


def server_environment(directory: Path | str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment a Solara server process needs to serve ``directory`` offline.

    Solara reads its settings when it is imported, so these must be set before the server
    process starts: the cache folder, the proxy switched on, and telemetry off (a classroom
    server should not call out).
    """
    env = dict(os.environ if base is None else base)
    env[ASSETS_ENV] = str(Path(directory).resolve())
    env["SOLARA_ASSETS_PROXY"] = "True"
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    return env


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m supportnet.dashboards.assets [--dir DIR] [--force] [--check]``."""
    parser = argparse.ArgumentParser(
        prog="python -m supportnet.dashboards.assets",
        description="Fill the dashboard's offline cache of front-end files from the npm registry.",
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help=f"cache folder (default: {default_dir()})"
    )
    parser.add_argument("--force", action="store_true", help="download every package again")
    parser.add_argument(
        "--check", action="store_true", help="only report whether the folder is complete"
    )
    args = parser.parse_args(argv)
    directory = args.dir or default_dir()
    if args.check:
        gone = missing(directory)
        if gone:
            print(f"{directory}: missing {', '.join(gone)}")
            return 1
        print(f"{directory}: complete")
        return 0
    try:
        install(directory, force=args.force)
    except AssetsError as exc:
        print(f"supportnet.dashboards.assets: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
