"""The version, in one place: the package metadata reads it from here (pyproject's dynamic version)."""

__version__ = "0.3.0.dev0"
