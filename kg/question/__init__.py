"""`ask`: answer a question written in prose ("Is BVNA medically necessary for M54.51?").

Reads the codes and names in the question (parse, lexicon, resolve), checks the user's
descriptions of the codes against the graph (mislabel), then runs `check` (answer).
The package is named ``question`` so that it never hides the top-level function ``kg.ask``.
"""

from __future__ import annotations

from kg.question.answer import AskResult, ask

__all__ = ["AskResult", "ask"]
