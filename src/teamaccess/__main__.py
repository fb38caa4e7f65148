"""``python -m teamaccess``: the same command line as the ``teamaccess`` script."""

import sys

from teamaccess.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
