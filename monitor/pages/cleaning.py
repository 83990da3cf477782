"""The cleaning layer after trafilatura: drop residue lines and learned site furniture.

trafilatura keeps what sits inside the article container, and widgets often live there too
("GIPHY App Key not set. Please check settings", share labels, "Read more: …"). Two sources
of knowledge remove them, both working on whole lines so an article sentence that merely
*mentions* cookies or advertising is never touched:

* residue patterns — curated regular expressions in ``models/residue.txt`` (plus the user's
  own file), each matched against a complete line;
* repeated lines — short lines the store has seen in many articles of one site
  (:func:`furniture_candidates` proposes them, the store counts them and passes their
  :func:`line_key` back as ``repeated``).

A pattern that contains the empty named group ``(?P<block>)`` is a *block heading* ("Related
stories", "Don't miss"): the headline-like lines right after it go with it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from ..assets import Assets
from ..errors import ConfigError
from ..text import fold, squash, strip_accents

LOGGER = logging.getLogger(__name__)

RESIDUE_FILE = "residue.txt"
#: A pattern file is a few hundred lines; a bigger file is a mistake (or /dev/zero).
RESIDUE_MAX_BYTES = 1024 * 1024

#: Furniture is short: a nav label, a byline box, a "Follow us" line. Longer lines are prose,
#: and a paragraph repeated across articles is more likely a boilerplate disclaimer the site
#: wants read than furniture; leaving them to the residue patterns is the safer side.
FURNITURE_MAX_CHARS = 160
FURNITURE_MIN_CHARS = 2

#: Name of the empty group that turns a pattern into a block heading.
BLOCK_GROUP = "block"
#: A related-stories list rarely has more entries than this; the cap bounds the damage if a
#: heading is followed by real content that happens to look like headlines (sub-headings).
BLOCK_MAX_LINES = 12
HEADLINE_MAX_CHARS = 160

# A headline in a related-stories list ends without sentence punctuation; a paragraph ends
# with it (optionally followed by closing quotes or brackets). The first sentence-like line
# ends the block.
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_BULLET = re.compile(r"^(?:[-–—•*·▪►|>]+\s*)+")
_BLANK_RUNS = re.compile(r"\n(?:[ \t]*\n){2,}")

# Ordinary article sentences: a pattern that matches one of them would empty every article,
# so loading refuses it instead of letting the damage show up as missing text later.
_CANARIES = (
    "The meeting comes at a time when the US government is dealing with a growing number of "
    "migrants trying to cross the border from Mexico.",
    "He is expected to meet with top officials from the US State Department.",
    "Las autoridades cubanas no respondieron de inmediato a las preguntas.",
)


def line_key(line: str) -> str:
    """Stable key of a line: folded (accents, case, whitespace, list bullet), then hashed.

    The store keeps keys rather than lines, so furniture counts take little room and say
    nothing about article text.
    """
    normal = fold(_BULLET.sub("", line.strip()))
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=8).hexdigest()


def furniture_candidates(text: str) -> set[str]:
    """Keys of the lines of ``text`` short enough to be site furniture."""
    keys: set[str] = set()
    for line in text.splitlines():
        stripped = squash(line)
        if FURNITURE_MIN_CHARS <= len(stripped) <= FURNITURE_MAX_CHARS:
            keys.add(line_key(stripped))
    return keys


def _variants(line: str) -> Iterator[str]:
    """The forms of a squashed line a pattern is tried against.

    Without the list bullet, because trafilatura renders list items as "- item"; without
    accents, so that a pattern written "Siguenos" also removes "Síguenos".
    """
    unbulleted = _BULLET.sub("", line)
    forms = (line, unbulleted, strip_accents(line), strip_accents(unbulleted)) \
        if _has_accents(line) else (line, unbulleted)
    seen: set[str] = set()
    for form in forms:
        if form and form not in seen:
            seen.add(form)
            yield form


def _has_accents(line: str) -> bool:
    """Whether stripping accents could change ``line``: cheap checks first, as most lines
    are ASCII or have nothing but curly quotes and dashes beyond it."""
    if line.isascii():
        return False
    return not (unicodedata.is_normalized("NFKD", line)
                and unicodedata.is_normalized("NFC", line))


def _looks_like_link_title(line: str) -> bool:
    return len(line) <= HEADLINE_MAX_CHARS and not _SENTENCE_END.search(line)


class Cleaner:
    """Removes residue lines and repeated site furniture from extracted article text."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns: tuple[re.Pattern[str], ...] = tuple(patterns)
        self._any, self._apart = _combine(self.patterns)

    @classmethod
    def load(cls, extra_file: Path | None = None, *, assets: Assets | None = None) -> Cleaner:
        """The patterns of ``residue.txt`` in ``assets`` (default: the shipped ``models/``),
        plus the user's own file if given."""
        patterns = _read_patterns((Assets.default() if assets is None else assets)
                                  .file(RESIDUE_FILE))
        if extra_file is not None:
            patterns.extend(_read_patterns(Path(extra_file)))
        return cls(patterns)

    def residue_match(self, line: str) -> re.Pattern[str] | None:
        """The first pattern matching the whole (squashed) line, or None."""
        return self._match(squash(line))

    def _match(self, squashed: str) -> re.Pattern[str] | None:
        forms = list(_variants(squashed))
        if self._any is not None and not any(
            self._any.fullmatch(form) for form in forms
        ) and not any(p.fullmatch(form) for p in self._apart for form in forms):
            return None  # the common case, decided by one combined expression
        for form in forms:
            for pattern in self.patterns:
                if pattern.fullmatch(form):
                    return pattern
        return None

    def clean(self, text: str, *, repeated: Collection[str] = ()) -> str:
        """``text`` without residue lines, block lists and ``repeated`` furniture lines.

        Blank-line runs are collapsed to one blank line and the result is stripped; it is
        ``""`` when nothing is left.
        """
        kept: list[str] = []
        block_left = 0  # headline-like lines still to drop after a block heading
        dropped = 0
        for line in text.splitlines():
            squashed = squash(line)
            if not squashed:
                kept.append("")
                continue
            pattern = self._match(squashed)
            if pattern is not None:
                block_left = BLOCK_MAX_LINES if BLOCK_GROUP in pattern.groupindex else 0
                dropped += 1
                continue
            if block_left and _looks_like_link_title(_BULLET.sub("", squashed)):
                block_left -= 1
                dropped += 1
                continue
            block_left = 0
            if repeated and line_key(squashed) in repeated:
                dropped += 1
                continue
            kept.append(line.rstrip())
        result = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
        if not result and dropped:
            # Not an error (a page can be all widgets), but worth a trace when text vanishes.
            LOGGER.info("cleaning removed every line (%d) of an extracted text", dropped)
        return result


