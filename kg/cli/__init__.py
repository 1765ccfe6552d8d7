"""The `painkg` command: a thin click root; each command lives in its own module.

Exit codes: 0 aligned / ok, 1 answered but not aligned (or a check failed),
2 input, usage or system error.
"""

from __future__ import annotations

import click

from kg import __version__
from kg.cli.check import check
from kg.cli.lookup import lookup
from kg.cli.query import query, sparql
from kg.cli.suggest import suggest
from kg.cli.validate import reason, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="painkg")
@click.option("--stacktrace", is_flag=True, help="Show a full traceback on errors.")
def main(stacktrace: bool) -> None:
    """painkg: is this procedure aligned with (and medically necessary for) this diagnosis?

    Exit codes: 0 aligned/ok, 1 answered but not aligned, 2 input or usage error.
    """


main.add_command(check)
main.add_command(lookup)
main.add_command(suggest)
main.add_command(query)
main.add_command(sparql)
main.add_command(validate)
main.add_command(reason)
