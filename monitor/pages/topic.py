"""The topic filter: keep an article when its title or text names one of `topic.any`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..text import fold


class TopicFilter:
    """Whole-word, accent- and case-insensitive matching of the configured terms.

    "Cuba" matches "CUBA" and "Cuba's" but not "Cubano" or "incubator"; terms of several
    words ("La Habana") match with any spacing between the words.
    """

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        words = [r"\s+".join(map(re.escape, fold(term).split())) for term in terms if term.strip()]
        words.sort(key=len, reverse=True)
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)") if words else None

    def matches(self, *texts: str | None) -> bool:
        return bool(self.matched_terms(*texts))

    def matched_terms(self, *texts: str | None) -> set[str]:
        if self._pattern is None:
            return set()
        found: set[str] = set()
        for text in texts:
            if text:
                found.update(m.group(0) for m in self._pattern.finditer(fold(text)))
        return found
