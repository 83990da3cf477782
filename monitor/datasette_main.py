"""Entry point for `monitor serve`'s Datasette process: Datasette's own CLI, with the
error-page workaround from :func:`monitor.serve.quiet_datasette_errors` applied and monitor's
plugin (:mod:`monitor.web`: dashboard, links, readable cells, SQL functions) loaded first."""

from datasette.cli import cli

from monitor.serve import quiet_datasette_errors, register_plugin

if __name__ == "__main__":
    quiet_datasette_errors()
    register_plugin()
    cli()
