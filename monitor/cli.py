"""The `monitor` command line: parse, open, call the library, print. No logic lives here."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.text import Text

from . import __version__
from .config import Config, load_config, parse_duration
from .console.output import Format, emit, emit_json, pick_format, safe, shown, stderr, stdout
from .db import queries
from .db.lock import RoundBusy
from .errors import ConfigError, MonitorError, NotFoundError, UsageError

app = typer.Typer(
    help="Monitor US–Cuba news: poll feeds, extract clean article text, tag officials, "
    "agencies and figures, and keep it all in one searchable SQLite file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Config file "
                      "(default: $MONITOR_CONFIG, else ./config.yaml).", show_default=False)]
# readable=False: whether the file can be opened is open_db's to say, in one line.
DbOpt = Annotated[Path | None, typer.Option("--db", help="SQLite database (overrides "
                  "`database` in the config and $MONITOR_DB).", show_default=False,
                  readable=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N records.")]

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(fn: F) -> F:
    """Turn the library's named exceptions into one line on stderr and the contract's codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ConfigError, UsageError) as exc:
            stderr.print(_labelled("error:", exc), highlight=False)
            raise typer.Exit(2) from None
        except NotFoundError as exc:
            stderr.print(_labelled("not found:", exc), highlight=False)
            raise typer.Exit(1) from None
        except MonitorError as exc:
            stderr.print(_labelled("error:", exc), highlight=False)
            raise typer.Exit(1) from None
        except sqlite3.Error as exc:  # disk full, read-only file, locked past the timeout
            stderr.print(_labelled("database error:", exc), highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _message(exc: BaseException) -> str:
    """An exception's message made safe for the terminal (it may quote feed titles, URLs or
    arguments); never raises, even for an exception whose ``str()`` does."""
    try:
        return safe(exc)
    except Exception:  # noqa: BLE001 - a message we cannot even read
        return f"(unprintable {type(exc).__name__})"


def _labelled(label: str, exc: BaseException | str, style: str = "red") -> Text:
    """``label`` in our style, then the message as plain text: never parsed as markup."""
    message = _message(exc) if isinstance(exc, BaseException) else safe(exc)
    return Text.assemble((label, style), " ", message)


def _config(config: Path | None, db: Path | None, *, required: bool = True) -> Config:
    return load_config(config, db=str(db) if db else None, required=required)


@contextmanager
def _database(cfg: Config, *, create: bool = True, write: bool | None = None
              ) -> Iterator[Any]:
    from .db.store import open_db

    db = open_db(cfg.database_path, create=create, write=write)
    try:
        yield db
    finally:
        db.close()


def _read_db(config: Path | None, db: Path | None) -> Any:
    """Commands that only read: a config file is optional, the database must exist."""
    cfg = _config(config, db, required=False)
    return _database(cfg, create=False)


# --- fetching and storing --------------------------------------------------------------------


def _reporter(verbose: bool) -> Any:
    from .console.progress import ConsoleReporter

    return ConsoleReporter(stderr, verbose=verbose)


@app.command()
@handle_errors
def poll(
    config: ConfigOpt = None,
    db: DbOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Poll every feed now, due or not.")]
    = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="A line per article.")]
    = False,
) -> None:
    """One polling round: due feeds, new articles fetched, extracted, filtered, tagged, stored."""
    from .pipeline import Monitor

    cfg = _config(config, db)
    reporter = _reporter(verbose)
    with _database(cfg) as database, _stop_on_signals() as stop:
        monitor = Monitor(cfg, database, reporter=reporter, stop=stop)
        try:
            summary = monitor.poll(force=force)
            hint = monitor.stale_hint()
        except RoundBusy as exc:
            stderr.print(Text(_message(exc)), highlight=False)
            return
        finally:
            monitor.close()
    reporter.summary(summary)
    if hint:
        stderr.print(_labelled("note:", hint, "yellow"), highlight=False)


@app.command()
@handle_errors
def run(
    config: ConfigOpt = None,
    db: DbOpt = None,
    every: Annotated[str | None, typer.Option("--every", help="Round interval, e.g. 15m "
                     "(default: poll.interval from the config).", show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="A line per article.")]
    = False,
) -> None:
    """Poll on a schedule in the foreground; the first round starts at once. Ctrl-C stops."""
    from .runner import run_forever

    cfg = _config(config, db)
    if every:
        try:
            seconds = parse_duration(every)
        except ValueError as exc:
            raise UsageError(f"--every: {exc}") from None
        if seconds < 60:
            raise UsageError("--every: at least 1m (more often is impolite to every feed)")
        cfg = cfg.model_copy(update={"poll": cfg.poll.model_copy(update={"interval": seconds})})
    reporter = _reporter(verbose)
    with _database(cfg) as database, _stop_on_signals() as stop:
        run_forever(cfg, database, reporter=reporter, stop=stop)
    stderr.print("stopped")


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set an event the pipeline checks between articles; a second one kills."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            os._exit(130)
        stderr.print(f"[yellow]{signal.Signals(signum).name}: finishing the current "
                     "article, then stopping[/]")
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@app.command()
@handle_errors
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Saved HTML files, folders of them, or "
                                                 "article URLs.", show_default=False)],
    config: ConfigOpt = None,
    db: DbOpt = None,
    all_topics: Annotated[bool, typer.Option("--all", help="Keep pages even if off topic.")]
    = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="A line per article.")]
    = True,
) -> None:
    """Store saved pages or article URLs as `poll` does for feed items."""
    from .pipeline import Monitor

    cfg = _config(config, db, required=False)
    reporter = _reporter(verbose)
    with _database(cfg) as database, _stop_on_signals() as stop:
        monitor = Monitor(cfg, database, reporter=reporter, stop=stop)
        try:
            summary = monitor.ingest(sources, topic_filter=not all_topics)
        finally:
            monitor.close()
    reporter.summary(summary)


