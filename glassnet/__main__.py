"""``python -m glassnet``: the same as the ``glassnet`` command (see :mod:`glassnet.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
