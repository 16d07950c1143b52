"""``python -m bench``: csdesk against the raw baseline on seeded databases (see bench.cli)."""

import sys

from bench.cli import main

sys.exit(main())
