"""Reading a TOML file the user hands us (a scenario, a place), refusing in words what cannot be one.

Only a regular file is read: a folder, a FIFO (which would block) or a device (endless) is refused first, as
is a file too large to be what it claims; TOML is data, so nothing read here can run.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


class UnreadableFile(ValueError):
    """Why a file cannot be read as the TOML it should be: ``problem`` and, when there is one, ``remedy``."""

    def __init__(self, problem: str, remedy: str = ""):
        super().__init__(problem)
        self.problem, self.remedy = problem, remedy


def read_toml(path: Path, max_bytes: int, kind: str) -> tuple[dict[str, Any], bytes]:
    """The file's TOML and its bytes (for a hash); ``kind`` names what the file should be, for the message."""
    try:
        if not path.is_file():
            raise UnreadableFile("no such file" if not path.exists() else "not a regular file", f"a {kind} is a .toml file")
        if path.stat().st_size > max_bytes:
            raise UnreadableFile(f"larger than {max_bytes:,} bytes", f"a {kind} is a short .toml file")
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), raw
    except UnicodeDecodeError:
        raise UnreadableFile("not UTF-8 text", f"save the {kind} as UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise UnreadableFile(f"not valid TOML ({err})") from None
    except RecursionError:
        raise UnreadableFile(f"nested too deeply to be a {kind}") from None
    except OSError as err:
        raise UnreadableFile(f"cannot be read ({err.strerror or type(err).__name__})") from None
