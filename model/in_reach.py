"""Which groups of one activity are within a person's reach, nearest first (then the older), measured two ways
that give the same answer: NumPy's exact distances, or plain Python arithmetic where it can decide alone.

A distance is ``np.hypot(dx, dy)`` (the C library's hypot, within an ulp of the true distance): who is in reach
and the order of the groups are decided by those numbers, to the bit. Most people have a few groups of an activity
around them, and each NumPy call costs about half a microsecond however small its arrays, so for a few candidates
Python measures them by the squared distance ``dx * dx + dy * dy``, which is within a few ulps of the true square.
Where that cannot decide (a group within ``UNDECIDED`` of the edge of reach, or two groups within it of each other:
exact ties, a group opened on the spot of another) it gives up and NumPy measures exactly; far from such a margin,
both ways give the same set and the same order. A week's seekers are measured the same way in arrays
(``in_reach_many``), and their groups ordered by the squares where they decide (``nearest_first_by_square``), else
by NumPy's distances (``nearest_first_by_entry``)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

# a relative margin a billion times wider than the rounding of either measure (a few parts in 1e16)
UNDECIDED = 1e-9


def in_python(columns: tuple[list, list, list, list], spans: list[tuple[int, int]], x: float, y: float,
              reach: float, cannot_pay: bool) -> list[int] | None:  # fmt: skip
    """``columns``: the groups' x, y, charges and table rows in cell order, as lists; ``spans``: where the
    candidates are in them. The rows in reach, nearest first, then the older; None when it cannot decide."""
    xs, ys, charges, rows = columns
    beyond, within = (reach * (1 + UNDECIDED)) ** 2, (reach * (1 - UNDECIDED)) ** 2
    found = []
    for start, end in spans:
        for k in range(start, end):
            dx, dy = xs[k] - x, ys[k] - y
            square = dx * dx + dy * dy
            if square <= beyond and not (cannot_pay and charges[k]):
                if square >= within:
                    return None  # on the edge of their reach
                found.append((square, rows[k]))
    if len(found) > 1:
        found.sort()
        if any(nearer[0] >= farther[0] * (1 - UNDECIDED) for nearer, farther in pairwise(found)):
            return None  # as far as each other: NumPy's distances (then the older) decide
    return [row for _, row in found]


def in_numpy(arrays: tuple[np.ndarray, ...], start: int, end: int, x: float, y: float, reach: float,
             cannot_pay: bool) -> list[int]:  # fmt: skip
    """``arrays``: the groups' x, y, whether free to attend and table rows in cell order; the candidates are
    among ``start:end`` (any others there are beyond reach). The rows in reach, nearest first, then the older."""
    xs, ys, free_to_attend, rows = (column[start:end] for column in arrays)
    distance = np.hypot(xs - x, ys - y)
    ok = distance <= reach
    if cannot_pay:
        ok &= free_to_attend
    found, distance = rows[ok], distance[ok]
    if len(found) > 1:
        found = found[np.lexsort((found, distance))]
    return found.tolist()


def in_reach_many(dx: np.ndarray, dy: np.ndarray, reach: np.ndarray,
                  allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """For many (person, group) pairs at once (the group's offsets ``dx``, ``dy`` from a person of ``reach``;
    ``allowed``: whether the person may go to it), which are in reach as ``np.hypot(dx, dy) <= reach`` decides, and
    their squared distances: decided by the squared distance as ``in_python`` decides, and by ``np.hypot`` for the
    few pairs within ``UNDECIDED`` of the edge of reach (a week's seekers have about two million candidates a year at
    an ICB, and a distance costs several times a square)."""
    square = dx * dx
    square += dy * dy
    beyond = reach * (1 + UNDECIDED)
    beyond *= beyond
    pair = ((square <= beyond) & allowed).nonzero()[0]
    return _on_the_edge(pair, square.take(pair), reach.take(pair), dx, dy)


def in_reach_of_entries(dx: np.ndarray, dy: np.ndarray, entry: np.ndarray, reach: np.ndarray,
                        allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``in_reach_many`` for candidates of entries (candidate i is of entry ``entry[i]``, whose reach is
    ``reach[entry[i]]``): the same pairs and squares, the bound beyond reach worked out once per entry (an ICB's week
    has about 850 entries and 20,000 candidates)."""
    square = dx * dx
    square += dy * dy
    beyond = reach * (1 + UNDECIDED)
    beyond *= beyond
    pair = ((square <= beyond.take(entry)) & allowed).nonzero()[0]
    return _on_the_edge(pair, square.take(pair), reach.take(entry.take(pair)), dx, dy)


