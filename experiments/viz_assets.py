"""Front-end assets for the browser page, made available offline.

Solara's page loads its JavaScript, CSS and fonts through the server's proxy (`/_solara/cdn/<package>@<version>/
<file>`), which fetches them from a public CDN (jsDelivr) on first use and keeps them in a cache folder. With no
internet - these machines, and many NHS networks - the page stays blank. This module fills that cache folder
from the npm registry (the same package tarballs jsDelivr serves), so the page never needs the CDN:

    spsim viz-assets                        # fetch what is missing into the cache folder
    spsim viz-assets --bundle assets.tar.gz # ...and pack it, to carry to a machine with no network at all
    spsim viz-assets --from assets.tar.gz   # on that machine: unpack the bundle into its cache folder

The packages below are the ones this page asks for with the pinned solara version (pyproject.toml); the browser
test (tests/test_browser.py) fails if the page requests anything that is not there.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REGISTRY = "https://registry.npmjs.org"

# Each entry is the <package>@<version> prefix exactly as it appears in the page's asset addresses.
# A version may be a major-version range (e.g. "vega@5"), which jsDelivr resolves to the newest 5.x.
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",  # the page's application bundle, CSS and fonts
    "requirejs@2.3.6",  # module loader used by the widgets
    "font-awesome@4.5.0",  # icons
    "katex@0.16.9",  # formulas in Markdown text
    "mermaid@10.8.0",  # diagrams in Markdown text (loaded by every Markdown component)
    "vega@5",  # the charts are drawn in the browser with Vega-Lite...
    "vega-lite@5",
    "vega-embed@6",  # ...embedded by this
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",  # the movable grid of plots (Mesa's SolaraViz)
)


class AssetError(Exception):
    """The assets could not be fetched or unpacked; reported in one line."""


@dataclass(frozen=True)
class PackageSpec:
    name: str  # e.g. "@widgetti/solara-vuetify-app"
    version: str  # exact ("10.1.1") or a major-version range ("5")

    @classmethod
    def parse(cls, text: str) -> PackageSpec:
        at = text.rindex("@")  # a scoped name starts with "@" too: the version follows the last one
        return cls(text[:at], text[at + 1 :])

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"


def cache_dir() -> Path:
    """Solara's proxy cache folder (settings.assets.proxy_cache_dir; SOLARA_ASSETS_PROXY_CACHE_DIR moves it)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(folder: Path | None = None) -> list[str]:
    """The packages not yet unpacked in the cache folder."""
    folder = folder or cache_dir()
    return [spec for spec in PACKAGES if not (folder / PackageSpec.parse(spec).folder / "package.json").is_file()]


def _get(url: str, timeout: float = 60.0) -> bytes:
    import requests

    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as err:
        raise AssetError(f"spsim viz-assets: cannot reach {url}: {type(err).__name__}") from err
    if not response.ok:
        raise AssetError(f"spsim viz-assets: {url} answered {response.status_code}")
    return response.content


def _resolve(spec: PackageSpec, metadata: dict) -> str:
    versions = metadata.get("versions", {})
    if spec.version in versions:
        return spec.version
    if spec.version.isdigit():  # a major-version range: the newest release of that major version
        candidates = [v for v in versions if v.split(".")[0] == spec.version and "-" not in v]
        if candidates:
            return max(candidates, key=lambda v: tuple(int(p) for p in v.split(".")))
    raise AssetError(f"spsim viz-assets: the npm registry has no release of {spec.folder}")


def _check_integrity(data: bytes, dist: dict, where: str) -> None:
    """The registry publishes a hash of every tarball: a truncated or altered download is refused."""
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        ok = base64.b64encode(hashlib.sha512(data).digest()).decode() == integrity.removeprefix("sha512-")
    elif "shasum" in dist:
        ok = hashlib.sha1(data).hexdigest() == dist["shasum"]
    else:
        ok = True
    if not ok:
        raise AssetError(f"spsim viz-assets: {where}: the download does not match the registry's hash")


