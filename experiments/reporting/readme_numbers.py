"""The README's numbers, written from results/ so that they are never typed by hand.

    python -m spsim.experiments.reporting.readme_numbers            # rewrite the generated blocks (make readme)
    python -m spsim.experiments.reporting.readme_numbers --check    # exit 1 if README.md is out of date

Each generated block sits between ``<!-- results:NAME -->`` and ``<!-- /results:NAME -->``; only the text between
the markers is replaced. The default comparison (``results/default/``: manifest.json, comparison.csv,
economics.csv, incremental.csv, spend.csv, replicates.csv) gives the set-up line, the headline table and the
headline in words. A missing marker or results file is one line on stderr and exit code 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .markers import replace_between
from .readme_blocks import BLOCKS, GeneratorError, Results
from ..runs.runner import atomic_write_text

# a documentation tool, like `spsim diagram`: it edits the clone's own README (the installed package has none)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
README = PROJECT_ROOT / "README.md"
RESULTS = PROJECT_ROOT / "results" / "default"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- results:{name} -->", f"<!-- /results:{name} -->"


def updated(text: str, blocks: dict[str, str], where: str) -> str:
    """``text`` with each block's markers' contents replaced; a missing marker is a GeneratorError."""
    for name, body in blocks.items():
        start, end = markers(name)
        try:
            text = replace_between(text, start, end, body)
        except ValueError as err:
            raise GeneratorError(f"{where}: {err}") from None
    return text


def render(readme: Path, results: Path) -> tuple[str, str]:
    """README's text as it is and as the results say it should be."""
    if not readme.is_file():
        raise GeneratorError(f"{readme}: missing")
    r = Results(results)
    text = readme.read_text()
    return text, updated(text, {name: block(r) for name, block in BLOCKS.items()}, readme.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="readme_numbers", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if README.md is out of date")
    parser.add_argument("--readme", type=Path, default=README, help="the document (default: the clone's README.md)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the comparison (default: results/default)")
    args = parser.parse_args(argv)
    try:
        old, new = render(args.readme, args.results)
    except (GeneratorError, KeyError, ValueError, OSError) as e:
        message = " ".join(str(e).split()) if isinstance(e, GeneratorError) else f"{type(e).__name__}: {e}"
        message = " ".join(message.split())  # one line, whatever the file held
        print(f"readme_numbers: {message}", file=sys.stderr)
        return 2
    if args.check:
        if old != new:
            print(f"readme_numbers: {args.readme.name} is out of date with {args.results} (run `make readme`)",
                  file=sys.stderr)  # fmt: skip
            return 1
        return 0
    if old != new:
        atomic_write_text(args.readme, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