# Pattern text that cannot sit inside a bigger alternation: back-references (group numbers
# shift) and global inline flags (only allowed at the very start).
_NOT_COMBINABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]+\)")


def _combine(
    patterns: Sequence[re.Pattern[str]],
) -> tuple[re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
    """One case-insensitive alternation of the patterns that allow it, and the others apart.

    Trying a hundred-odd patterns one by one on every line was most of the cleaning time; a
    single expression answers "is this line residue?" in one call, and only the lines that
    are get the per-pattern search (which tells a block heading from the rest).
    """
    together, apart = [], []
    for pattern in patterns:
        source = pattern.pattern.replace(f"(?P<{BLOCK_GROUP}>)", "")
        combinable = (pattern.flags & ~re.UNICODE) == re.IGNORECASE and "(?P<" not in source
        if combinable and not _NOT_COMBINABLE.search(source):
            together.append(f"(?:{source})")
        else:
            apart.append(pattern)
    if not together:
        return None, tuple(patterns)
    try:
        return re.compile("|".join(together), re.IGNORECASE), tuple(apart)
    except re.error:  # pragma: no cover - every part compiled on its own
        return None, tuple(patterns)


def _read_patterns(path: Path) -> list[re.Pattern[str]]:
    """Parse a residue file: one regular expression per line, ``#`` starts a comment line."""
    try:
        if path.exists() and not path.is_file():
            raise ConfigError(f"{path}: the residue pattern file is not a regular file")
        if path.exists() and path.stat().st_size > RESIDUE_MAX_BYTES:
            raise ConfigError(f"{path}: the residue pattern file is over "
                              f"{RESIDUE_MAX_BYTES // 1024} KB; is it the right file?")
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{path}: residue pattern file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read residue patterns ({reason})") from None
    patterns: list[re.Pattern[str]] = []
    for number, raw in enumerate(lines, start=1):
        source = raw.strip()
        if not source or source.startswith("#"):
            continue
        try:
            # Case-insensitive: residue comes as "SHARE", "Share" and "share" alike.
            pattern = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(
                f"{path}, line {number}: invalid regular expression {source!r} ({exc.msg})"
            ) from None
        if any(pattern.fullmatch(sentence) for sentence in _CANARIES):
            raise ConfigError(
                f"{path}, line {number}: pattern {source!r} matches ordinary article "
                "sentences and would remove them"
            )
        patterns.append(pattern)
    return patterns
