"""Helpers for tests that tag one short text with the real model (the ``tagger`` fixture)."""

from __future__ import annotations

from monitor.tagging.tagger import Tagged, Tagger


def tag_one(tagger: Tagger, text: str) -> Tagged:
    """The tags of one English text."""
    [tagged] = tagger.tag([(text, "en")])
    return tagged


def agencies(tagger: Tagger, text: str) -> list[str]:
    """Distinct agency names in order of first mention."""
    return list(dict.fromkeys(m.name for m in tag_one(tagger, text).mentions
                              if m.kind == "agency"))
