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

Every file is checked against the sha512 pinned in viz_assets.lock.json (made once from the registry with
`python -m experiments.viz_assets --pin`): whatever is served to the browser runs in it, so a bundle or a
download whose JavaScript differs from the published release is refused before anything is written.
"""

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
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from spsim.experiments.viz.safe_extract import UnsafeArchive, check, extract

PINS_FILE = Path(__file__).with_name("assets.lock.json")
MAIN_COPY = "__main.js"  # what a bare <package>@<version> address returns (a copy of the package's main file)

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


class BadBundle(AssetError):
    """A bundle given with --from is unsafe, altered or not a bundle: the user's input, refused (exit code 2)."""


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


def _sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


@cache
def pinned() -> dict[str, dict]:
    """{spec: {"version", "integrity", "files": {path: sha512 hex}}} for every package of PACKAGES."""
    try:
        pins = json.loads(PINS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AssetError(f"spsim viz-assets: {PINS_FILE}: unreadable pinned hashes ({type(err).__name__})") from err
    lacking = [spec for spec in PACKAGES if spec not in pins]
    if lacking:
        raise AssetError(f"spsim viz-assets: {PINS_FILE}: no pinned hashes for {', '.join(lacking)}")
    return pins


def _check_files(spec: str, files: dict[str, str], where: str) -> None:
    """The package's files are exactly the pinned ones, byte for byte (by sha512)."""
    expected = pinned()[spec]["files"]
    for path, digest in sorted(files.items()):
        if path not in expected:
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{path}: not a file of the pinned release")
        if digest != expected[path]:
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{path}: differs from the pinned sha512")
    absent = sorted(set(expected) - set(files))
    if absent:
        raise AssetError(f"spsim viz-assets: {where}: {spec}/{absent[0]}: missing ({len(absent)} files missing)")


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
            path.relative_to(staging).as_posix(): _sha512(path.read_bytes())
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        if spec is not None:
            _check_files(spec, files, "download")
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
    pin = pinned()[spec_text]
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


def _bundle_place(relative: PurePosixPath) -> tuple[str | None, str]:
    """(spec, path inside the package) of a bundle member: `<package>@<version>/<path>`, a scoped package's
    folder being two levels (`@scope/<name>@<version>`). spec is None outside every package's folder."""
    parts = relative.parts
    depth = 2 if parts[0].startswith("@") else 1
    by_folder = {PackageSpec.parse(spec).folder: spec for spec in PACKAGES}
    return by_folder.get("/".join(parts[:depth])), "/".join(parts[depth:])


def _check_bundle(archive: tarfile.TarFile, folder: Path, where: str) -> None:
    """Every member safe, every file a pinned one with its pinned sha512, every pinned file there; reads the
    archive once and writes nothing."""
    names = archive.getnames()
    tops = {n.split("/")[0] if not n.startswith("@") else "/".join(n.split("/")[:2]) for n in names}
    expected = {PackageSpec.parse(spec).folder for spec in PACKAGES}
    if not expected <= tops:
        raise AssetError(
            f"spsim viz-assets: {where}: lacks {', '.join(sorted(expected - tops))} "
            "(bundle made with another version of this project?)"
        )
    found: dict[str, dict[str, str]] = {spec: {} for spec in PACKAGES}
    for member, relative in check(archive, folder):
        spec, inner = _bundle_place(relative)
        if member.isdir():
            continue  # folders carry nothing; the files in them are checked
        if spec is None or not inner:
            raise AssetError(f"spsim viz-assets: {where}: {member.name}: not a file of any pinned package")
        if inner not in pinned()[spec]["files"]:  # refused before it is even read
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{inner}: not a file of the pinned release")
        source = archive.extractfile(member)
        assert source is not None  # a regular file (check() refused everything else)
        found[spec][inner] = hashlib.file_digest(source, "sha512").hexdigest()
    for spec in PACKAGES:
        _check_files(spec, found[spec], where)


def unbundle(path: Path, folder: Path | None = None) -> list[str]:
    """Unpack a bundle made by `bundle` into the cache folder; returns the packages it held. The whole bundle is
    checked (safe paths, pinned files and hashes) before anything is written."""
    folder = folder or cache_dir()
    where = f"--from {path}"
    if not path.is_file():
        raise BadBundle(f"spsim viz-assets: {where}: no such file")
    expected = sorted(PackageSpec.parse(spec).folder for spec in PACKAGES)
    pinned()  # a damaged lock file is this project's fault, not the bundle's: raised before the bundle is judged
    try:
        with tarfile.open(path, "r:gz") as archive:
            _check_bundle(archive, folder, where)
            folder.mkdir(parents=True, exist_ok=True)
            holder = Path(tempfile.mkdtemp(prefix=".unbundling-", dir=folder))
            try:
                staging = holder / "bundle"
                extract(archive, staging)
                for name in expected:
                    target = folder / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if target.exists():
                        shutil.rmtree(target)
                    os.replace(staging / name, target)
            finally:
                shutil.rmtree(holder, ignore_errors=True)
    except BadBundle:
        raise
    except UnsafeArchive as err:
        raise BadBundle(f"spsim viz-assets: {where}: unsafe bundle: {err}") from err
    except AssetError as err:  # a file that is not pinned or differs from its pinned hash
        raise BadBundle(str(err)) from err
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise BadBundle(f"spsim viz-assets: {where}: not a readable bundle ({type(err).__name__}: {err})") from err
    except OSError as err:  # the cache folder, not the bundle: e.g. no space or no permission
        raise AssetError(f"spsim viz-assets: {where}: cannot unpack into {folder}: {type(err).__name__}: {err}") from err
    return expected


VERIFIED = ".spsim-verified.json"  # per cached file: its (size, inode, ctime, mtime) when its sha512 last matched


class TamperedCache(AssetError):
    """A cached file differs from its pinned release (edited, replaced, truncated or removed); one line."""


def verify(folder: Path | None = None) -> int:
    """Check every pinned file of every cached package against its pinned sha512 before the page serves it
    (issue 12: the cache was trusted once filled, so a file changed there afterwards ran in the browser).
    Hashing all of them takes over a second (about 127 MB), so a file is hashed again only when its size,
    inode, ctime or mtime differ from when it last matched (ctime cannot be set back by a user: any write or
    rename changes it); the record is kept in the cache folder. Files that are not pinned are left alone:
    Solara's own proxy may have cached them, and the page never asks for them. Returns the files checked."""
    folder = folder or cache_dir()
    record = folder / VERIFIED
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    marks = {}
    absent = set(missing(folder))
    for spec in PACKAGES:
        if spec not in absent:
            marks.update(_verify_package(folder, spec, known if isinstance(known, dict) else {}))
    if marks != known:
        try:
            partial = record.with_name(record.name + ".partial")
            partial.write_text(json.dumps(marks), encoding="utf-8")
            os.replace(partial, record)
        except OSError:  # a read-only cache: everything is hashed at each start instead
            pass
    return len(marks)


def _verify_package(folder: Path, spec: str, known: dict) -> dict[str, list[int]]:
    package = folder / PackageSpec.parse(spec).folder
    fix = f"remove {package} and run `spsim viz-assets` (or --from a bundle)"
    marks = {}
    for relative, digest in pinned()[spec]["files"].items():
        path, key = package / relative, f"{spec}/{relative}"
        try:
            if path.is_symlink() or not path.is_file():
                raise TamperedCache(f"spsim viz: {path}: missing or not a regular file; {fix}")
            stat = path.stat()
            mark = [stat.st_size, stat.st_ino, stat.st_ctime_ns, stat.st_mtime_ns]
            if known.get(key) != mark and _sha512(path.read_bytes()) != digest:
                raise TamperedCache(f"spsim viz: {path}: differs from the pinned sha512 of {spec}; {fix}")
        except OSError as err:
            raise TamperedCache(f"spsim viz: {path}: cannot be read ({err.strerror}); {fix}") from None
        marks[key] = mark
    return marks


def write_pins(registry_url: str | None = None) -> Path:
    """Regenerate viz_assets.lock.json from the registry (after changing PACKAGES or the solara version)."""
    pins = make_pins(registry_url or os.environ.get("npm_config_registry") or DEFAULT_REGISTRY)
    text = json.dumps(pins, indent=1, sort_keys=True) + "\n"
    partial = PINS_FILE.with_name(PINS_FILE.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, PINS_FILE)
    return PINS_FILE


if __name__ == "__main__":
    if sys.argv[1:] != ["--pin"]:
        sys.exit("usage: python -m experiments.viz_assets --pin   (rewrites viz_assets.lock.json from the registry)")
    print(f"pinned {len(PACKAGES)} packages in {write_pins()}")
