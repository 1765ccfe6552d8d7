"""`ask`: answer a question written in prose ("Is BVNA medically necessary for M54.51?").

Reads the codes and names in the question (parse, lexicon, resolve), checks the user's
descriptions of the codes against the graph (mislabel), then runs `check` (answer).
"""

from __future__ import annotations

from kg.ask.answer import AskResult, ask

__all__ = ["AskResult", "ask"]