@app.command()
@handle_errors
def extract(
    sources: Annotated[list[str], typer.Argument(help="Saved HTML files or URLs.",
                                                 show_default=False)],
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the clean text and metadata of pages, storing nothing (no topic filter).

    When the database exists, the site furniture it has learned is removed too, exactly as
    `poll` would."""
    from .extract_cmd import extract_sources

    cfg = _config(config, db, required=False)
    results = extract_sources(cfg, sources)
    failed = [item for item in results if item.get("error")]
    for item in failed:
        stderr.print(_labelled("error:", item["error"]), highlight=False)
    if as_json:
        emit_json(results)
        if failed:
            raise typer.Exit(1)
        return
    for item in results:
        stdout.rule(shown(item["title"] or item["url"] or "", style="rule.text"))
        for key in ("url", "published", "author", "site_name", "language"):
            if item.get(key):
                stdout.print(Text.assemble((f"{key}:", "bold"), " ", safe(item[key])),
                             highlight=False)
        stdout.print()
        stdout.print(Text(safe(item["text"], newlines=True) or "(no article text found)"),
                     highlight=False)
        stdout.print()
    if failed:
        raise typer.Exit(1)


@app.command()
@handle_errors
def retag(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Re-run the NLP over stored text after a model or pattern change (no refetching)."""
    from .pipeline import Monitor

    cfg = _config(config, db, required=False)
    with _database(cfg, create=False, write=True) as database, _stop_on_signals() as stop:
        monitor = Monitor(cfg, database, reporter=_reporter(False), stop=stop)
        count = monitor.retag()
    stderr.print(f"re-tagged {count} articles with {monitor.tagger.name}")


# --- reading ---------------------------------------------------------------------------------


@app.command()
@handle_errors
def search(
    query: Annotated[str, typer.Argument(help="Words, a name, or an alias.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    limit: LimitOpt = 20,
    since: Annotated[str | None, typer.Option("--since", help="Only articles published "
                     "since a date (2024-03-01), a month (2024-03), an age (7d, 24h, 2w), "
                     "'this week', 'this month' or 'all'.")] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Articles matching the words or the entity; accent-, case- and alias-insensitive."""
    fmt = pick_format(as_json, as_csv)
    with _read_db(config, db) as database:
        rows = queries.search(database, query, limit=limit, since=since)
    if fmt is Format.table:
        from .console.progress import print_results

        print_results(stdout, rows)
        return
    emit(rows, ["url", "title", "source", "published", "snippet", "score"], fmt)


@app.command()
@handle_errors
def show(
    url: Annotated[str, typer.Argument(help="The article's URL (any URL it was seen under).")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One stored article with its entities and figures."""
    with _read_db(config, db) as database:
        article = queries.show(database, url)
    if as_json:
        emit_json(article)
        return
    from .console.progress import print_article

    print_article(stdout, article)


@app.command()
@handle_errors
def entity(
    name: Annotated[str, typer.Argument(help="Any alias, spelling or accent variant, or a "
                                        "surname that identifies it alone.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
) -> None:
    """One entity: canonical name, kind, aliases, titles and the articles that mention it."""
    with _read_db(config, db) as database:
        found = queries.entity(database, name, limit=limit)
    if as_json:
        emit_json(found)
        return
    from .console.progress import print_entity

    print_entity(stdout, found)


@app.command()
@handle_errors
def entities(
    config: ConfigOpt = None,
    db: DbOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="official, person, agency, "
                    "organization, place, group or other.")] = None,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Entities by the number of articles that mention them."""
    from .db.migrations import KINDS

    if kind and kind not in KINDS:
        raise UsageError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    fmt = pick_format(as_json, as_csv)
    with _read_db(config, db) as database:
        rows = queries.entities(database, kind=kind, limit=limit)
    emit(rows, ["name", "label", "kind", "mentions"], fmt)


@app.command()
@handle_errors
def figures(
    query: Annotated[str | None, typer.Argument(help="Only figures whose sentence or counted "
                                                "object has these words.")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Figures found in articles: value, what it counts, when, and the sentence."""
    fmt = pick_format(as_json, as_csv)
    with _read_db(config, db) as database:
        rows = queries.figures(database, query, limit=limit)
    emit(rows, ["value", "text", "what", "when", "sentence", "url"], fmt,
         table_columns=["text", "what", "when", "sentence"])


@app.command()
@handle_errors
def feeds(
    config: ConfigOpt = None,
    db: DbOpt = None,
    limit: LimitOpt = 100,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Feed health: last status, consecutive errors, last error, last and next poll."""
    fmt = pick_format(as_json, as_csv)
    with _read_db(config, db) as database:
        rows = queries.feeds(database, limit=limit)
    if fmt is Format.table:  # a feed that never answered has no title yet: show its URL
        rows = [{**row, "name": row["name"] or row["url"]} for row in rows]
    emit(rows, ["url", "name", "last_status", "error_count", "last_error", "last_polled_at",
                "next_poll_at"], fmt,
         table_columns=["name", "last_status", "error_count", "last_error", "last_polled_at",
                        "next_poll_at"])


@app.command()
@handle_errors
def serve(
    config: ConfigOpt = None,
    db: DbOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface (default 127.0.0.1).",
                    show_default=False)] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8001).",
                    show_default=False)] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the dashboard in your "
                            "web browser once the server is up.")] = False,
) -> None:
    """Browse the database in Datasette, read-only: dashboard, canned queries, charts."""
    from .web.serve import serve_datasette

    cfg = _config(config, db, required=False)
    try:  # an older database is upgraded first (the canned queries read `stories`)
        with _database(cfg, create=False, write=False):
            pass
    except NotFoundError:
        raise
    except MonitorError:
        pass  # read-only, odd or foreign: serve_datasette says in one line what it can serve
    raise typer.Exit(serve_datasette(cfg, host=host or cfg.serve.host,
                                     port=port or cfg.serve.port, open_browser=open_browser))


@app.command()
@handle_errors
def report(
    config: ConfigOpt = None,
    db: DbOpt = None,
    since: Annotated[str, typer.Option("--since", help="Start of the period: an age (7d, 2w), "
                     "a date (2024-03-01), a month (2024-03), 'this week', 'this month' or "
                     "'all'.")] = "7d",
    html: Annotated[Path | None, typer.Option("--html", help="Write one self-contained HTML "
                    "file here instead of printing text.", show_default=False)] = None,
    limit: LimitOpt = 15,
    as_json: JsonOpt = False,
) -> None:
    """A weekly brief: top officials with titles, new entities, new figures with their
    sentences, articles per source."""
    from .console import report as briefing

    with _read_db(config, db) as database:
        data = briefing.brief(database, since=since, limit=limit)
    if html is not None:
        html.write_text(briefing.render_html(data), encoding="utf-8")
        stderr.print(Text(f"wrote {safe(html)}"), highlight=False)
    elif as_json:
        emit_json(data)
    else:
        sys.stdout.write(briefing.render_text(data))


@app.command()
@handle_errors
def demo(
    db: Annotated[Path, typer.Option("--db", help="Where to build the demo database.")]
    = Path("demo.db"),
    config: ConfigOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild the file if it is a demo "
                     "database made by this command (never any other file).")] = False,
) -> None:
    """Build a sample database from saved news pages shipped with monitor (offline) and tour it.

    An existing file is left alone: pass --force to rebuild an earlier demo database."""
    from .demo import run_demo

    cfg = _config(config, None, required=False)
    run_demo(cfg, db, force=force)


def version_callback(value: bool) -> None:
    if value:
        stdout.print(f"monitor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Print the version.")] = False,
) -> None:
    """Monitor US–Cuba news."""


def _last_words(label: str, message: str = "", style: str = "") -> None:
    """The last line of a failed run on stderr, through rich if it can, else written plainly;
    never raises."""
    try:
        stderr.print(Text.assemble((label, style), " " if message else "", message),
                     highlight=False)
        return
    except Exception:  # noqa: BLE001 - the console itself failed: write the line plainly
        pass
    line = f"{label} {message}".rstrip() + "\n"
    for text in (line, line.encode("ascii", "backslashreplace").decode("ascii")):
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
            return
        except Exception:  # noqa: BLE001, S112 - nothing left to tell the user with
            continue


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _last_words("interrupted")
        sys.exit(130)
    except MonitorError as exc:  # raised outside a command (should not happen)
        _last_words("error:", _message(exc))
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last guard: no traceback reaches the user
        if os.environ.get("MONITOR_DEBUG"):
            raise
        _last_words("internal error:", f"{safe(type(exc).__name__)}: {_message(exc)} "
                    "(set MONITOR_DEBUG=1 to see the traceback)", "red")
        sys.exit(1)
