"""Entry point for `monitor serve`'s Datasette process: Datasette's own CLI, with the
error-page workaround from :func:`monitor.web.serve.quiet_datasette_errors` applied and monitor's
plugin (:mod:`monitor.web`: dashboard, links, readable cells, SQL functions) loaded first.

`monitor serve` checks the database before starting this process, so Datasette should not
fail to start; if it still does, the reason is printed as one line (Datasette's CLI installs
rich's traceback printer, which would print hundreds), and the exit code is 1."""

import sys

import click
from datasette.cli import cli

from monitor.web.serve import quiet_datasette_errors, register_plugin


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    quiet_datasette_errors()
    register_plugin()
    try:
        cli(standalone_mode=False)
    except click.ClickException as exc:  # Datasette's own checks, e.g. check_databases
        print(f"error: {_one_line(exc.format_message())}", file=sys.stderr)
        sys.exit(1)
    except click.Abort:
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        print(f"error: Datasette stopped: {type(exc).__name__}: {_one_line(str(exc))}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