def _main_file(package_json: dict) -> str | None:
    """The file jsDelivr serves for a bare <package>@<version> address (its `jsdelivr`, `browser` or `main`)."""
    for key in ("jsdelivr", "browser", "main"):
        value = package_json.get(key)
        if isinstance(value, str):
            return value.removeprefix("./")
    return None


def _unpack(tarball: bytes, target: Path) -> None:
    """Unpack an npm tarball (files under one top folder, usually `package/`) into target, atomically:
    the server treats a file that exists as complete, so a half-unpacked package must never be visible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member in archive.getmembers():
                if not member.isfile():
                    continue
                relative = Path(*Path(member.name).parts[1:])
                if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                    raise AssetError(f"spsim viz-assets: {target.name}: unsafe path in tarball: {member.name}")
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                destination.write_bytes(source.read())
        package_json = json.loads((staging / "package.json").read_text(encoding="utf-8"))
        main = _main_file(package_json)
        if main and (staging / main).is_file():  # what a bare <package>@<version> address returns
            shutil.copyfile(staging / main, staging / "__main.js")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def fetch(spec_text: str, folder: Path, registry_url: str = DEFAULT_REGISTRY) -> str:
    """Download one package from the npm registry and unpack it into folder/<package>@<version>/."""
    spec = PackageSpec.parse(spec_text)
    metadata = json.loads(_get(f"{registry_url.rstrip('/')}/{urllib.parse.quote(spec.name, safe='@')}"))
    version = _resolve(spec, metadata)
    dist = metadata["versions"][version]["dist"]
    tarball = _get(dist["tarball"])
    _check_integrity(tarball, dist, spec.folder)
    _unpack(tarball, folder / spec.folder)
    return version


def ensure(folder: Path | None = None, registry_url: str | None = None, echo=print) -> list[str]:
    """Fetch every package that is missing; returns what was fetched."""
    folder = folder or cache_dir()
    registry_url = registry_url or os.environ.get("npm_config_registry") or DEFAULT_REGISTRY
    fetched = []
    for spec in missing(folder):
        version = fetch(spec, folder, registry_url)
        echo(f"  {spec} (npm {version}) -> {folder / PackageSpec.parse(spec).folder}")
        fetched.append(spec)
    return fetched


def bundle(path: Path, folder: Path | None = None) -> None:
    """Pack the cached packages into one .tar.gz, to carry to a machine without network."""
    folder = folder or cache_dir()
    lacking = missing(folder)
    if lacking:
        raise AssetError(f"spsim viz-assets: cannot bundle, not fetched yet: {', '.join(lacking)}")
    partial = path.with_name(path.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for spec in PACKAGES:
            name = PackageSpec.parse(spec).folder
            archive.add(folder / name, arcname=name)
    os.replace(partial, path)


def unbundle(path: Path, folder: Path | None = None) -> list[str]:
    """Unpack a bundle made by `bundle` into the cache folder; returns the packages it held."""
    folder = folder or cache_dir()
    if not path.is_file():
        raise AssetError(f"spsim viz-assets: --from {path}: no such file")
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = archive.getnames()
            tops = {n.split("/")[0] if not n.startswith("@") else "/".join(n.split("/")[:2]) for n in names}
            expected = {PackageSpec.parse(spec).folder for spec in PACKAGES}
            if not expected <= tops:
                raise AssetError(
                    f"spsim viz-assets: --from {path}: lacks {', '.join(sorted(expected - tops))} "
                    "(bundle made with another version of this project?)"
                )
            staging = Path(tempfile.mkdtemp(prefix=".unbundling-", dir=_existing_parent(folder)))
            try:
                archive.extractall(staging, filter="data")  # "data" refuses absolute paths and links out
                folder.mkdir(parents=True, exist_ok=True)
                for name in sorted(expected):
                    target = folder / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if target.exists():
                        shutil.rmtree(target)
                    os.replace(staging / name, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except (tarfile.TarError, OSError) as err:
        raise AssetError(f"spsim viz-assets: --from {path}: not a readable bundle ({err})") from err
    return sorted(expected)


def _existing_parent(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
