"""What every part of the command line shares: the error a user can fix, and how any message stays one line."""

from __future__ import annotations


class BadInput(Exception):
    """Input the user can fix; reported in one line with exit code 2."""


def one_line(text: str) -> str:
    """An error message as exactly one line: a newline or other control character that came in with a path or
    value is shown escaped (\\n, \\x1b), so the message cannot be split or repaint the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
