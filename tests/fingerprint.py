"""A fingerprint of every number a run produces, to prove a restructuring pure (numbers unchanged).

    python -m tests.fingerprint before.json      # on the code before (e.g. in a git worktree)
    python -m tests.fingerprint after.json       # on the code after
    python -m tests.fingerprint --compare before.json after.json
    python -m tests.fingerprint --big before.json   # bigger runs too (a 3-year ICB, a 4-year 300,000 adults)

For each regression case (tests.test_regression.CASES) and two seeds, 156 weeks: hashes of every outcome row (all
columns, economics included), the order the records were written, the weekly series, the trajectories and the
pathway transitions; the outcome rows and the series both as text (``%.12g``) and as their columns' raw bytes, so a
change in a number's last bit shows too. Stricter than the golden test, which keeps summaries; slower (about ten
seconds; with ``--big`` about two minutes more: matching, groups closing and the natural course at the scale where
their shortcuts act).
"""

from __future__ import annotations

import hashlib
import json
import sys

SEEDS = (20261124, 7)
WEEKS = 156
BIG = {"icb-3y": ({"population": 1_500_000}, 156), "adults300k-4y": ({"population": 300_000}, 208)}
BIG_SEED = 11


def _sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _raw(frame) -> str:
    """The hash of a frame's columns as their bytes (text columns as their values' repr)."""
    digest = hashlib.sha1()
    for name in frame.columns:
        values = frame[name].to_numpy()
        digest.update(str(name).encode())
        digest.update(repr(values.tolist()).encode() if values.dtype == object else values.tobytes())
    return digest.hexdigest()


def _hashes(model) -> dict[str, str]:
    outcomes = model.outcomes()
    in_order = outcomes.sort_values("patient")
    series = model.datacollector.get_model_vars_dataframe()
    return {
        "outcomes": _sha(in_order.to_csv(index=False, float_format="%.12g").encode()),
        "outcomes-bytes": _raw(in_order),
        "order": _sha(outcomes["patient"].to_numpy().tobytes()),
        "series": _sha(series.to_csv(float_format="%.12g").encode()),
        "series-bytes": _raw(series),
        "trajectories": _sha(repr(model.trajectories.rows()).encode()),
        "transitions": _sha(repr(sorted((str(k), v) for k, v in model.transitions.items())).encode()),
    }


def fingerprint(big: bool = False) -> dict[str, str]:
    from spsim.model import SocialPrescribingModel
    from tests.test_regression import CASES

    runs = [(f"{name}-{seed}", seed, params, policies, WEEKS) for name, (params, policies) in CASES.items()
            for seed in SEEDS]  # fmt: skip
    if big:
        runs += [(name, BIG_SEED, params, (), weeks) for name, (params, weeks) in BIG.items()]
    out = {}
    for key, seed, params, policies, weeks in runs:
        model = SocialPrescribingModel(rng=seed, policies=policies, **params)
        model.run_for(weeks)
        model.close_open_records()
        out.update({f"{key}-{what}": value for what, value in _hashes(model).items()})
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"] and len(argv) == 3:
        before, after = (json.loads(open(path).read()) for path in argv[1:])
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        print("identical" if not differ else "differ: " + ", ".join(differ))
        return 1 if differ else 0
    big = argv[:1] == ["--big"]
    if len(argv) != 1 + big or argv[-1].startswith("-"):  # (``--help``, a misspelt option: not a file to write)
        print("\n\n".join(__doc__.strip().split("\n\n")[:2]), file=sys.stderr)
        return 2
    with open(argv[-1], "w") as f:
        json.dump(fingerprint(big), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
