"""`painkg screen INPUT [-o OUTPUT]`: screen a file of claim lines."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import click

from kg.cli.errors import handle_errors

FORMATS = ["csv", "tsv", "jsonl", "parquet"]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the temporary output file is removed


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", "output_path", default="-", show_default=True,
              help="Output file (.csv, .tsv, .jsonl, .parquet) or - for standard output.")
@click.option("--input-format", type=click.Choice(FORMATS), help="Override the input extension.")
@click.option("--output-format", type=click.Choice(FORMATS), help="Override the output extension.")
@click.option("--claim-col", default="claim_id", show_default=True)
@click.option("--line-col", default="line", show_default=True)
@click.option("--procedure-col", default="procedure", show_default=True)
@click.option("--dx-prefix", default="dx", show_default=True, help="Diagnosis pointers PREFIX1..PREFIX12.")
@click.option("--diagnoses-col", default="diagnoses", show_default=True,
              help="A single column of diagnoses separated by --dx-separator.")
@click.option("--dx-separator", default=";", show_default=True)
@click.option("--date-col", default="date_of_service", show_default=True)
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False), help="Write the summary as JSON.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write an HTML report.")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when any row has an error.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard error.")
@click.option("--chunk-size", default=20_000, show_default=True, hidden=True, type=click.IntRange(1))
@handle_errors(fmt_param=None)
def screen(input_path: str, output_path: str, input_format: str | None, output_format: str | None,
           claim_col: str, line_col: str, procedure_col: str, dx_prefix: str, diagnoses_col: str,
           dx_separator: str, date_col: str, summary_path: str | None, report_path: str | None,
           fail_on_error: bool, quiet: bool, chunk_size: int) -> None:
    """Screen claim lines: every row gains verdict, necessity, mechanism, reason, flags, error.

    INPUT is CSV, TSV, JSONL or Parquet (by extension or --input-format), or - for standard
    input. Columns: claim_id, line, procedure, dx1..dx12 (or diagnoses separated by ;),
    date_of_service. Rows of one claim must be consecutive for Excludes1 checks.

    Exit code 0 when every row was processed (even with row errors), 1 with --fail-on-error
    and a row error, 2 for an unusable input (missing columns, unreadable).
    """
    from kg.screening import ColumnMap, screen_file
    from kg.screening.report import html_report

    signal.signal(signal.SIGTERM, _terminate)
    columns = ColumnMap(claim_id=claim_col, line=line_col, procedure=procedure_col, dx_prefix=dx_prefix,
                        diagnoses=diagnoses_col, date_of_service=date_col, separator=dx_separator)
    try:
        summary = screen_file(input_path, output_path, input_format=input_format,
                              output_format=output_format, column_map=columns, chunk_size=chunk_size)
    except KeyboardInterrupt:
        click.echo("\npainkg: interrupted; no output file was written", err=True)
        sys.exit(130)
    if summary_path:
        Path(summary_path).write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")
    if report_path:
        Path(report_path).write_text(html_report(summary, input_path), encoding="utf-8")
    if not quiet:
        click.echo(summary.text(), err=True)
    if fail_on_error and summary.rows_with_errors:
        sys.exit(1)
