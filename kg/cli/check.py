"""`painkg check PROCEDURE DIAGNOSIS [DIAGNOSIS...]`."""

from __future__ import annotations

import sys

import click

from kg.cli.errors import handle_errors
from kg.cli.options import current_kg, format_option


@click.command()
@click.argument("procedure")
@click.argument("diagnoses", nargs=-1, required=True)
@format_option
@handle_errors()
def check(procedure: str, diagnoses: tuple[str, ...], fmt: str) -> None:
    """Is PROCEDURE (CPT/HCPCS) aligned with the DIAGNOSES (ICD-10-CM)?

    Exit code 0 when aligned, 1 when answered but not aligned, 2 on bad input.
    """
    from kg.checking import check as run_check
    from kg.render import check_text

    result = run_check(procedure, list(diagnoses), kg=current_kg())
    if fmt == "json":
        import json  # only for --format json: off the default start-up path

        data = result.to_dict()
        data["procedure"].pop("iri", None)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(check_text(result))
    sys.exit(result.exit_code)
