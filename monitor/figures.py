"""Figures: the numbers an article reports, what they count and when.

Candidates come from the NER (CARDINAL, MONEY, PERCENT, QUANTITY) of the fast pass; only the
sentences holding one are then parsed, and the parse gives each figure its counted noun
phrase (``what``) and the date in its clause (``when``).

Value conventions: vague plurals count as two of their unit, multiplied out ("dozens" = 24,
"thousands" = 2,000, "hundreds of thousands" = 200,000, "tens of thousands" = 20,000), the
smallest amount the words allow; "a few"/"several" count as 3. Approximations ("about 600",
"more than 1,000") keep the number only: ``text`` is "600", the sentence keeps the hedge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .entities import trim_space
from .text import fold

FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})

# Hedges before a number, left out of the figure's text.
_HEDGES = frozenset({
    "about", "around", "some", "nearly", "almost", "roughly", "approximately", "over", "under",
    "more", "less", "fewer", "than", "at", "least", "most", "up", "to", "as", "many", "much",
    "just", "close", "estimated", "only", "barely", "exactly", "upwards", "of", "the", "unas",
    "unos", "casi", "cerca", "de", "más", "menos", "alrededor",
})
# Tokens that join the two ends of a range inside one DATE entity ("February 26 to 1,300").
_RANGE_JOINERS = frozenset({"to", "and", "through", "until", "till", "-", "–", "—", "y", "al",
                            "hasta"})
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "dozen": 12,
}
_SCALES = {
    "hundred": 100, "thousand": 1e3, "k": 1e3, "mil": 1e3, "million": 1e6, "millions": 1e6,
    "m": 1e6, "mn": 1e6, "millon": 1e6, "millones": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12,
}
_VAGUE = {"dozens": 12, "scores": 20, "tens": 10, "hundreds": 100, "thousands": 1e3,
          "millions": 1e6, "billions": 1e9}
_FEW = re.compile(r"^(?:a few|several|unos pocos|varios)\s+")
_CURRENCIES = (
    (re.compile(r"us\$|\$|\busd\b|\bdollars?\b|\bdolares\b"), "USD"),
    (re.compile(r"€|\beur\b|\beuros?\b"), "EUR"),
    (re.compile(r"£|\bgbp\b|\bpounds? sterling\b"), "GBP"),
    (re.compile(r"\bmlc\b"), "MLC"),
    (re.compile(r"\bcup\b|\bcuban pesos?\b|\bpesos? cubanos?\b"), "CUP"),
    (re.compile(r"\bpesos?\b"), "pesos"),
)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpor ciento\b|\bpct\b")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_COUNT_UNITS = frozenset({None, "%", *(code for _, code in _CURRENCIES)})
_MAX_WHAT_TOKENS = 15
# A `when` names a time: it has a word ("February", "last year") or is a year or ISO date;
# "15 24" or "6-5" are table cells and scores the NER took for dates.
_WHEN_FORM = re.compile(r"[^\W\d_]|^\d{4}s?$|^\d{4}-\d{2}(?:-\d{2})?$")

_COUNT_PREFIX = re.compile(r"^(?:total\s+)?(?:number|count|tally|total)\s+of\s+", re.I)
# Verbs whose subject is what the number measures ("arrivals soared to 16,531"), as written:
# the parse pass skips the lemmatizer (and the attribute ruler it needs), a third of its cost.
_LEVEL_VERBS = frozenset(
    f"{base}{ending}" for base in (
        "soar", "climb", "reach", "jump", "total", "hit", "top", "exceed", "surpass", "dip",
        "slip", "edge", "spike", "swell", "balloon", "plunge", "plummet", "surge", "ease",
        "hover", "remain", "stay", "amount", "number", "double", "triple", "decline", "increase",
        "decrease", "tumble", "drop",
    ) for ending in ("", "s", "ed", "d", "ing", "ped", "ping")
) | frozenset({
    "rise", "rises", "rose", "risen", "rising", "fall", "falls", "fell", "fallen", "falling",
    "grow", "grows", "grew", "grown", "growing", "stand", "stands", "stood", "standing",
    "shrink", "shrinks", "shrank", "shrunk", "shrinking", "go", "goes", "went", "gone", "come",
    "comes", "came", "be", "is", "are", "was", "were", "been", "being", "'s", "’s",
})
# Children that are not part of a counted phrase: "20,000 visas [a year]", "[the] number".
_NOT_IN_PHRASE = frozenset({"det", "predet", "punct", "npadvmod", "appos", "relcl", "advcl",
                            "parataxis", "cc", "mark", "case"})
_PRONOUNS = frozenset({"it", "they", "this", "that", "these", "those", "which", "who", "he",
                       "she", "we", "i", "you"})
_DURATION_UNIT = re.compile(r"\b(?:day|week|month|year|decade|hour|minute)s?\b")
_ANCHOR = re.compile(
    r"\b(?:last|this|next|past|previous|coming|ago|since|earlier|later|end|beginning|start|"
    r"early|late|mid|fiscal|current|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|\d{4})\b"
)


@dataclass
class Figure:
    value: float
    text: str
    unit: str | None
    what: str | None
    when: str | None
    sentence: str
    start: int
    end: int


@dataclass
class Candidate:
    """A figure found in the fast pass, before the parse gives it ``what``/``when``."""

    span: Span
    value: float
    unit: str | None


# --------------------------------------------------------------------------- values


def parse_value(text: str, *, decimal_comma: bool = False) -> tuple[float, str | None] | None:
    """``"$2 billion"`` -> ``(2e9, "USD")``; ``None`` when the text is not a number."""
    folded = fold(text).replace("’", "'")
    unit = "%" if _PERCENT.search(folded) else None
    for pattern, code in _CURRENCIES:
        if unit is None and pattern.search(folded):
            unit = code
            folded = pattern.sub(" ", folded)
    folded = _PERCENT.sub(" ", folded).strip(" .")
    # "5m"/"2bn" abbreviate scales only for money: "50 m" of fence is metres.
    money = unit is not None and unit != "%"
    value, rest = _leading_number(folded, decimal_comma, money)
    if value is None:
        return None
    rest = rest.strip(" -.")
    if rest and unit is None:
        unit = rest  # a QUANTITY's measure: "50 km", "300 tons"
    return value, unit


def _leading_number(text: str, decimal_comma: bool, money: bool) -> tuple[float | None, str]:
    thousands, point = (".", ",") if decimal_comma else (",", ".")
    digits = re.match(
        rf"^(\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)(?:{re.escape(point)}(\d+))?\s*(.*)$",
        text,
    )
    if digits:
        value = float(digits.group(1).replace(thousands, "") + "." + (digits.group(2) or "0"))
        words = digits.group(3).split()
        while words and words[0] in _SCALES and (money or len(words[0]) > 2):
            value *= _SCALES[words.pop(0)]
        return value, " ".join(words)
    words = re.findall(r"[a-z]+", text)
    vague = _vague(words)
    if vague is not None:
        return vague, ""
    return _word_number(text), ""


def _vague(words: list[str]) -> float | None:
    """"hundreds of thousands" -> 200000 (see the module's conventions)."""
    if not words or words[0] not in _VAGUE:
        return None
    value = 2 * _VAGUE[words[0]]
    for i in range(1, len(words), 2):
        if words[i] != "of" or i + 1 >= len(words) or words[i + 1] not in _VAGUE:
            return None
        value *= _VAGUE[words[i + 1]]
    return value


def _word_number(text: str) -> float | None:
    few = _FEW.match(text)
    total, current, seen = 0.0, 3.0 if few else 0.0, bool(few)
    words = re.findall(r"[a-z]+", text[few.end():] if few else text)
    half = bool(words) and words[0] == "half"
    for word in words[1:] if half else words:
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    if not seen:
        return None
    value = total + current
    return value / 2 if half else value


# --------------------------------------------------------------------------- date repair


class NumberRepair:
    """Splits a count swallowed into a DATE: "[February 26 to 1,300]" -> DATE + CARDINAL."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if any(ent.label_ == "DATE" for ent in doc.ents):
            ents: list[Span] = []
            for ent in doc.ents:
                ents.extend(_split_date(ent) if ent.label_ == "DATE" else [ent])
            doc.ents = ents
        return doc


@Language.factory("monitor_numbers")
def make_number_repair(nlp: Language, name: str) -> NumberRepair:
    return NumberRepair(name)


def _split_date(ent: Span) -> list[Span]:
    parts, start = [], ent.start
    for token in ent:
        if token.lower_ in _RANGE_JOINERS:
            parts.append((start, token.i))
            start = token.i + 1
    parts.append((start, ent.end))
    doc = ent.doc
    counts = [(s, e) for s, e in parts if e > s and _is_count(doc[s:e])]
    if not counts:
        return [ent]
    return [
        Span(doc, s, e, label="CARDINAL" if (s, e) in counts else "DATE")
        for s, e in parts if e > s
    ]


def _is_count(part: Span) -> bool:
    """Only hedges and numbers that cannot be a day or a year ("about 1,300")."""
    numbers = [t for t in part if t.lower_ not in _HEDGES]
    return bool(numbers) and all(
        t.like_num and t.text[:1].isdigit() and not _is_date_number(t.text) for t in numbers
    )


def _is_date_number(text: str) -> bool:
    if re.fullmatch(r"\d{1,2}", text):
        return 1 <= int(text) <= 31
    return bool(re.fullmatch(r"\d{4}", text)) and 1000 <= int(text) <= 2999


# --------------------------------------------------------------------------- candidates


def candidates(doc: Doc, *, decimal_comma: bool = False, numeric_ner: bool = True
               ) -> list[Candidate]:
    """Figures of the fast pass. ``numeric_ner`` False (pipelines whose NER has no CARDINAL,
    like es_core_news_*) falls back to digit tokens outside entities."""
    spans = [ent for ent in doc.ents if ent.label_ in FIGURE_LABELS]
    covered = {t.i for ent in doc.ents for t in ent}
    # The stock NER misses some grouped numbers; a "16,531" is never anything but a count.
    spans += [
        doc[t.i : t.i + 1] for t in doc
        if t.i not in covered
        and (_GROUPED.match(t.text) or (not numeric_ner and t.like_num and t.text[:1].isdigit()))
    ]
    found = []
    for span in sorted(spans, key=lambda s: s.start):
        number = _strip_hedges(span)
        if number is None or _is_furniture(number):
            continue
        if re.fullmatch(r"\d{4}", number.text) and 1800 <= int(number.text) <= 2100:
            continue  # a year
        if number.text.lower() == "one":
            continue  # "one of the…", "no one": a pronoun far more often than a count
        parsed = parse_value(number.text, decimal_comma=decimal_comma)
        if parsed is None:
            continue
        if span.label_ not in ("QUANTITY", "MONEY") and parsed[1] not in _COUNT_UNITS:
            continue  # "Block 1B", "2−3": a number with leftovers that name no unit
        found.append(Candidate(number, *parsed))
    return found


def _strip_hedges(span: Span) -> Span | None:
    trimmed = trim_space(span)
    if trimmed is None:
        return None
    start, end = trimmed.start, trimmed.end
    while start < end - 1 and span.doc[start].lower_ in _HEDGES:
        start += 1
    return span.doc[start:end]


def _is_furniture(span: Span) -> bool:
    """Numbers in page chrome ("12 comments", "Photo 3 of 12") sit in word-poor lines."""
    return sum(t.is_alpha for t in sentence_of(span)) < 4


def sentence_of(span: Span) -> Span:
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


# --------------------------------------------------------------------------- what and when


def build(found: list[Candidate], parsed: dict[int, Doc]) -> list[Figure]:
    """Figures from the candidates of one doc; ``parsed`` maps a sentence's first token index
    to that sentence parsed on its own (absent when the pipeline has no parser)."""
    figures = []
    for candidate in found:
        span, sentence = candidate.span, sentence_of(candidate.span)
        what = when = None
        sent_doc = parsed.get(sentence.start)
        if sent_doc is not None:
            offset = sentence.start
            local = sent_doc[span.start - offset : span.end - offset]
            others = [c.span.start - offset for c in found
                      if c is not candidate and sentence.start <= c.span.start < sentence.end]
            what = _what(local, candidate.unit)
            when = _when(local, others)
        figures.append(Figure(
            value=candidate.value, text=span.text, unit=candidate.unit, what=what, when=when,
            sentence=sentence.text.strip(), start=span.start_char, end=span.end_char,
        ))
    return figures


def _what(figure: Span, unit: str | None) -> str | None:
    root = figure.root
    inside = set(range(figure.start, figure.end))
    # "hundreds of thousands [of people]", "5% [of Cubans]", money: "$2 billion [in aid]"
    heads = ("of", "in") if unit not in (None, "%") else ("of",)
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ in heads and child.i not in inside:
            objects = [c for c in child.children if c.dep_ == "pobj" and c.ent_type_ != "DATE"]
            if objects:
                return _phrase(objects[0], inside)
    head = root.head
    if (root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod")
            and head.i not in inside and _is_noun(head)):
        return _phrase(head, inside)  # "20,000 [visas]", "28,848 [encounters with …]"
    verb = head.head if root.dep_ == "pobj" else head
    if (root.dep_ not in ("pobj", "dobj", "attr", "oprd", "obj", "npadvmod")
            or not _is_verb(verb)):
        return None
    if verb.lower_ not in _LEVEL_VERBS and root.dep_ != "attr":
        return None
    subject = _subject(verb)
    return _phrase(subject, inside) if subject is not None else None


def _subject(verb: Token) -> Token | None:
    for _ in range(3):  # "X rose in January and reached 16,531": the subject is the first verb's
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
                return None if child.lower_ in _PRONOUNS else child
        if verb.dep_ not in ("conj", "xcomp"):
            return None
        verb = verb.head
    return None


def _phrase(head: Token, exclude: set[int]) -> str | None:
    """The head with its modifiers, less determiners, rates and the figure itself."""
    kept = [c for c in head.children
            if c.dep_ not in _NOT_IN_PHRASE
            and not exclude.intersection(range(c.left_edge.i, c.right_edge.i + 1))]
    left = min([head.i] + [c.left_edge.i for c in kept])
    right = max([head.i] + [c.right_edge.i for c in kept])
    tokens = list(head.doc[left : right + 1])
    while tokens and (tokens[0].dep_ in ("det", "predet", "punct") or tokens[0].is_punct):
        tokens.pop(0)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if not tokens or len(tokens) > _MAX_WHAT_TOKENS:
        return None  # a runaway subtree (lists, tables) says nothing useful
    if len(tokens) == 1 and tokens[0].lower_ in _PRONOUNS:
        return None  # "16,531 of them"
    text = head.doc[tokens[0].i : tokens[-1].i + 1].text
    if "\n" in text or "://" in text:
        return None
    return _COUNT_PREFIX.sub("", text) or None


def _when(figure: Span, others: list[int]) -> str | None:
    """The date in the figure's clause: the one right after it, else the one right before,
    never across another figure ("from 600 on Feb 26 to 1,300 on April 16")."""
    doc = figure.doc
    clause = _clause(figure.root)
    dates = [e for e in doc.ents if e.label_ == "DATE" and _WHEN_FORM.search(e.text)
             and not _is_duration(e.text) and _clause(e.root).i == clause.i]
    after = [d for d in dates if d.start >= figure.end
             and not any(figure.end <= o < d.start for o in others)]
    if after:
        return after[0].text
    before = [d for d in dates if d.end <= figure.start
              and not any(d.end <= o < figure.start for o in others)]
    return before[-1].text if before else None


def _clause(token: Token) -> Token:
    while token.dep_ != "ROOT" and not _is_verb(token) and token.head is not token:
        token = token.head
    return token


# Word classes from the fine-grained tag (English tagger, no attribute ruler) or the
# universal POS (pipelines with a morphologizer).
def _is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB") or token.tag_ == "MD"


def _is_noun(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN") or token.tag_.startswith("NN")


def _is_duration(text: str) -> bool:
    """"seven days", "a single month", "four-year": how long, not when."""
    folded = fold(text)
    return bool(_DURATION_UNIT.search(folded)) and not _ANCHOR.search(folded)
