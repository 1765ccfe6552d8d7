"""painkg's exceptions. Each carries a one-line message that names the problem and a fix."""

from __future__ import annotations


class KGError(Exception):
    """Base class; ``code`` is a stable machine-readable identifier."""

    code = "error"


class InputError(KGError):
    """Bad user input (exit code 2)."""

    code = "invalid-input"


class MalformedCodeError(InputError):
    code = "malformed-code"


class UnknownCodeError(InputError):
    code = "unknown-code"


class NonBillableCodeError(InputError):
    code = "non-billable-code"


class UnknownProcedureError(InputError):
    code = "unknown-procedure"


class UnknownQueryError(InputError):
    code = "unknown-query"


class BackendError(KGError):
    """The store or a remote endpoint failed (exit code 2)."""

    code = "backend-error"
