"""One set of output options for every command that prints records: table, --json, --csv.

Data goes to stdout; messages and progress go to stderr.

Text from the web (titles, article text, URLs, feed names, error messages quoting them) or from
the user reaches the terminal only through :func:`safe`, which strips escape sequences, control
and bidi characters, and never as rich markup: lines that mix our styles with such text are
built as rich ``Text``. JSON is data, not terminal output: ``json.dumps`` escapes what matters
there and its bytes are the public contract, so it is left as it is.
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
from rich.highlighter import ReprHighlighter
from rich.table import Table
from rich.text import Text

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True, soft_wrap=True)

#: Short headers for narrow terminals; JSON and CSV keep the contract's key names.
HEADERS = {"last_status": "status", "error_count": "errors", "last_error": "last error",
           "last_polled_at": "polled", "next_poll_at": "next poll"}

_BOLD = re.compile(r"\*\*(.+?)\*\*")

#: Whole terminal escape sequences, 7-bit (ESC ...) and 8-bit (C1) forms: terminated control
#: strings (OSC "ESC ] 0;title BEL", DCS, SOS, PM, APC), CSI ("ESC [ 2 J", even without its
#: final byte), and the other ESC sequences. What is left of a malformed one (an unterminated
#: OSC's text) is plain text, and its control characters go with the rest below.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)
#: Unicode category Cc (C0, DEL, C1) and the bidi embedding, override and isolate controls
#: (U+202A–U+202E, U+2066–U+2069), which can make text display as something else.
_DROP: dict[int, str | None] = {
    c: None for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                      *range(0x2066, 0x206A))}
_BREAKS = "\n\x0b\x0c\x85"  # line feed, vertical tab, form feed, next line
_ONE_LINE = {**_DROP, **{ord(c): " " for c in _BREAKS + "\t"}}
_MULTI_LINE = {**_DROP, ord("\t"): "\t", **{ord(c): "\n" for c in _BREAKS}}
_NEWLINES = re.compile(r"\r\n?")
_REPR = ReprHighlighter()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def pick_format(as_json: bool, as_csv: bool) -> Format:
    if as_json and as_csv:
        from ..errors import UsageError

        raise UsageError("choose one of --json and --csv")
    return Format.json if as_json else Format.csv if as_csv else Format.table


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


_ISO_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")


def _short_time(value: str) -> str:
    """Tables show timestamps to the minute ("2026-11-28 16:19"); JSON and CSV keep them whole."""
    match = _ISO_TIME.match(value)
    return f"{match.group(1)} {match.group(2)}" if match else value


def safe(text: Any, *, newlines: bool = False) -> str:
    """``text`` made inert for a terminal: escape sequences removed whole, every other control
    character (Unicode category Cc) and the bidi controls removed.

    With ``newlines`` (multi-line text: an article, a table or CSV cell) line breaks and tabs
    are kept (``\\r\\n`` and ``\\r`` become ``\\n``); without, they become spaces, so one
    line stays one line and no text can pose as a line of its own. ``None`` is ``""``.
    """
    if text is None:
        return ""
    text = _NEWLINES.sub("\n", _ESCAPE_SEQUENCE.sub("", str(text)))
    return text.translate(_MULTI_LINE if newlines else _ONE_LINE)


def shown(text: Any, *, style: str = "", newlines: bool = False) -> Text:
    """Web or user text as rich shows a plain string (numbers, dates and URLs highlighted),
    but made :func:`safe` and never read as markup or ``:emoji:`` codes."""
    plain = safe(text, newlines=newlines)
    return _REPR(Text(plain, style=style)) if plain else Text(plain, style=style)


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
        writer.writerow([safe(_cell(row.get(c)), newlines=True) for c in columns])


def highlight(text: str | None) -> Text:
    """A search snippet as rich Text: ``**word**`` markers become bold yellow spans, the rest
    is :func:`safe` plain text (a backslash or ``[/]`` in it is just a character)."""
    text = text or ""
    out = Text()
    end = 0
    for match in _BOLD.finditer(text):
        out.append(safe(text[end:match.start()]))
        out.append(safe(match.group(1)), style="bold yellow")
        end = match.end()
    out.append(safe(text[end:]))
    return out


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
        table.add_row(*[highlight(cell) if c in markup else Text(safe(cell, newlines=True))
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
