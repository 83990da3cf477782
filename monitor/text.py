"""Small text helpers shared by every stage: accent/case folding and whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """``"Fernández de Cossío"`` -> ``"Fernandez de Cossio"`` (also drops other combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Accent-, case- and whitespace-insensitive form used for matching and keys."""
    return _SPACE.sub(" ", strip_accents(text).casefold()).strip()


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return _SPACE.sub(" ", text).strip()
