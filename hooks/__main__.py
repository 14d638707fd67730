"""``python -m retrigger.hooks NAME``: the same as ``retrigger-hook NAME``."""

import sys

from retrigger.hooks.main import main

sys.exit(main())
