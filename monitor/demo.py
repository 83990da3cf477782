"""`monitor demo`: build a sample database from saved pages shipped with monitor, offline,
and show what search, entity and figures find there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .config import Config
from .console.output import Format, emit, stderr, stdout
from .console.progress import ConsoleReporter, print_entity, print_results
from .db import queries
from .db.store import open_db, set_meta
from .errors import MonitorError, UsageError
from .pipeline import Monitor

DEMO_PAGES = Path(__file__).resolve().parent / "demo_pages"


def run_demo(config: Config, db_path: Path, *, force: bool = False) -> None:
    """Build the demo database at ``db_path``. An existing file is never touched unless
    ``force`` is given, and even then only a demo database this command made is replaced."""
    if db_path.exists():
        _check_replaceable(db_path, force)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    config = config.model_copy(update={"database": str(db_path.resolve())})
    db = open_db(db_path)
    stderr.print(f"Building {db_path} from the saved pages in {DEMO_PAGES} …", markup=False,
                 highlight=False)
    try:
        set_meta(db, "made_by", "demo")
        monitor = Monitor(config, db, reporter=ConsoleReporter(stderr, verbose=True))
        summary = monitor.ingest([str(DEMO_PAGES)])
        stderr.print(f"round: {summary.line()}\n", highlight=False, markup=False)

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
    stdout.print(f"\nExplore it in your browser:  monitor serve --db {db_path}", markup=False,
                 highlight=False)



def _check_replaceable(db_path: Path, force: bool) -> None:
    """Raise unless ``db_path`` is a demo database and ``force`` was given. Read-only: the file
    is opened with ``mode=ro``, so even a refused foreign file is left byte for byte."""
    if not force:
        raise UsageError(f"{db_path} already exists; monitor demo never overwrites a file "
                         "(choose another --db, or --force to rebuild a demo database)")
    if not db_path.is_file():
        raise UsageError(f"{db_path}: not a file")
    if db_path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM monitor_meta WHERE key = 'made_by'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        row = None
    if row is None or row[0] != "demo":
        raise MonitorError(f"{db_path} is not a database made by monitor demo; --force only "
                           "replaces those (nothing was changed)")
