"""Generated text inside a hand-written document: the block between a start and an end marker is replaced whole,
everything else is left as it is (the README's numbers, the pathway diagram in README.md and docs/model.md)."""

from __future__ import annotations


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """``text`` with what stands between ``start`` and the next ``end`` replaced by ``body`` (on lines of its own).
    A missing marker is a ValueError naming it: a document that lost its markers must be mended, not skipped."""
    head, found, rest = text.partition(start)
    if not found:
        raise ValueError(f"no '{start}' marker")
    _, found, tail = rest.partition(end)
    if not found:
        raise ValueError(f"no '{end}' marker after '{start}'")
    return f"{head}{start}\n{body}\n{end}{tail}"
