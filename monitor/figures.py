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

import numpy
from spacy.attrs import IS_ALPHA, SHAPE
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
    "unos", "casi", "cerca", "de", "más", "menos", "alrededor", "between", "entre",
})
# Tokens that join the two ends of a range inside one DATE entity ("February 26 to 1,300").
_RANGE_JOINERS = frozenset({"to", "and", "through", "until", "till", "-", "–", "—", "y", "al",
                            "hasta"})
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
_SCALES = {
    "hundred": 100, "thousand": 1e3, "k": 1e3, "mil": 1e3, "million": 1e6, "millions": 1e6,
    "m": 1e6, "mn": 1e6, "millon": 1e6, "millones": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
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
    (re.compile(r"₹|\brs\b\.?|\brupees?\b|\binr\b"), "INR"),
)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpor ciento\b|\bpct\b")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
# spaCy's word shapes of those numbers (a shape keeps at most four of a kind in a row).
_GROUPED_SHAPES = [
    "d" * lead + ",ddd" * groups for lead in (1, 2, 3) for groups in range(1, 6)
]
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
    # change and measure verbs of market and economic news
    "average", "averages", "averaged", "averaging", "gain", "gains", "gained", "gaining",
    "lose", "loses", "lost", "losing", "add", "adds", "added", "adding", "shed", "sheds",
    "shedding", "slide", "slides", "slid", "sliding", "rally", "rallies", "rallied", "advance",
    "advances", "advanced", "retreat", "retreated", "sink", "sinks", "sank", "sunk", "trade",
    "trades", "traded", "trading", "close", "closes", "closed", "closing", "settle", "settled",
    "end", "ended", "finish", "finished", "open", "opened", "estimate", "estimates",
    "estimated", "value", "values", "valued", "cost", "costs", "account", "accounts",
    "accounted", "represent", "represents", "represented", "equal", "equals", "equaled",
    "expand", "expanded", "contract", "contracted", "widen", "widened", "narrow", "narrowed",
    "weigh", "weighs", "weighed", "measure", "measures", "measured", "register", "registered",
    "record", "recorded", "put", "peg", "pegged", "worth",
})
# Nouns that give a figure its unit, not what it counts: "rose 102.2 [points]".
_UNIT_NOUNS = frozenset({
    "point", "points", "percent", "percentage", "pct", "times", "fold", "cent", "cents",
    "pound", "pounds", "kilogram", "kilograms", "kg", "ton", "tons", "tonne", "tonnes", "ounce",
    "ounces", "barrel", "barrels", "gw", "mw", "kw", "kwh", "mwh", "gwh", "mile", "miles", "km",
    "kilometers", "kilometres", "meter", "meters", "metres", "feet", "foot", "acres", "hectares",
    "degrees", "dollars", "dollar", "euros", "pesos",
})
_PARTICLES = frozenset({"up", "down", "higher", "lower", "off", "ahead", "behind"})
# Heads between a figure's preposition and its verb: "rose from 0.90 percent [to] 1.23".
_SPAN_WORDS = _PARTICLES | {"from", "to"}
# Prepositions of a comparison: "down [from] 4.7 million", "more [than] 300".
_COMPARED = frozenset({"from", "than", "with", "versus", "vs", "vs.", "against"})
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
    #: The figure as written and its characters: the span's own unless a range split one
    #: token ("20–30" -> "20", "30").
    text: str = ""
    start: int = -1
    end: int = -1
    #: The other end of a range ("between 2,000 and 3,000"): it lends its `what`/`when`.
    partner: Candidate | None = None

    def __post_init__(self) -> None:
        if self.start < 0:
            self.text, self.start, self.end = (
                self.span.text, self.span.start_char, self.span.end_char)


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
        elif word in ("hundred", "dozen"):  # "two dozen" = 24, "a dozen" = 12
            current = (current or 1) * (100 if word == "hundred" else 12)
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
        found = doc.ents
        if any(ent.label_ == "DATE" for ent in found):
            ents: list[Span] = []
            for ent in found:
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
    ents = doc.ents
    spans = [ent for ent in ents if ent.label_ in FIGURE_LABELS]
    covered = {i for ent in ents for i in range(ent.start, ent.end)}
    if numeric_ner:
        # The stock NER misses some grouped numbers; a "16,531" is never anything but a count.
        # Found by word shape ("dd,ddd"), without a Python object per token.
        shapes = [doc.vocab.strings[shape] for shape in _GROUPED_SHAPES]
        for i in numpy.isin(doc.to_array(SHAPE), shapes).nonzero()[0].tolist():
            if i not in covered and _GROUPED.match(doc[i].text):
                spans.append(doc[i : i + 1])
    else:
        spans += [doc[t.i : t.i + 1] for t in doc
                  if t.i not in covered and t.like_num and t.text[:1].isdigit()]
    words = numpy.concatenate(([0], numpy.cumsum(doc.to_array(IS_ALPHA))))
    found: list[Candidate] = []
    for span in sorted(spans, key=lambda s: s.start):
        number = _strip_hedges(span)
        if (number is None or _is_furniture(number, words) or _is_age(number)
                or _is_numbering(number)
                or _is_score(number)):
            continue
        if number.start > 0 and doc[number.start - 1].text in _CURRENCY_SIGNS:
            number = doc[number.start - 1 : number.end]  # "[$]38,373": the NER left it out
        label = span.label_
        if number.end < len(doc) and doc[number.end].lower_ in _UNIT_AFTER:
            number = doc[number.start : number.end + 1]  # "8.69 [GW]"
            label = "QUANTITY"
        parts = _range_ends(number)
        if parts is None:
            candidate = _candidate(number, label, number.text, decimal_comma)
            found += [candidate] if candidate is not None else []
            continue
        low, high = (_candidate(part, label, read, decimal_comma, written, chars)
                     for part, read, written, chars in parts)
        if low is None or high is None or low.value >= high.value:
            continue  # a score ("2-1") or something else that is not a count
        low.partner, high.partner = high, low
        found += [low, high]
    return found


