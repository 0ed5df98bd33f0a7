"""A fingerprint of every number a run produces, to prove a restructuring pure (numbers unchanged).

    python -m tests.fingerprint before.json      # on the code before (e.g. in a git worktree)
    python -m tests.fingerprint after.json       # on the code after
    python -m tests.fingerprint --compare before.json after.json

For each regression case (tests.test_regression.CASES) and two seeds, 156 weeks: hashes of every outcome row (all
columns, economics included), the order the records were written, the weekly series, the trajectories and the
pathway transitions. Stricter than the golden test, which keeps summaries; slower (about a minute).
"""

from __future__ import annotations

import hashlib
import json
import sys

SEEDS = (20261124, 7)
WEEKS = 156


def _sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def fingerprint() -> dict[str, str]:
    from spsim.model import SocialPrescribingModel
    from tests.test_regression import CASES

    out = {}
    for name, (params, policies) in CASES.items():
        for seed in SEEDS:
            model = SocialPrescribingModel(rng=seed, policies=policies, **params)
            model.run_for(WEEKS)
            model.close_open_records()
            outcomes = model.outcomes()
            key = f"{name}-{seed}"
            out[f"{key}-outcomes"] = _sha(outcomes.sort_values("patient").to_csv(index=False, float_format="%.12g").encode())
            out[f"{key}-order"] = _sha(outcomes["patient"].to_numpy().tobytes())
            out[f"{key}-series"] = _sha(model.datacollector.get_model_vars_dataframe().to_csv(float_format="%.12g").encode())
            out[f"{key}-trajectories"] = _sha(repr(model.trajectories.rows()).encode())
            out[f"{key}-transitions"] = _sha(repr(sorted((str(k), v) for k, v in model.transitions.items())).encode())
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"] and len(argv) == 3:
        before, after = (json.loads(open(path).read()) for path in argv[1:])
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        print("identical" if not differ else "differ: " + ", ".join(differ))
        return 1 if differ else 0
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    with open(argv[0], "w") as f:
        json.dump(fingerprint(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
