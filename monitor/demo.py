"""`monitor demo`: build a sample database from saved pages shipped with monitor, offline,
and show what search, entity and figures find there."""

from __future__ import annotations

from pathlib import Path

from . import queries
from .config import Config
from .output import Format, emit, stderr, stdout
from .pipeline import Monitor
from .progress import ConsoleReporter, print_entity, print_results
from .store import open_db

DEMO_PAGES = Path(__file__).resolve().parent / "demo_pages"


def run_demo(config: Config, db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    config = config.model_copy(update={"database": str(db_path.resolve())})
    stderr.print(f"Building {db_path} from the saved pages in {DEMO_PAGES} …")
    db = open_db(db_path)
    try:
        monitor = Monitor(config, db, reporter=ConsoleReporter(stderr, verbose=True))
        summary = monitor.ingest([str(DEMO_PAGES)])
        stderr.print(f"round: {summary.line()}\n", highlight=False)

        stdout.rule('monitor search "fernandez de cossio"')
        print_results(stdout, queries.search(db, "fernandez de cossio", limit=5))
        stdout.rule("monitor entity COSSIO")
        print_entity(stdout, queries.entity(db, "COSSIO", limit=5))
        stdout.rule("monitor entities --kind agency")
        emit(queries.entities(db, kind="agency", limit=10), ["name", "kind", "mentions"],
             Format.table)
        stdout.rule("monitor figures")
        emit(queries.figures(db, limit=10), ["text", "what", "when"], Format.table)
    finally:
        db.close()
    stdout.print(f"\nExplore it in your browser:  monitor serve --db {db_path}")

