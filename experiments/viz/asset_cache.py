"""The cache folder checked before the page serves it: every pinned file of every cached package against its
pinned sha512 (issue 12: the cache was trusted once filled, so a file changed there afterwards ran in the
browser)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import asset_pins
from .asset_pins import PACKAGES, AssetError, PackageSpec

VERIFIED = ".spsim-verified.json"  # per cached file: its (size, inode, ctime, mtime) when its sha512 last matched


class TamperedCache(AssetError):
    """A cached file differs from its pinned release (edited, replaced, truncated or removed); one line."""


def verify(folder: Path) -> int:
    """Check every pinned file of every package cached in ``folder`` against its pinned sha512.
    Hashing all of them takes over a second (about 127 MB), so a file is hashed again only when its size,
    inode, ctime or mtime differ from when it last matched (ctime cannot be set back by a user: any write or
    rename changes it); the record is kept in the cache folder. Files that are not pinned are left alone:
    Solara's own proxy may have cached them, and the page never asks for them. Returns the files checked."""
    record = folder / VERIFIED
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    marks = {}
    absent = set(asset_pins.missing(folder))
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
    for relative, digest in asset_pins.pinned()[spec]["files"].items():
        path, key = package / relative, f"{spec}/{relative}"
        try:
            if path.is_symlink() or not path.is_file():
                raise TamperedCache(f"spsim viz: {path}: missing or not a regular file; {fix}")
            stat = path.stat()
            mark = [stat.st_size, stat.st_ino, stat.st_ctime_ns, stat.st_mtime_ns]
            if known.get(key) != mark and asset_pins.sha512(path.read_bytes()) != digest:
                raise TamperedCache(f"spsim viz: {path}: differs from the pinned sha512 of {spec}; {fix}")
        except OSError as err:
            raise TamperedCache(f"spsim viz: {path}: cannot be read ({err.strerror}); {fix}") from None
        marks[key] = mark
    return marks
