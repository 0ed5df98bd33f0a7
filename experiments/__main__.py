"""`python -m spsim.experiments` is the `spsim` command."""

import sys

from .cli import main

sys.exit(main())
