"""`painkg explain PROCEDURE DIAGNOSIS --format svg|png|html|dot [-o FILE]`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.errors import handle_errors

FORMATS = ("svg", "png", "html", "dot")


@click.command()
@click.argument("procedure")
@click.argument("diagnosis")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Picture format (default: from the -o suffix, else svg).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@handle_errors(fmt_param=None)
def explain(procedure: str, diagnosis: str, fmt: str | None, output: Path | None) -> None:
    """Draw the reasoning behind `painkg check PROCEDURE DIAGNOSIS`.

    The diagnosis, its mechanism, the pain generator, the innervating nerve, the
    procedure's target and the procedure, coloured by kind with labelled edges. For a
    misaligned pair both chains are drawn side by side and the point where they
    diverge is highlighted. HTML is a self-contained page that works offline.
    Exit code 0 when the picture is written, 2 on bad input.
    """
    from kg.explain import explain as draw

    if fmt is None:
        suffix = output.suffix.lstrip(".").lower() if output else ""
        fmt = suffix if suffix in FORMATS else "svg"
    if fmt == "png" and output is None and click.get_text_stream("stdout").isatty():
        raise click.UsageError("PNG is binary: give -o FILE.png (or redirect standard output)")
    picture = draw(procedure, diagnosis, fmt)
    if output is not None:
        if isinstance(picture, bytes):
            output.write_bytes(picture)
        else:
            output.write_text(picture, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    elif isinstance(picture, bytes):
        click.get_binary_stream("stdout").write(picture)
    else:
        click.echo(picture, nl=False)
