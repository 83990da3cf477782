"""How the CLI shows work: progress on a terminal, one line per failed feed, a round summary,
and the readable views of one article or one entity.

Feed names, URLs, titles and messages come from the web: every line that shows them is built
as rich Text from :func:`monitor.console.output.safe` text, never as markup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from ..summary import Reporter, RoundSummary
from .output import highlight, safe, shown


class ConsoleReporter(Reporter):
    """Failures always get one line; progress bars only on a terminal; details with -v."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        self._progress: Progress | None = None
        self.article_errors = 0
        self._task: Any = None

    def stage(self, name: str, total: int) -> None:
        self._stop_progress()
        if total and self.console.is_terminal:
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      console=self.console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task(name, total=total)

    def _advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def _stop_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def feed_done(self, feed: dict[str, Any], status: str, message: str | None) -> None:
        self._advance()
        name = feed.get("name") or feed.get("title") or feed["url"]
        if status == "error":
            self.console.print(Text.assemble(("✗ feed", "red"), " ", safe(name), " (",
                                             safe(feed["url"]), "): ", safe(message or "")),
                               highlight=False)
        elif self.verbose:
            self.console.print(Text.assemble(("✓ feed", "green"), " ", safe(name), ": ",
                                             safe(message or status)), highlight=False)

    def article_done(self, url: str, status: str, message: str | None) -> None:
        if status in ("new", "duplicate", "off_topic", "error"):
            self._advance()
        if status == "error":
            self.article_errors += 1
        if self.verbose:
            colour = {"new": "green", "error": "red", "duplicate": "cyan"}.get(status, "dim")
            detail = f" — {safe(message)}" if message else ""
            self.console.print(Text.assemble((safe(status.replace("_", " ")), colour), " ",
                                             safe(url), detail), highlight=False)

    def notice(self, message: str) -> None:
        self.console.print(Text(safe(message)), highlight=False)

    def waiting(self, seconds: float) -> None:
        at = (datetime.now().astimezone() + timedelta(seconds=seconds)).strftime("%H:%M:%S")
        self.console.print(f"[dim]next round at {at} (Ctrl-C stops)[/]", highlight=False)

    def summary(self, summary: RoundSummary) -> None:
        self._stop_progress()
        self.console.print(f"round: {summary.line()}", highlight=False)
        if self.article_errors and not self.verbose:
            self.console.print(f"[dim]{self.article_errors} article pages failed: run with -v, "
                               "or see the article_errors table, for why[/]", highlight=False)
        self.article_errors = 0


def print_results(console: Console, rows: list[dict[str, Any]]) -> None:
    """Search results as a list: titles and snippets read better than a cramped table."""
    if not rows:
        Console(stderr=True).print("[dim]no results[/]")
        return
    for number, row in enumerate(rows, 1):
        meta = ", ".join(x for x in (row["source"], (row["published"] or "")[:10]) if x)
        title = safe(row["title"] or row["url"])
        console.print(Text.assemble((f"{number}. {title}", "bold"), " ",
                                    (f"({safe(meta)})", "dim")), highlight=False, soft_wrap=True)
        console.print(Text.assemble("   ", highlight(row["snippet"])), highlight=False,
                      soft_wrap=True)
        console.print(Text.assemble("   ", (safe(row["url"]), "cyan"), "\n"), highlight=False,
                      soft_wrap=True)


def _field(name: str, value: Any) -> Text:
    """A "name: value" line: the name ours and bold, the value plain text."""
    return Text.assemble((f"{name}:", "bold"), " ", safe(value))


def print_article(console: Console, article: dict[str, Any]) -> None:
    console.rule(shown(article["title"] or article["url"], style="rule.text"))
    for key in ("url", "source", "published", "author", "language", "duplicate_of"):
        if article.get(key):
            console.print(_field(key, article[key]), highlight=False)
    for url in article.get("also_at") or []:
        console.print(_field("also at", url), highlight=False)
    console.print()
    console.print(Text(safe(article["text"], newlines=True)), highlight=False)
    if article["entities"]:
        console.print("\n[bold]Entities[/]")
        for e in article["entities"]:
            title = f" — {safe(e['title'])}" if e.get("title") else ""
            console.print(Text.assemble("  ", safe(e["name"]), " ",
                                        (f"({safe(e['kind'])}, {safe(e['label'])})", "dim"),
                                        title), highlight=False)
    if article["figures"]:
        console.print("\n[bold]Figures[/]")
        for f in article["figures"]:
            when = Text.assemble(" ", (f"({safe(f['when'])})", "dim")) if f.get("when") else ""
            console.print(Text.assemble("  ", safe(f["text"]), ": ", safe(f["what"] or "?"),
                                        when), highlight=False)


def print_entity(console: Console, entity: dict[str, Any]) -> None:
    console.rule(shown(entity["name"], style="rule.text"))
    console.print(_field("kind", f"{entity['kind']} ({entity['label']})"), highlight=False)
    if entity["titles"]:
        console.print(_field("titles", "; ".join(entity["titles"])), highlight=False)
    if entity["aliases"]:
        console.print(_field("aliases", "; ".join(entity["aliases"])), highlight=False)
    console.print(_field("articles", entity["mentions"]), highlight=False)
    for article in entity["articles"]:
        date = safe((article["published"] or "")[:10])
        console.print(Text.assemble(f"  {date:10}  ", safe(article["title"] or ""),
                                    "\n              ", (safe(article["url"]), "dim")),
                      highlight=False)
