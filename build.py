#!/usr/bin/env python3
"""Entry point: python build.py [build|serve|check|translated|new-draft] ... (see README.md)."""

import sys

from wtpfsite.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
