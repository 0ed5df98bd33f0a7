"""The project's own files, for the tools that rewrite them: `spsim diagram` and `spsim evidence` (the documents,
kept in step with the code) and `spsim calibrate` (the project's calibration, seeds/calibrated.toml).

Those files (README.md, docs/model.md, seeds/EVIDENCE.md, seeds/calibrated.toml) belong to a clone of the project:
an installed copy has no README or ODD to edit, and its package data must not be rewritten behind pip's back
(for calibrate, that would change every user's defaults). So outside a clone these tools refuse in one line
instead of crashing or editing the installed package."""

from __future__ import annotations

from pathlib import Path

# this file is in <clone>/experiments/reporting/ (an editable install runs it there too); an installed copy has it
# in <site-packages>/spsim/experiments/reporting/, two floors below a folder that is not a clone
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def refusal(command: str, what: str = "the project's own documents") -> str | None:
    """None in a clone of the project (pyproject.toml beside model/ and seeds/); else the one line to print."""
    root = PROJECT_ROOT
    if (root / "pyproject.toml").is_file() and (root / "model").is_dir() and (root / "seeds").is_dir():
        return None
    return (f"spsim {command}: rewrites {what}, so it runs only in a clone of the project "
            f"(this is an installed copy, in {root})")  # fmt: skip
