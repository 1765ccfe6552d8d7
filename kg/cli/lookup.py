"""`painkg lookup CODE`."""

from __future__ import annotations

import json

import click

from kg.cli.errors import handle_errors
from kg.cli.options import current_kg, format_option


@click.command()
@click.argument("code", required=False)
@click.option("--procedures", "list_procedures", is_flag=True, help="List every procedure code.")
@format_option
@handle_errors()
def lookup(code: str | None, list_procedures: bool, fmt: str) -> None:
    """Everything the graph knows about an ICD-10-CM or CPT/HCPCS CODE."""
    from kg import lookup as api

    kg = current_kg()
    if list_procedures or not code:
        rows = api.procedures(kg)
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
        else:
            for r in rows:
                click.echo(f"{r['code']}\t{r['label']}\t({r['familyLabel']})")
        return
    info = api.lookup(code, kg)
    if fmt == "json":
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    for key, value in info.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for k, v in value.items():
                click.echo(f"  {k}: {', '.join(v)}")
        elif isinstance(value, list):
            click.echo(f"{key}:")
            for item in value:
                click.echo(f"  - {item if not isinstance(item, dict) else item['kind'] + ': ' + item['text'] + ' [' + item['source'] + ']'}")
        else:
            click.echo(f"{key}: {value}")
