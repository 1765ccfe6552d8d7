"""Storage backends behind one interface (see :mod:`kg.backends.base`)."""

from kg.backends.base import Backend, Result, Row, Term

__all__ = ["Backend", "Result", "Row", "Term"]
