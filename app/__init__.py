#: Bifoga's version: the one place it is written (pyproject.toml reads it from here; the
#: About box and the changelog's top section show it).
__version__ = "0.2.0"
