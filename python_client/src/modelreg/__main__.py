"""``python -m modelreg`` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
