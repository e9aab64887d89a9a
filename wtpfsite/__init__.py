"""wtpfsite: the static-site generator for the WTPF-21 Informal Expert Group pages."""

__version__ = "0.1.0"