def _candidate(number: Span, label: str, read: str, decimal_comma: bool,
               written: str = "", chars: tuple[int, int] | None = None) -> Candidate | None:
    """A candidate whose value is read from ``read`` (a range's low end borrows the high
    end's unit: "20 to 30 percent" reads "20 percent"), ``written`` at ``chars`` (by default,
    the span's)."""
    written = written or number.text
    if re.fullmatch(r"\d{4}", written) and 1800 <= int(written) <= 2100:
        return None  # a year
    if written.lower() == "one":
        return None  # "one of the…", "no one": a pronoun far more often than a count
    parsed = parse_value(read, decimal_comma=decimal_comma)
    if parsed is None:
        return None
    if label not in ("QUANTITY", "MONEY") and parsed[1] not in _COUNT_UNITS:
        return None  # "Block 1B", "2−3": a number with leftovers that name no unit
    if chars is None:
        return Candidate(number, *parsed)
    return Candidate(number, *parsed, text=written, start=chars[0], end=chars[1])


# "2,000 and 3,000", "$1 billion to $2 billion", "30-40", "20–30 percent", "10%-15%".
_CURRENCY = r"(?:US)?[$€£]"
_RANGE = re.compile(
    rf"^(?P<low>(?P<cur>{_CURRENCY})?\s?\d[\d.,]*(?P<lowrest>\s?%|(?:\s[a-zA-Z]+){{0,2}}?))"
    r"(?:\s*[-–—−]\s*|\s+(?:and|to|or|y|a|al|hasta|o)\s+)"
    rf"(?P<high>(?:{_CURRENCY})?\s?\d[\d.,]*(?P<rest>.*))$"
)


def _range_ends(number: Span) -> list[tuple[Span, str, str, tuple[int, int]]] | None:
    """The two ends of a range: (token span, text to read, text as written, its characters)
    each."""
    match = _RANGE.match(number.text)
    if match is None:
        return None
    low, high = match.group("low"), match.group("high")
    if not match.group("lowrest").strip():
        low += match.group("rest")  # "20 to 30 percent": the low end is 20 percent too
    if match.group("cur") and not re.match(_CURRENCY, high):
        high = match.group("cur") + high  # "$1-2 billion"
    ends = []
    for name, read in (("low", low), ("high", high)):
        chars = (number.start_char + match.start(name), number.start_char + match.end(name))
        span = number.doc.char_span(*chars, alignment_mode="expand")
        if span is None:
            return None
        ends.append((span, read, match.group(name), chars))
    return ends


_AGE_WORDS = frozenset({"aged", "age", "ages", "edad"})
_CURRENCY_SIGNS = frozenset({"$", "US$", "€", "£", "₹", "Rs", "Rs."})
# Units written after a number the NER leaves out: "8.69 [GW]".
_UNIT_AFTER = frozenset({"gw", "mw", "kw", "kwh", "mwh", "gwh", "tw", "twh", "km", "kg", "mph",
                         "lakh", "crore"})


def _is_score(number: Span) -> bool:
    """"won 2-1", "led 14-7": a score or a tally (the larger number first), not a range."""
    doc, start, end = number.doc, number.start, number.end
    pairs = []
    if end + 1 < len(doc) and doc[end].text in ("-", "–") and not doc[end - 1].whitespace_:
        pairs.append((number.text, doc[end + 1].text))
    if start >= 2 and doc[start - 1].text in ("-", "–") and not doc[start - 2].whitespace_:
        pairs.append((doc[start - 2].text, number.text))
    return any(low.isdigit() and high.isdigit() and int(low) >= int(high)
               for low, high in pairs)


