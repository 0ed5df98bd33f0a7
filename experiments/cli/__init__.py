"""The `spsim` command line: argument parsing, the checks of every option, and one function per command."""

from .commands import main

__all__ = ["main"]
