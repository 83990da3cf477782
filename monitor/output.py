"""One set of output options for every command that prints records: table, --json, --csv.

Data goes to stdout; messages and progress go to stderr.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True, soft_wrap=True)

#: Short headers for narrow terminals; JSON and CSV keep the contract's key names.
HEADERS = {"last_status": "status", "error_count": "errors", "last_error": "last error",
           "last_polled_at": "polled", "next_poll_at": "next poll"}

_BOLD = re.compile(r"\*\*(.+?)\*\*")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def pick_format(as_json: bool, as_csv: bool) -> Format:
    if as_json and as_csv:
        from .errors import UsageError

        raise UsageError("choose one of --json and --csv")
    return Format.json if as_json else Format.csv if as_csv else Format.table


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


_ISO_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")


def _short_time(value: str) -> str:
    """Tables show timestamps to the minute ("2026-11-28 16:19"); JSON and CSV keep them whole."""
    match = _ISO_TIME.match(value)
    return f"{match.group(1)} {match.group(2)}" if match else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])


def highlight(text: str) -> str:
    """``**word**`` markers from search snippets -> rich bold, everything else escaped."""
    return _BOLD.sub(lambda m: f"[bold yellow]{m.group(1)}[/]", escape(text))


def emit_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *,
               title: str | None = None, markup: Sequence[str] = ()) -> None:
    if not rows:
        stderr.print("[dim]no results[/]")
        return
    table = Table(title=title, show_lines=False, header_style="bold", expand=False)
    for column in columns:
        table.add_column(HEADERS.get(column, column), overflow="fold")
    for row in rows:
        cells = [_short_time(_cell(row.get(c))) for c in columns]
        table.add_row(*[highlight(cell) if c in markup else escape(cell)
                        for c, cell in zip(columns, cells, strict=True)])
    stdout.print(table)


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: Format, *,
         table_columns: Sequence[str] | None = None, title: str | None = None,
         markup: Sequence[str] = ()) -> None:
    if fmt is Format.json:
        emit_json(list(rows))
    elif fmt is Format.csv:
        emit_csv(rows, columns)
    else:
        emit_table(rows, table_columns or columns, title=title, markup=markup)
