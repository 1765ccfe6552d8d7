"""`painkg ask "QUESTION"`: answer a question written in prose."""

from __future__ import annotations

import json
import sys

import click

from kg.cli.errors import handle_errors
from kg.cli.options import format_option


@click.command()
@click.argument("question", nargs=-1, required=True)
@format_option
@handle_errors()
def ask(question: tuple[str, ...], fmt: str) -> None:
    """Answer QUESTION, e.g. "Is Intracept medically necessary for M54.51?".

    Recognises CPT/HCPCS and ICD-10-CM codes, procedure names, acronyms and brands, spinal
    regions and levels; warns when a description attached to a code contradicts the code;
    then prints the full `check` answer. Exit codes as for `check` (0 aligned, 1 not aligned,
    2 unrecognised or ambiguous question).
    """
    from kg.question import ask as run_ask

    result = run_ask(" ".join(question))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.text())
    sys.exit(result.exit_code)
