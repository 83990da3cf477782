"""How the CLI shows work: progress on a terminal, one line per failed feed, a round summary,
and the readable views of one article or one entity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .output import highlight
from .pipeline import Reporter, RoundSummary


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
            self.console.print(f"[red]✗ feed[/] {escape(name)} ({escape(feed['url'])}): "
                               f"{escape(message or '')}", highlight=False)
        elif self.verbose:
            self.console.print(f"[green]✓ feed[/] {escape(name)}: {escape(message or status)}",
                               highlight=False)

    def article_done(self, url: str, status: str, message: str | None) -> None:
        if status in ("new", "duplicate", "off_topic", "error"):
            self._advance()
        if status == "error":
            self.article_errors += 1
        if self.verbose:
            colour = {"new": "green", "error": "red", "duplicate": "cyan"}.get(status, "dim")
            detail = f" — {escape(message)}" if message else ""
            self.console.print(f"[{colour}]{status.replace('_', ' ')}[/] {escape(url)}{detail}",
                               highlight=False)

    def notice(self, message: str) -> None:
        self.console.print(message, highlight=False)

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
        title = escape(row["title"] or row["url"])
        console.print(f"[bold]{number}. {title}[/] [dim]({escape(meta)})[/]", highlight=False,
                      soft_wrap=True)
        console.print(f"   {highlight(row['snippet'] or '')}", highlight=False, soft_wrap=True)
        console.print(f"   [cyan]{escape(row['url'])}[/]\n", highlight=False, soft_wrap=True)


def print_article(console: Console, article: dict[str, Any]) -> None:
    console.rule(escape(article["title"] or article["url"]))
    for key in ("url", "source", "published", "author", "language", "duplicate_of"):
        if article.get(key):
            console.print(f"[bold]{key}:[/] {escape(str(article[key]))}", highlight=False)
    for url in article.get("also_at") or []:
        console.print(f"[bold]also at:[/] {escape(url)}", highlight=False)
    console.print()
    console.print(article["text"] or "", markup=False, highlight=False)
    if article["entities"]:
        console.print("\n[bold]Entities[/]")
        for e in article["entities"]:
            title = f" — {escape(e['title'])}" if e.get("title") else ""
            console.print(f"  {escape(e['name'])} [dim]({e['kind']}, {e['label']})[/]{title}",
                          highlight=False)
    if article["figures"]:
        console.print("\n[bold]Figures[/]")
        for f in article["figures"]:
            when = f" [dim]({escape(f['when'])})[/]" if f.get("when") else ""
            console.print(f"  {escape(f['text'])}: {escape(f['what'] or '?')}{when}",
                          highlight=False)


def print_entity(console: Console, entity: dict[str, Any]) -> None:
    console.rule(escape(entity["name"]))
    console.print(f"[bold]kind:[/] {entity['kind']} ({entity['label']})", highlight=False)
    if entity["titles"]:
        console.print(f"[bold]titles:[/] {escape('; '.join(entity['titles']))}", highlight=False)
    if entity["aliases"]:
        console.print(f"[bold]aliases:[/] {escape('; '.join(entity['aliases']))}",
                      highlight=False)
    console.print(f"[bold]articles:[/] {entity['mentions']}", highlight=False)
    for article in entity["articles"]:
        date = (article["published"] or "")[:10]
        console.print(f"  {date:10}  {escape(article['title'] or '')}\n"
                      f"              [dim]{escape(article['url'])}[/]", highlight=False)
