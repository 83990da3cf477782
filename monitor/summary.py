"""What a round tells its caller: progress events (:class:`Reporter`) and the tally
(:class:`RoundSummary`). Light on purpose: the console imports it without the pipeline's
dependencies (spaCy, scipy), so commands that only read start fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Reporter:
    """Receives progress; the CLI prints it. The default reports nothing."""

    def feed_done(self, feed: dict[str, Any], status: str, message: str | None) -> None: ...

    def article_done(self, url: str, status: str, message: str | None) -> None: ...

    def stage(self, name: str, total: int) -> None: ...

    def waiting(self, seconds: float) -> None: ...

    def notice(self, message: str) -> None: ...

    def summary(self, summary: RoundSummary) -> None: ...


@dataclass
class RoundSummary:
    feeds_ok: int = 0
    feeds_unchanged: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    articles_duplicate: int = 0
    articles_known: int = 0
    articles_off_topic: int = 0
    articles_failed: int = 0
    mentions: int = 0
    figures: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: Inputs that could not be read at all (a missing file, a URL that is not http(s)).
    inputs_failed: int = 0

    @property
    def feeds(self) -> int:
        return self.feeds_ok + self.feeds_unchanged + self.feeds_failed

    def line(self) -> str:
        parts = []
        if self.feeds:
            parts.append(f"{self.feeds} feeds ({self.feeds_ok} ok, {self.feeds_unchanged} "
                         f"unchanged, {self.feeds_failed} failed)")
        parts.append(
            f"{self.articles_new} new articles ({self.articles_duplicate} duplicates, "
            f"{self.articles_off_topic} off topic, {self.articles_failed} failed)"
        )
        if self.inputs_failed:
            parts.append(f"{self.inputs_failed} inputs unreadable")
        parts.append(f"{self.mentions} mentions, {self.figures} figures")
        return " · ".join(parts)