def _is_numbering(number: Span) -> bool:
    """"2. Never urged Ukraine…", "10) Modellino…": list numbering, not a count."""
    doc, start, end = number.doc, number.start, number.end
    first = start == 0 or doc[start].is_sent_start or "\n" in doc[start - 1].text
    return (first and end - start == 1 and end < len(doc) and doc[end].text in (".", ")")
            and number.text.isdigit())


def _is_age(number: Span) -> bool:
    """"aged 45", "Juan Pérez, 45, said", "María López (38)"."""
    doc, start, end = number.doc, number.start, number.end
    if start > 0 and doc[start - 1].lower_ in _AGE_WORDS:
        return True
    return (start > 1 and doc[start - 1].text in (",", "(") and end < len(doc)
            and doc[end].text in (",", ")", ".") and doc[start - 2].ent_type_ in ("PERSON", "PER")
            and number.text.isdigit() and int(number.text) < 120)


def _strip_hedges(span: Span) -> Span | None:
    trimmed = trim_space(span)
    if trimmed is None:
        return None
    start, end = trimmed.start, trimmed.end
    doc = span.doc
    while start < end - 1 and (doc[start].lower_ in _HEDGES or (
            doc[start].lower_ in ("a", "an") and doc[start + 1].lower_ in _HEDGES)):
        start += 1  # "[an estimated] 200,000", but "a dozen" stays
    return span.doc[start:end]


def _is_furniture(span: Span, words: numpy.ndarray) -> bool:
    """Numbers in page chrome ("12 comments", "Photo 3 of 12") sit in word-poor lines;
    ``words[i]`` is the number of words before token ``i``."""
    sentence = sentence_of(span)
    return words[sentence.end] - words[sentence.start] < 4


def sentence_of(span: Span) -> Span:
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


# --------------------------------------------------------------------------- what and when


def build(found: list[Candidate], parsed: dict[int, Doc], text: str | None = None
          ) -> list[Figure]:
    """Figures from the candidates of one doc; ``parsed`` maps a sentence's first token index
    to that sentence parsed on its own (absent when the pipeline has no parser); ``text`` is
    the doc's text when the caller has it."""
    if found and text is None:
        text = found[0].span.doc.text
    figures: dict[int, Figure] = {}
    for candidate in found:
        span, sentence = candidate.span, sentence_of(candidate.span)
        what = when = None
        sent_doc = parsed.get(sentence.start)
        if sent_doc is not None:
            offset = sentence.start
            local = sent_doc[span.start - offset : span.end - offset]
            inside = [c for c in found if sentence.start <= c.span.start < sentence.end]
            others = [c.span.start - offset for c in inside if c.span.start != span.start]
            numbers = {i - offset for c in inside for i in range(c.span.start, c.span.end)}
            what = _what(local, candidate.unit, numbers)
            when = _when(local, others)
        figures[id(candidate)] = Figure(
            value=candidate.value, text=candidate.text, unit=candidate.unit, what=what,
            when=when, sentence=text[sentence.start_char : sentence.end_char].strip(),
            start=candidate.start, end=candidate.end,
        )
    for candidate in found:  # the two ends of a range share what they count and when
        partner = figures.get(id(candidate.partner)) if candidate.partner else None
        if partner is not None:
            figure = figures[id(candidate)]
            figure.what = figure.what or partner.what
            figure.when = figure.when or partner.when
    previous: Figure | None = None
    for candidate in found:  # "…to $1.97 billion, down [from] $2.1 billion", "…, [or] 0.36%"
        figure = figures[id(candidate)]
        if (figure.what is None and previous is not None and previous.what
                and previous.sentence == figure.sentence and _compares(candidate.span)):
            figure.what = previous.what
        previous = figure
    return list(figures.values())


def _compares(span: Span) -> bool:
    """The figure is compared with, or restates, the one before it."""
    doc = span.doc
    before = [t.lower_ for t in doc[max(span.start - 3, 0) : span.start]]
    # "…208,560 new vehicles this year, [down] 5 percent from…": the change of the one before
    return any(word in _COMPARED or word in ("or", "up", "down") for word in before)


