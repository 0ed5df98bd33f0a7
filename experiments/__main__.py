"""`python -m spsim.experiments` is the `spsim` command."""

import sys

from spsim.experiments.cli import main

sys.exit(main())
