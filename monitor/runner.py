"""`monitor run`: rounds on a schedule until SIGINT/SIGTERM. Shares `poll`'s code path."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlite_utils import Database

from .config import Config
from .db import store
from .db.lock import RoundBusy
from .errors import ConfigError, MonitorError
from .pipeline import Monitor, now_utc
from .summary import Reporter

#: Never wake more often than this, whatever the feeds' next-poll times say: no spinning.
MIN_WAIT = 5.0


def seconds_until_next(db: Database, interval: float) -> float:
    """Sleep until the earliest feed is due, at most one interval, at least MIN_WAIT."""
    due_at = store.next_due(db)
    wait = interval
    if due_at:
        due = datetime.fromisoformat(due_at)
        wait = min(interval, (due - now_utc()).total_seconds())
    return max(MIN_WAIT, wait)


def run_forever(config: Config, db: Database, *, reporter: Reporter,
                stop: threading.Event) -> None:
    # One Monitor for the whole run: the spaCy pipeline and the dedup index load once.
    monitor = Monitor(config, db, reporter=reporter, stop=stop)
    try:
        if hint := monitor.stale_hint():
            reporter.notice(f"note: {hint}")
        while not stop.is_set():
            try:
                summary = monitor.poll()
            except RoundBusy as exc:  # a cron `poll` is on it: wait for the next round
                reporter.notice(str(exc))
            except ConfigError:
                raise  # nothing a later round could do better: stop with the one-line error
            except MonitorError as exc:  # a full disk, say: the next round may find room
                reporter.notice(f"round failed: {exc}")
            else:
                reporter.summary(summary)
            wait = seconds_until_next(db, config.poll.interval)
            reporter.waiting(wait)
            stop.wait(wait)
    finally:
        monitor.close()
