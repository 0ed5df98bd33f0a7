"""Unpack a tar archive without trusting it; hand-written because Python 3.12.1 lacks the fixed filter="data" (CVE-2025-4517).

`tarfile`'s "data" filter is not enough on the Python this project runs (3.12.1: CVE-2025-4517 lets a crafted
archive write outside the target despite it, fixed only in 3.12.11/3.13.4). So nothing here relies on it: every
member is checked before anything is written, only regular files and folders are ever created (never a link,
device or FIFO, so no later path can be redirected), and each file is opened relative to a fresh folder that
only this code writes into.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath


class UnsafeArchive(Exception):
    """The archive holds a member that could write outside the target, or is not a plain file or folder."""


def member_path(member: tarfile.TarInfo, strip: int = 0) -> PurePosixPath | None:
    """The member's path relative to the target after dropping `strip` leading folders (None: nothing left,
    e.g. npm's top `package/` folder itself). Raises UnsafeArchive for anything that could leave the target."""
    name = member.name
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or PurePosixPath(name).is_absolute():
        raise UnsafeArchive(f"{name!r}: absolute or malformed path")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"{name!r}: path climbs out with '..'")
    if not (member.isfile() or member.isdir()):
        kind = "symlink" if member.issym() else "hardlink" if member.islnk() else "device, FIFO or other special file"
        raise UnsafeArchive(f"{name!r}: {kind}; only regular files and folders are allowed")
    parts = parts[strip:]
    return PurePosixPath(*parts) if parts else None


def check(archive: tarfile.TarFile, target: Path, strip: int = 0) -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    """Every member checked (none written): the members to extract with their relative paths."""
    root = target.resolve()
    out = []
    for member in archive.getmembers():
        relative = member_path(member, strip)
        if relative is None:
            continue
        # belt and braces: the lexical checks above already rule this out, but the resolved path is what counts
        if not (root / relative).resolve().is_relative_to(root):
            raise UnsafeArchive(f"{member.name!r}: resolves outside the target")
        out.append((member, relative))
    return out


def extract(
    archive: tarfile.TarFile,
    target: Path,
    strip: int = 0,
    accept: Callable[[PurePosixPath, tarfile.TarInfo], None] | None = None,
) -> list[PurePosixPath]:
    """Extract the archive's files and folders into target, which must not exist yet (it is created here, so
    nothing else can have planted a link in it). `accept(path, member)` may raise to refuse a member before
    anything is written. On any failure target is removed. Returns the files written."""
    members = check(archive, target, strip)
    if accept is not None:
        for member, relative in members:
            accept(relative, member)
    target.mkdir(mode=0o755)  # FileExistsError if it exists: the caller passes a fresh path
    written = []
    try:
        for member, relative in members:
            destination = target / relative
            if member.isdir():
                destination.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                raise UnsafeArchive(f"{member.name!r}: cannot be read as a file")
            # O_NOFOLLOW|O_EXCL: never write through a link, never overwrite (a duplicate member is refused)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(destination, flags, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
            except FileExistsError:
                raise UnsafeArchive(f"{member.name!r}: appears twice in the archive") from None
            with os.fdopen(fd, "wb") as sink:
                shutil.copyfileobj(source, sink)
            written.append(relative)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return written
