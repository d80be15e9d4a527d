"""``python -m glassnet``: the same as the ``glassnet`` command (see :mod:`glassnet.cli`)."""

import sys


def _main() -> int:
    """Import the command line and run it. A Ctrl-C while it is still importing (its
    modules, argparse) is the one line and the status 130 a Ctrl-C during a command gets,
    not a traceback. (The package ``glassnet`` itself, NumPy with it, is imported before
    this module runs: ``python -m`` imports a package before its ``__main__``.)"""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("glassnet: error: interrupted\n")
        sys.stderr.flush()
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(_main())
