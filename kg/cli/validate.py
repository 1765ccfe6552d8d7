"""`painkg validate` and `painkg reason`."""

from __future__ import annotations

import sys

import click

from kg.cli.errors import handle_errors


@click.command()
@click.option("--fail-on", type=click.Choice(["ERROR", "WARN", "none"]), default="ERROR", show_default=True)
@click.option("--no-owl", is_flag=True, help="Skip the HermiT consistency check (needs Java).")
@handle_errors(fmt_param=None)
def validate(fail_on: str, no_owl: bool) -> None:
    """SHACL shapes, OWL consistency (HermiT) and QC queries; exit 1 at or above --fail-on."""
    from kg.qc import run_qc, severity_at_least
    from kg.validate import shacl_report

    failed = False
    shacl = shacl_report()
    for r in shacl.results:
        click.echo(f"SHACL {r['severity']}\t{r['focus']}\t{r['path']}\t{r['message']}")
    failed |= not shacl.conforms
    if fail_on == "WARN" and shacl.warnings():
        failed = True
    if not no_owl:
        from kg.reasoning import reason

        owl = reason()
        click.echo(f"OWL consistent={owl.consistent} unsatisfiable={len(owl.unsatisfiable)} ({owl.seconds:.1f} s)")
        for row in owl.explanation + owl.unsatisfiable:
            click.echo(f"OWL ERROR\t{row['entity']}\t{row['property']}\t{row['value']}")
        failed |= not owl.coherent
    rows = run_qc()
    for row in rows:
        click.echo(f"QC {row.severity}\t{row.query}\t{row.entity}\t{row.property}\t{row.value}")
    if fail_on != "none" and severity_at_least(rows, fail_on):
        failed = True
    click.echo("validation failed" if failed else "validation passed")
    sys.exit(1 if failed else 0)


@click.command()
@click.option("--write/--no-write", default=True, show_default=True,
              help="Write the inferred triples to ontology/inferred/owl-inferred.ttl.")
@handle_errors(fmt_param=None)
def reason(write: bool) -> None:
    """Run HermiT over the TBox and curated ABox; report consistency and classification."""
    from kg.reasoning import reason as run, write_inferred

    result = run()
    click.echo(f"consistent: {result.consistent}  ({result.seconds:.1f} s, {result.input_triples} input triples)")
    for row in result.explanation + result.unsatisfiable:
        click.echo(f"{row['entity']}\t{row['property']}\t{row['value']}")
    click.echo(f"inferred triples: {len(result.inferred)}")
    if write and result.consistent:
        click.echo(f"wrote {write_inferred(result=result)}")
    sys.exit(0 if result.coherent else 1)
