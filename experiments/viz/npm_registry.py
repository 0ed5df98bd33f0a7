"""The page's packages from the npm registry (the same tarballs jsDelivr serves): downloaded, checked against the
registry's hash and the pinned one, and unpacked atomically where Solara's proxy looks.

    python -m spsim.experiments.viz.npm_registry --pin   # rewrite assets.lock.json from the registry

(after changing PACKAGES or the solara version; a maintainer's job, run in the clone)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
from pathlib import Path

from . import asset_pins
from .asset_pins import PACKAGES, AssetError, PackageSpec
from .safe_extract import UnsafeArchive, extract

MAIN_COPY = "__main.js"  # what a bare <package>@<version> address returns (a copy of the package's main file)

DEFAULT_REGISTRY = "https://registry.npmjs.org"


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


def _unpack(tarball: bytes, target: Path, spec: str | None = None) -> dict[str, str]:
    """Unpack an npm tarball (files under one top folder, usually `package/`) into target, atomically:
    the server treats a file that exists as complete, so a half-unpacked package must never be visible.
    With spec, the files must be the pinned ones. Returns {path: sha512} of the files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    staging = holder / "package"
    try:
        try:
            with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
                extract(archive, staging, strip=1)
        except (UnsafeArchive, tarfile.TarError) as err:
            raise AssetError(f"spsim viz-assets: {target.name}: unsafe or damaged tarball: {err}") from err
        package_json = json.loads((staging / "package.json").read_text(encoding="utf-8"))
        main = _main_file(package_json)
        if main and (staging / main).is_file():  # what a bare <package>@<version> address returns
            shutil.copyfile(staging / main, staging / MAIN_COPY)
        files = {
            path.relative_to(staging).as_posix(): asset_pins.sha512(path.read_bytes())
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        if spec is not None:
            asset_pins.check_files(spec, files, "download")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        return files
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _download(spec_text: str, registry_url: str, version: str | None = None) -> tuple[str, dict, bytes]:
    """(version, dist, tarball) of one package; version None resolves the spec (a range takes the newest)."""
    spec = PackageSpec.parse(spec_text)
    metadata = json.loads(_get(f"{registry_url.rstrip('/')}/{urllib.parse.quote(spec.name, safe='@')}"))
    version = version or _resolve(spec, metadata)
    if version not in metadata.get("versions", {}):
        raise AssetError(f"spsim viz-assets: the npm registry has no release {version} of {spec.name}")
    dist = metadata["versions"][version]["dist"]
    tarball = _get(dist["tarball"])
    _check_integrity(tarball, dist, spec.folder)
    return version, dist, tarball


def fetch(spec_text: str, folder: Path, registry_url: str = DEFAULT_REGISTRY) -> str:
    """Download the pinned release of one package and unpack it into folder/<package>@<version>/."""
    pin = asset_pins.pinned()[spec_text]
    version, _, tarball = _download(spec_text, registry_url, pin["version"])
    if "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode() != pin["integrity"]:
        raise AssetError(f"spsim viz-assets: {spec_text}: the download does not match the pinned sha512")
    _unpack(tarball, folder / PackageSpec.parse(spec_text).folder, spec_text)
    return version


def make_pins(registry_url: str = DEFAULT_REGISTRY) -> dict[str, dict]:
    """The pins for PACKAGES as the registry has them now (ranges resolved to their newest release)."""
    pins = {}
    for spec in PACKAGES:
        version, _, tarball = _download(spec, registry_url)
        with tempfile.TemporaryDirectory() as scratch:
            files = _unpack(tarball, Path(scratch) / "package")
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        pins[spec] = {"version": version, "integrity": integrity, "files": files}
    return pins


def write_pins(registry_url: str | None = None) -> Path:
    """Regenerate assets.lock.json from the registry (after changing PACKAGES or the solara version)."""
    pins = make_pins(registry_url or os.environ.get("npm_config_registry") or DEFAULT_REGISTRY)
    text = json.dumps(pins, indent=1, sort_keys=True) + "\n"
    partial = asset_pins.PINS_FILE.with_name(asset_pins.PINS_FILE.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, asset_pins.PINS_FILE)
    return asset_pins.PINS_FILE


if __name__ == "__main__":
    if sys.argv[1:] != ["--pin"]:
        sys.exit("usage: python -m spsim.experiments.viz.npm_registry --pin   (rewrites assets.lock.json)")
    print(f"pinned {len(PACKAGES)} packages in {write_pins()}")
