"""`ask`: answer a question written in prose ("Is BVNA medically necessary for M54.51?").

Reads the codes and names in the question (parse, lexicon, resolve), checks the user's
descriptions of the codes against the graph (mislabel), then runs `check` (answer).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from kg.ask.answer import AskResult, ask

__all__ = ["AskResult", "ask"]


class _CallablePackage(types.ModuleType):
    """Importing this package makes Python bind it to the attribute ``kg.ask``, which would hide
    the top-level function ``kg.ask(text)``; calling the package answers the question instead."""

    def __call__(self, text: str, **kwargs: Any) -> AskResult:
        return ask(text, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
