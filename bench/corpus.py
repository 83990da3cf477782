"""feedparser's test corpus and real news feeds, served over loopback and polled in ONE round.

    .venv/bin/python bench/corpus.py [--cli] [--keep] [--shared DIR]

Serves ``shared/data/feedparser-corpus`` (2,107 feed files) and ``shared/data/news-feeds`` (7
real feeds) from a threaded ``http.server`` on 127.0.0.1 (port 0), writes a temporary
config.yaml listing every file as a feed (``fetch.allow_private_addresses: true``,
``fetch.host_delay: 0``, ``fetch.robots: false``, ``fetch.timeout: 5s``,
``poll.max_articles_per_feed: 2``) and runs one ``Monitor.poll()`` in this process (``--cli``:
the ``monitor poll`` command in a subprocess). Then it prints: feeds polled, ok / failed, a
histogram of the failure reasons (``last_error`` from the feeds table, numbers and quoted
details folded), the same for article errors, crashes (exceptions escaping the round),
tracebacks written to stderr, wall time and peak RSS.

Corpus files whose path contains "http" are served with the ``Header:`` lines of their leading
comment, as feedparser's own test harness does. Feed items link to outside hosts, whose DNS
lookups fail fast here: those become article errors, as they should. The server shuts down
when the round is over and, at the latest, after ``--lifetime`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FOLDERS = {"corpus": ("data", "feedparser-corpus"), "news": ("data", "news-feeds")}
NOT_FEEDS = {"README.txt", "LICENSE.feedparser"}
_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z0-9-]+):[ \t]*(.*?)\s*$", re.MULTILINE)


def shared_dir(explicit: str | None = None) -> Path:
    """``shared/`` next to the repository, falling back to /work/shared."""
    if explicit:
        return Path(explicit)
    beside = ROOT.parent / "shared"
    return beside if beside.is_dir() else Path("/work/shared")


def feed_files(shared: Path) -> dict[str, Path]:
    """URL path -> file, for every feed file of both folders (sorted, README/LICENSE left out)."""
    files: dict[str, Path] = {}
    for prefix, parts in FOLDERS.items():
        folder = shared.joinpath(*parts)
        if not folder.is_dir():
            raise SystemExit(f"{folder}: not found (use --shared DIR)")
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name not in NOT_FEEDS:
                relative = path.relative_to(folder).as_posix()
                files[f"/{prefix}/{quote(relative)}"] = path
    return files


def declared_headers(path: Path, data: bytes) -> list[tuple[str, str]]:
    """The ``Header: Name: value`` lines of a corpus file (only for paths containing "http")."""
    if "http" not in path.as_posix().split("feedparser-corpus", 1)[-1]:
        return []
    comment_end = data.find(b"-->")
    head = data[: comment_end if comment_end >= 0 else 4096]
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, value in _HEADER.findall(head)]


class CorpusHandler(SimpleHTTPRequestHandler):
    """GET of a known feed file; 404 for everything else (article links that resolve here)."""

    files: dict[str, Path] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.files.get(urlsplit(self.path).path)
        if path is None:
            self.send_error(404)
            return
        data = path.read_bytes()
        headers = declared_headers(path, data)
        names = {name.lower() for name, _ in headers}
        self.send_response(200)
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json" if path.suffix == ".json"
                             else "application/xml")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_error(405)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


@contextlib.contextmanager
def serve(files: dict[str, Path], lifetime: float) -> Iterator[str]:
    """A threaded server on 127.0.0.1:0 for ``files``; yields its base URL."""
    handler = type("Handler", (CorpusHandler,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="corpus-server", daemon=True)
    thread.start()
    deadline = threading.Timer(lifetime, server.shutdown)  # stops by itself, at the latest
    deadline.daemon = True
    deadline.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        deadline.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_config(directory: Path, urls: Sequence[str]) -> Path:
    lines = ["database: monitor.db", "feeds:"]
    lines += [f"  - url: {json.dumps(url)}" for url in urls]  # a JSON string is YAML
    lines += ["fetch:", "  allow_private_addresses: true", "  host_delay: 0", "  robots: false",
              "  timeout: 5s", "poll:", "  max_articles_per_feed: 2"]
    path = directory / "config.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the round


@contextlib.contextmanager
def captured_stderr(sink: Path) -> Iterator[None]:
    """Everything written to file descriptor 2 (Python or C) goes to ``sink``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with sink.open("wb") as out:
        os.dup2(out.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def poll_in_process(config_path: Path, stderr_file: Path) -> tuple[int, str]:
    """One Monitor.poll(); returns (crashes, first crash traceback)."""
    from monitor.config import load_config
    from monitor.db.store import open_db
    from monitor.pipeline import Monitor

    thread_crashes: list[str] = []
    previous_hook = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        thread_crashes.append("".join(traceback.format_exception(
            args.exc_type, args.exc_value, args.exc_traceback)))

    threading.excepthook = hook
    config = load_config(config_path, env={})
    db = open_db(config.database_path)
    monitor = Monitor(config, db)
    crash = ""
    try:
        with captured_stderr(stderr_file):
            monitor.poll()
    except BaseException:  # noqa: BLE001 - an escaping exception is what we count
        crash = traceback.format_exc()
    finally:
        threading.excepthook = previous_hook
        monitor.close()
        db.close()
    crashes = bool(crash) + len(thread_crashes)
    return crashes, crash or (thread_crashes[0] if thread_crashes else "")


def poll_cli(config_path: Path, stderr_file: Path) -> tuple[int, str]:
    """``monitor poll`` in a subprocess; a non-zero exit with a traceback is a crash."""
    with stderr_file.open("wb") as err:
        proc = subprocess.run([sys.executable, "-m", "monitor", "poll", "--config",
                               str(config_path)], stdout=subprocess.DEVNULL, stderr=err,
                              timeout=1800, check=False)
    text = stderr_file.read_text("utf-8", errors="replace")
    crashed = proc.returncode != 0 and "Traceback" in text
    return int(crashed), text[-3000:] if crashed else ""


# ---------------------------------------------------------------------------- reporting

_LINE = re.compile(r"\bline \d+: ")
_QUOTED = re.compile(r"""(["'`]).*?\1""")
_NUMBER = re.compile(r"\d+")
_HOST = re.compile(r"(DNS lookup (?:failed )?for )\S+?(:| timed out)")


def reason(message: str | None) -> str:
    """A last_error folded into its kind: line numbers, quoted bits and numbers generalised."""
    text = _LINE.sub("", message or "(none)")
    text = _HOST.sub(r"\1<host>\2", text)
    text = _QUOTED.sub("…", text)
    text = _NUMBER.sub("N", text)
    return text if len(text) <= 90 else text[:89] + "…"


def histogram(messages: Sequence[str | None], limit: int) -> list[str]:
    counts = Counter(reason(m) for m in messages)
    lines = [f"  {count:>5}  {text}" for text, count in counts.most_common(limit)]
    if len(counts) > limit:
        rest = sum(count for _, count in counts.most_common()[limit:])
        lines.append(f"  {rest:>5}  ({len(counts) - limit} other reasons)")
    return lines


def report(db_path: Path, urls: Sequence[str], limit: int) -> list[str]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db_path)) as db:
        rows = {url: (status, error) for url, status, error in db.execute(
            "SELECT url, last_status, last_error FROM feeds")}
        article_errors = [row[0] for row in db.execute("SELECT last_error FROM article_errors")]
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        skipped = db.execute("SELECT count(*) FROM skipped").fetchone()[0]
    polled = [url for url in urls if rows.get(url, (None, None))[0]]
    statuses = Counter(rows[url][0] for url in polled)
    failed = [rows[url][1] for url in polled if rows[url][0] == "error"]
    out = [f"feeds polled: {len(polled)} / {len(urls)} configured",
           "feed status: " + ", ".join(f"{s} {n}" for s, n in statuses.most_common()),
           f"failure reasons ({len(failed)} feeds):", *histogram(failed, limit),
           f"articles: {articles} stored, {skipped} skipped, {len(article_errors)} errors",
           "article error reasons:", *histogram(article_errors, 8)]
    missing = [url for url in urls if url not in polled]
    if missing:
        out.append(f"NOT polled ({len(missing)}): " + ", ".join(unquote(u) for u in missing[:5]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="the shared/ folder (default: next to the repo)")
    parser.add_argument("--cli", action="store_true", help="run `monitor poll` in a subprocess")
    parser.add_argument("--reasons", type=int, default=25, help="histogram lines (default 25)")
    parser.add_argument("--lifetime", type=float, default=1200.0,
                        help="the server stops by itself after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    files = feed_files(shared_dir(args.shared))
    workdir = Path(tempfile.mkdtemp(prefix="monitor-corpus-"))
    stderr_file = workdir / "stderr.txt"
    try:
        with serve(files, args.lifetime) as base:
            urls = [base + path for path in files]
            config = write_config(workdir, urls)
            started = time.monotonic()
            runner = poll_cli if args.cli else poll_in_process
            crashes, crash = runner(config, stderr_file)
            wall = time.monotonic() - started
        written = stderr_file.read_text("utf-8", errors="replace")
        tracebacks = written.count("Traceback (most recent call last)")
        print(f"served {len(files)} files from {shared_dir(args.shared)} "
              f"({'monitor poll CLI' if args.cli else 'Monitor.poll() in process'})")
        for line in report(workdir / "monitor.db", urls, args.reasons):
            print(line)
        print(f"crashes: {crashes}  tracebacks on stderr: {tracebacks}  "
              f"other stderr lines: {len(written.splitlines()) if not args.cli else 'n/a'}")
        if crash:
            print(crash, file=sys.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN if args.cli
                                  else resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"wall time: {wall:.1f}s  peak RSS: {peak:.0f} MiB"
              + (f"  kept: {workdir}" if args.keep else ""))
        return 1 if crashes or tracebacks else 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
