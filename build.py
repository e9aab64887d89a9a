#!/usr/bin/env python3
"""Entry point: python build.py [build|serve|check|translated|new-draft] ... (see README.md)."""

import os
import sys

from wtpfsite.commands.cli import main

if __name__ == "__main__":
    status = main()
    # Leave without tearing the heap down object by object (a tenth of a second after a large build): every file
    # is closed and every worker process reaped by now; only the standard streams need flushing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (`| head`): nothing more can be said
            pass
    os._exit(status)
