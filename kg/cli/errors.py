"""Turn painkg errors into one-line messages and exit code 2 (tracebacks on --stacktrace)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from kg.errors import KGError


def handle_errors(fmt_param: str | None = "fmt") -> Callable:
    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except KGError as exc:
                ctx = click.get_current_context()
                if ctx.find_root().params.get("stacktrace"):
                    raise
                if fmt_param and kwargs.get(fmt_param) == "json":
                    import json

                    click.echo(json.dumps({"error": {"code": exc.code, "message": str(exc)}}))
                else:
                    click.echo(f"painkg: error: {exc}", err=True)
                sys.exit(2)

        return wrapper

    return decorate
