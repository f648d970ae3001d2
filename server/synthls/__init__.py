"""synthls: synthesize Python function bodies from docstrings, verified against their examples."""

__version__ = "0.1.0"