def _on_the_edge(pair: np.ndarray, square: np.ndarray, reach: np.ndarray, dx: np.ndarray,
                 dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``in_reach_many``'s pairs not beyond reach by the squares (``square`` and ``reach`` theirs), less those on
    the edge of reach that ``np.hypot`` puts beyond it, and their squares."""
    within = reach * (1 - UNDECIDED)
    within *= within
    edge = (square >= within).nonzero()[0]
    if len(edge):  # on the edge: NumPy's distance decides
        on_edge = pair.take(edge)
        beyond_reach = edge[np.hypot(dx.take(on_edge), dy.take(on_edge)) > reach.take(edge)]
        if len(beyond_reach):
            kept = np.ones(len(pair), dtype=bool)
            kept[beyond_reach] = False
            pair, square = pair[kept], square[kept]
    return pair, square


def any_in_reach(xs: list[float], ys: list[float], x: float, y: float, reach: float) -> bool:
    """Whether any of the points (``xs``, ``ys``) is within ``reach`` of (x, y), as ``np.hypot`` measures:
    decided by the squared distances where they can, else by NumPy."""
    beyond, within = (reach * (1 + UNDECIDED)) ** 2, (reach * (1 - UNDECIDED)) ** 2
    undecided = False
    for gx, gy in zip(xs, ys, strict=True):
        dx, dy = gx - x, gy - y
        square = dx * dx + dy * dy
        if square < within:
            return True
        undecided = undecided or square <= beyond
    return undecided and bool((np.hypot(np.array(xs) - x, np.array(ys) - y) <= reach).any())


def nearest_first_by_square(entry: np.ndarray, square: np.ndarray) -> np.ndarray | None:
    """The order by ``entry``, then distance, read from the squared distances (a square's bits as an integer are in
    its order, as ``nearest_first_by_entry`` reads a distance's), or None where they cannot decide it: two of an
    entry's squares within a relative ``UNDECIDED`` of each other (then ``np.hypot``'s distances might tie
    or fall the other way; further apart they fall as the squares do)."""
    if len(entry) < 2:
        return np.arange(len(entry))
    if entry[-1] >= 1 << 23:
        return None
    order = np.argsort((entry << 40) | (square.view(np.int64) >> 23), kind="stable")
    square, entry = square.take(order), entry.take(order)
    apart = square[1:] > square[:-1] * (1 + UNDECIDED)
    apart |= entry[1:] != entry[:-1]
    return order if apart.all() else None


def nearest_first_by_entry(entry: np.ndarray, distance: np.ndarray, rows: np.ndarray,
                            largest: int | None = None) -> np.ndarray:  # fmt: skip
    """The order by ``entry``, then ``distance``, then ``rows`` (``np.lexsort``'s, which costs about a hundred times
    more): a distance's bits read as an integer are in the order of the distances (they are never negative), so the
    entry and a distance's leading 40 bits make one integer, nearly in order; only distances within a relative 2e-9 of
    each other share theirs, and then ``np.lexsort`` decides. ``largest``: above every entry (None: the entries are
    in order, the last the largest)."""
    if len(entry) < 2 or (entry[-1] if largest is None else largest) >= 1 << 23:
        return np.lexsort((rows, distance, entry))
    key = (entry << 40) | (distance.view(np.int64) >> 23)
    order = np.argsort(key, kind="stable")
    if (np.diff(key[order]) == 0).any():
        return np.lexsort((rows, distance, entry))
    return order
