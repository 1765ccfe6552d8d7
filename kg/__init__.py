"""painkg: an explainable knowledge graph of spine pain procedures and diagnoses.

    >>> import kg
    >>> kg.check("64628", ["M54.51"]).verdict      # doctest: +SKIP
    'aligned'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.question import AskResult
    from kg.model import CheckResult


def check(procedure: str, diagnoses: list[str] | str, **kwargs: Any) -> CheckResult:
    """Decide and explain whether ``procedure`` is aligned with the diagnoses."""
    from kg.checking import check as _check

    if isinstance(diagnoses, str):
        diagnoses = [diagnoses]
    return _check(procedure, diagnoses, **kwargs)


def ask(text: str, **kwargs: Any) -> AskResult:
    """Answer a question in prose: resolve its procedure and diagnoses, flag mislabels, check."""
    from kg.question import ask as _ask

    return _ask(text, **kwargs)


def screen(data: Any, **kwargs: Any) -> Any:
    """Screen claim lines (records or a DataFrame); see :func:`kg.screening.screen`."""
    from kg.screening import screen as _screen

    return _screen(data, **kwargs)