def _what(figure: Span, unit: str | None, numbers: set[int]) -> str | None:
    """What the figure counts; ``numbers`` are the tokens of every figure in the sentence
    (the other end of a range is not part of what is counted)."""
    root = figure.root
    inside = set(range(figure.start, figure.end)) | numbers
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
        if head.lower_ not in _UNIT_NOUNS:
            return _phrase(head, inside)  # "20,000 [visas]", "28,848 [encounters with …]"
        # "rose 102.2 [points]", "weighed 243 [pounds]": a measure of the verb's subject.
        root, head = head, head.head
        inside.add(root.i)
    while root.dep_ in ("conj", "appos") and head.i in inside | {h.i for h in _unit_heads(root)}:
        root, head = head, head.head  # "102.2 points, or [0.36%]": a restatement
    verb = head.head if root.dep_ == "pobj" else head
    for _ in range(2):  # "rose … [from] 0.90 percent to 1.23 percent"
        if verb.dep_ == "prep" and verb.lower_ in _SPAN_WORDS:
            verb = verb.head
    if verb.lower_ in _PARTICLES and not _is_verb(verb):
        verb = verb.head  # "was [up] 0.1%"
    if root.dep_ == "nsubj" and (fronted := _fronted_of(figure.doc)) is not None:
        return _phrase(fronted, inside)  # "Of the participants, 77 percent were…"
    if root.dep_ == "pobj" and head.lower_ == "by" and _is_verb(verb):
        # "reduced [GDP] by 0.25 percent": what changed is the object, if there is one
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i not in inside]
        if objects:
            return _phrase(objects[0], inside)
    if (root.dep_ not in ("pobj", "dobj", "attr", "oprd", "obj", "npadvmod")
            or not _is_verb(verb)):
        return None
    if not _is_level_verb(verb.lower_) and root.dep_ != "attr":
        return None
    subject = _subject(verb)
    return _phrase(subject, inside) if subject is not None else None


def _is_level_verb(word: str) -> bool:
    """"soared", "sinking", "averages": a verb whose subject is what the number measures."""
    if word in _LEVEL_VERBS:
        return True
    for ending in ("ing", "ed", "es", "s", "d"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            if stem in _LEVEL_VERBS or stem + "e" in _LEVEL_VERBS or (
                    len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in _LEVEL_VERBS):
                return True
    return False


def _fronted_of(doc: Doc) -> Token | None:
    """"[Of the total participants …], 77 percent were aged 26 or above": the group a share
    is taken of, written first."""
    first = doc[0] if len(doc) else None
    if first is None or first.lower_ not in ("of", "among", "de", "entre"):
        return None
    objects = [c for c in first.children if c.dep_ == "pobj"]
    return objects[0] if objects else None


def _unit_heads(token: Token) -> list[Token]:
    """Unit nouns a conjunct hangs from: "[points], or 0.36%"."""
    head = token.head
    return [head] if head.lower_ in _UNIT_NOUNS else []


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
            if c.dep_ not in _NOT_IN_PHRASE and not _is_date_phrase(c)
            and not exclude.intersection(range(c.left_edge.i, c.right_edge.i + 1))]
    left = min([head.i] + [c.left_edge.i for c in kept])
    right = max([head.i] + [c.right_edge.i for c in kept])
    tokens = list(head.doc[left : right + 1])
    while tokens and (tokens[0].dep_ in ("det", "predet", "punct") or tokens[0].is_punct
                      or tokens[0].i in exclude or tokens[0].lower_ in _HEDGES
                      or tokens[0].lower_ in _RANGE_JOINERS):
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


def _is_date_phrase(token: Token) -> bool:
    """"[in fiscal 2022]" after "6,182 Cubans": when, which is not part of what (unlike a
    duration: "the average number of Cubans found [in seven days]")."""
    if token.dep_ != "prep":
        return False
    objects = [c for c in token.children if c.dep_ == "pobj"]
    return bool(objects) and all(
        o.ent_type_ == "DATE" and not _is_duration(o.doc[o.left_edge.i : o.right_edge.i + 1].text)
        for o in objects
    )


def _names_a_thing(date: Span) -> bool:
    """"the [1994] accords", "the [2021] law": a date that names a thing, not a time."""
    root = date.root
    return root.dep_ in ("compound", "amod", "nmod", "nummod", "poss") and _is_noun(root.head) \
        and root.head.ent_type_ != "DATE"


def _when(figure: Span, others: list[int]) -> str | None:
    """The date in the figure's clause: the one right after it, else the one right before,
    never across another figure ("from 600 on Feb 26 to 1,300 on April 16")."""
    doc = figure.doc
    clause = _clause(figure.root)
    dates = [e for e in doc.ents if e.label_ == "DATE" and _WHEN_FORM.search(e.text)
             and not _is_duration(e.text) and not _names_a_thing(e)
             and not (e.start > 0 and doc[e.start - 1].lower_ in _AGE_WORDS)  # "aged 26 or…"
             and _clause(e.root).i == clause.i]
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
