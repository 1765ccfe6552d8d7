"""Input errors of `ask` (exit code 2, one line naming the fix)."""

from __future__ import annotations

from kg.errors import InputError


class AmbiguousQuestionError(InputError):
    """The question names several candidates and nothing in it decides among them."""

    code = "ambiguous-question"


class UnrecognisedQuestionError(InputError):
    """The question names no procedure or no diagnosis that painkg can resolve."""

    code = "unrecognised-question"
