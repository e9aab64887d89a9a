#!/usr/bin/env python3
"""Entry point: python build.py [build|serve|check|translated|new-draft] ... (see README.md)."""

import importlib.util
import os
import sys

# The modules of the pinned dependencies (pyproject.toml), looked for before any of the package's modules is
# imported: without them, the editor needs to be told to install them (a usage error), not shown a bug.
DEPENDENCIES = {"jinja2": "jinja2", "markdown_it": "markdown-it-py", "mdit_py_plugins": "mdit-py-plugins",
                "yaml": "pyyaml", "watchfiles": "watchfiles", "babel": "babel", "icalendar": "icalendar"}
EXIT_USAGE = 2


def missing_dependencies() -> list[str]:
    """The distributions of the dependencies that cannot be imported by this Python."""
    return [name for module, name in DEPENDENCIES.items() if importlib.util.find_spec(module) is None]


def explain_missing(missing: list[str]) -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    venv_python = os.path.join(here, ".venv", "bin", "python")
    use = (f"run it with the virtual environment's Python: {os.path.relpath(venv_python)} build.py ..."
           if os.path.exists(venv_python) else
           "run `make build` once (it creates .venv/ with the pinned dependencies), then use .venv/bin/python "
           "build.py ...")
    return (f"build.py: error: this Python ({sys.executable}) lacks the generator's dependencies: "
            f"{', '.join(missing)}.\n{use}\n(or install them into this Python: {sys.executable} -m pip install "
            f"-e .)")


if __name__ == "__main__":
    missing = missing_dependencies()
    if missing:
        print(explain_missing(missing), file=sys.stderr)
        sys.exit(EXIT_USAGE)
    from wtpfsite.commands.cli import main

    status = main()
    # Leave without tearing the heap down object by object (a tenth of a second after a large build): every file
    # is closed and every worker process reaped by now; only the standard streams need flushing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (`| head`): nothing more can be said
            pass
    os._exit(status)
