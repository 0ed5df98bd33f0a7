"""A bundle of the cached packages (one .tar.gz), to carry the page's assets to a machine with no network; and
its unpacking there, which checks the whole bundle (safe paths, pinned files and hashes) before writing."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from . import asset_pins
from .asset_pins import PACKAGES, AssetError, PackageSpec
from .safe_extract import UnsafeArchive, check, extract


class BadBundle(AssetError):
    """A bundle given with --from is unsafe, altered or not a bundle: the user's input, refused (exit code 2)."""


def bundle(path: Path, folder: Path) -> None:
    """Pack the packages cached in ``folder`` into one .tar.gz, to carry to a machine without network."""
    lacking = asset_pins.missing(folder)
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
        if inner not in asset_pins.pinned()[spec]["files"]:  # refused before it is even read
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{inner}: not a file of the pinned release")
        source = archive.extractfile(member)
        assert source is not None  # a regular file (check() refused everything else)
        found[spec][inner] = hashlib.file_digest(source, "sha512").hexdigest()
    for spec in PACKAGES:
        asset_pins.check_files(spec, found[spec], where)


def unbundle(path: Path, folder: Path) -> list[str]:
    """Unpack a bundle made by `bundle` into the cache folder ``folder``; returns the packages it held. The whole
    bundle is checked (safe paths, pinned files and hashes) before anything is written."""
    where = f"--from {path}"
    if not path.is_file():
        raise BadBundle(f"spsim viz-assets: {where}: no such file")
    expected = sorted(PackageSpec.parse(spec).folder for spec in PACKAGES)
    # a damaged lock file is this project's fault, not the bundle's: raised before the bundle is judged
    asset_pins.pinned()
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
