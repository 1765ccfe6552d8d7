"""The `painkg` command: a thin click root; each command lives in its own module.

Commands are imported only when they run (a lazy group), so `painkg check`
pays for nothing but the check path.

Exit codes: 0 aligned / ok, 1 answered but not aligned (or a check failed),
2 input, usage or system error.
"""

from __future__ import annotations

import importlib

import click

from kg import __version__

# command name -> "module:attribute"; add a command by adding a line here.
COMMANDS = {
    "check": "kg.cli.check:check",
    "ask": "kg.cli.ask:ask",
    "lookup": "kg.cli.lookup:lookup",
    "suggest": "kg.cli.suggest:suggest",
    "query": "kg.cli.query:query",
    "sparql": "kg.cli.query:sparql",
    "validate": "kg.cli.validate:validate",
    "reason": "kg.cli.validate:reason",
    "explain": "kg.cli.explain:explain",
    "docs": "kg.cli.docs:docs",
    "screen": "kg.cli.screen:screen",
    "export": "kg.cli.export:export",
    "serve": "kg.cli.serve:serve",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="painkg")
@click.option("--stacktrace", is_flag=True, help="Show a full traceback on errors.")
@click.option("--endpoint", metavar="URL", envvar="PAINKG_ENDPOINT",
              help="Answer check/lookup/suggest/query from this SPARQL 1.1 endpoint instead of the embedded store.")
@click.pass_context
def main(ctx: click.Context, stacktrace: bool, endpoint: str | None) -> None:
    """painkg: is this procedure aligned with (and medically necessary for) this diagnosis?

    Exit codes: 0 aligned/ok, 1 answered but not aligned, 2 input or usage error.
    """
    ctx.obj = {"endpoint": endpoint}
