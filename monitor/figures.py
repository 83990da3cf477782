"""Figures: the numbers an article reports, what they count and when.

Candidates come from the NER (CARDINAL, MONEY, PERCENT, QUANTITY) of the fast pass; only the
sentences holding one are then parsed, and the parse gives each figure its counted noun
phrase (``what``) and the date in its clause (``when``).

Value conventions: vague plurals count as two of their unit, multiplied out ("dozens" = 24,
"thousands" = 2,000, "hundreds of thousands" = 200,000, "tens of thousands" = 20,000), the
smallest amount the words allow; "a few"/"several" thousand count as two thousand too. Approximations ("about 600",
"more than 1,000") keep the number only: ``text`` is "600", the sentence keeps the hedge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy
from spacy.attrs import IS_ALPHA, LOWER, SHAPE
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
_NUMBER_WORDS = frozenset({"half", "dozen", "dozens", "few", "several", "and", "point", "per",
                           "cent", "quarter", "third", "unos", "pocos", "varios", "lakh",
                           "lakhs", "crore", "crores", "mil", "millones", "millón", "millon"})
_CURRENCY_WORD = re.compile(r"dollars?|euros?|pounds?|pesos?|rupees?|usd|eur|gbp|mlc|cup|rs")
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
_COUNT_UNITS = frozenset({None, "%", "fraction", *(code for _, code in _CURRENCIES)})
_FRACTION = re.compile(r"(?:(a|one|two|three)[\s-]+)?(half|thirds?|quarters?)")
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
    "degrees", "dollars", "dollar", "euros", "pesos", "kph", "mph", "inch", "inches", "mm",
    "cm", "millimeters", "millimetres", "centimeters", "centimetres", "liters", "litres",
    "gallons", "hectare", "acre", "kilometer", "kilometre", "meter", "metre",
})
_PARTICLES = frozenset({"up", "down", "higher", "lower", "off", "ahead", "behind"})
# Heads between a figure's preposition and its verb: "rose from 0.90 percent [to] 1.23".
_SPAN_WORDS = _PARTICLES | {"from", "to"}
# Prepositions of a comparison: "down [from] 4.7 million", "more [than] 300".
_COMPARED = frozenset({"from", "than", "with", "versus", "vs", "vs.", "against"})
# Children that are not part of a counted phrase: "20,000 visas [a year]", "[the] number".
_NOT_IN_PHRASE = frozenset({"det", "predet", "punct", "npadvmod", "appos", "relcl", "advcl",
                            "parataxis", "cc", "mark", "case"})
# Prepositions of a change: "rose [from] 0.90 percent [to] 1.23", "cut [by] 5%".
_CHANGE_PREPS = frozenset({"from", "to", "by"})
# Nouns that only carry a figure: "to the [tune] of $28 billion", "spent $5 million [a year]".
_IDIOMS = frozenset({"tune"})
# Verbs that move money; what the money is for is in their prepositions.
_SPENDING = frozenset(
    f"{base}{ending}" for base in ("spend", "pay", "invest", "allocate", "donate", "earmark",
                                   "budget", "lend", "owe", "award", "grant", "send", "charge")
    for ending in ("", "s", "ed", "ing")
) | frozenset({"spent", "paid", "gave", "given", "give", "gives", "giving", "lent", "sent",
               "invested", "allocated", "donated", "earmarked", "budgeted", "awarded"})
# Verbs after which "at N" is a place or a time, not a level: "arrived at 5", "met at 10".
_PLACES = frozenset({"arrive", "arrived", "arrives", "meet", "met", "meets", "land", "landed",
                     "gather", "gathered", "speak", "spoke", "said", "say", "says"})
_SPENT_ON = frozenset({"on", "in", "to", "for", "toward", "towards"})
_PRONOUNS = frozenset({"them", "us", "him", "her", "some", "many", "most", "others", "all",
                       "it", "they", "this", "that", "these", "those", "which", "who", "he",
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
    fraction = _FRACTION.fullmatch(folded)
    if fraction and unit is None:  # "half", "two-thirds", "a quarter"
        count = _FRACTION_COUNTS.get(fraction.group(1) or "a", 1)
        return count * _FRACTION_WORDS[fraction.group(2)], "fraction"
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
    total, current, seen = 0.0, 2.0 if few else 0.0, bool(few)
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
                or _is_numbering(number) or _is_modifier(number) or _is_label(number)
                or _is_time_tail(number)
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
        if low is None or high is None:
            continue
        if low.value >= high.value:
            if re.search(r"\s(?:to|a|al|hasta)\s", number.text):
                low.partner, high.partner = high, low  # a fall, "from 8% to 3%"
                found += [low, high]
            continue  # else a score ("2-1") or something else that is not a count
        low.partner, high.partner = high, low
        found += [low, high]
    fractions = _fractions(doc, covered, words)
    return sorted(found + fractions, key=lambda c: c.start) if fractions else found


_FRACTION_WORDS = {"half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
                   "quarters": 0.25}
_FRACTION_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}
# What a fraction of time is: "a quarter of a century", "half of the year".
_TIME_WHOLES = frozenset({"century", "decade", "year", "month", "week", "day", "hour",
                          "season", "time", "term"})


def _fractions(doc: Doc, covered: set[int], words: numpy.ndarray) -> list[Candidate]:
    """"half of the districts", "two-thirds of voters", "just over half were…": shares in
    words, which the NER leaves out. ``value`` is the fraction (0.5), ``unit`` "fraction"."""
    hashes = [doc.vocab.strings[w] for w in _FRACTION_WORDS]
    found = []
    for i in numpy.isin(doc.to_array(LOWER), hashes).nonzero()[0].tolist():
        token = doc[i]
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        before = doc[i - 1] if i > 0 else None
        of = nxt is not None and nxt.lower_ == "of"
        hedged = before is not None and before.lower_ in _HEDGES and token.lower_ == "half"
        if i in covered or not (of or hedged) or (before is not None and before.like_num):
            continue
        if of and i + 2 < len(doc) and (doc[i + 2].ent_type_ in ("DATE", "TIME") or any(
                t.lower_ in _TIME_WHOLES for t in doc[i + 2 : i + 4])):
            continue  # "half of the year", "a quarter of a century"
        if before is not None and before.lower_ in ("first", "second", "third", "fourth",
                                                     "last", "latter", "other", "better"):
            continue  # "the first half", "my other half"
        start, count = i, 1
        if before is not None and before.lower_ == "-" and i > 1:
            before, start = doc[i - 2], i - 1
        if before is not None and before.lower_ in _FRACTION_COUNTS and token.lower_ != "half":
            count, start = _FRACTION_COUNTS[before.lower_], before.i
        elif token.lower_ != "half":
            continue  # "third of …" without a count is an ordinal more often than not
        span = doc[start : i + 1]
        if not _is_furniture(span, words):
            found.append(Candidate(span, _FRACTION_WORDS[token.lower_] * count, "fraction"))
    return found


def _candidate(number: Span, label: str, read: str, decimal_comma: bool,
               written: str = "", chars: tuple[int, int] | None = None) -> Candidate | None:
    """A candidate whose value is read from ``read`` (a range's low end borrows the high
    end's unit: "20 to 30 percent" reads "20 percent"), ``written`` at ``chars`` (by default,
    the span's)."""
    written = written or number.text
    if re.fullmatch(r"\d{4}", written) and 1800 <= int(written) <= 2100:
        return None  # a year
    if written.lower() == "one" and not _counts_one(number):
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
# Words that open a sentence before a count: "[Another] 500 arrived", "[Those] 300 were…".
_OPENERS = frozenset({"another", "all", "these", "those", "only", "just", "nearly", "another",
                      "some", "the", "a", "an", "and", "but", "or", "with", "by", "in", "on",
                      "for", "since", "from", "after", "before", "during", "while", "when",
                      "if", "as", "so", "yet", "both", "each", "every", "per", "otras", "otros",
                      "los", "las", "unos", "unas", "en", "con", "y", "pero"})
_CURRENCY_SIGNS_LOWER = frozenset({"rs", "us", "usd", "eur", "gbp", "inr", "cup", "mlc"})
_CURRENCY_SIGNS = frozenset({"$", "US$", "€", "£", "₹", "Rs", "Rs."})
# Units written after a number the NER leaves out: "8.69 [GW]".
_UNIT_AFTER = frozenset({"gw", "mw", "kw", "kwh", "mwh", "gwh", "tw", "twh", "km", "kg", "mph",
                         "kph", "km/h", "mm", "cm",
                         "lakh", "crore"})


def _counts_one(number: Span) -> bool:
    """"one woman", "only one toilet": "one" before a common noun may be a count (the parse
    pass confirms it); "no one", "one of", "one day", "at one point" are not."""
    doc, start, end = number.doc, number.start, number.end
    if end >= len(doc) or not (doc[end].is_alpha and doc[end].is_lower):
        return False
    before = doc[start - 1].lower_ if start > 0 else ""
    return doc[end].lower_ not in _NOT_AFTER_ONE and before in _COUNTING_ONE


_NOT_AFTER_ONE = frozenset({
    "of", "another", "or", "more", "day", "time", "thing", "way", "point", "hand", "side",
    "reason", "by", "in", "to", "who", "that", "which", "such", "last", "final", "big",
    "major", "key", "main", "and", "is", "was", "has", "had", "would", "will", "can", "could",
    "might", "must", "should", "says", "said", "person", "the", "a", "an", "morning", "night",
    "week", "month", "year", "evening", "afternoon", "step", "example", "instance", "problem",
    "issue", "question", "thing", "place", "area", "part", "kind", "sort", "type", "form",
})
# Words that make "one" a count rather than an indefinite "a": a contrast ("only one
# toilet") or an enumeration ("300 Indians, including one woman", "charged with one count").
_COUNTING_ONE = frozenset({"only", "just", "exactly", "including", "included", "plus", "and",
                           "with", "merely", "solo", "sólo", "incluida", "incluido"})


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


def _is_modifier(number: Span) -> bool:
    """"a [two]-state solution", "a [four]-year term", "the [66]-year-old": a number fused to
    a singular noun by a hyphen describes something, it counts nothing."""
    doc, end = number.doc, number.end
    return (end + 1 < len(doc) and doc[end].text in ("-", "–") and not doc[end - 1].whitespace_
            and not doc[end].whitespace_ and doc[end + 1].is_alpha and doc[end + 1].is_lower
            and not doc[end + 1].lower_.endswith("s") and doc[end + 1].lower_ not in _SCALES)


def _is_time_tail(number: Span) -> bool:
    """"a year or [two]", "a day or [two]": the end of a duration, not a count."""
    doc, start = number.doc, number.start
    return (start >= 2 and doc[start - 1].lower_ in ("or", "to")
            and bool(_DURATION_UNIT.fullmatch(doc[start - 2].lower_)))


def _is_label(number: Span) -> bool:
    """"Title 42", "STOXX 600", "Boeing 737", "Article 5": a number that ends a name."""
    doc, start = number.doc, number.start
    if start == 0 or number.end - start != 1 or not re.fullmatch(r"\d{1,4}", number.text):
        return False
    before = doc[start - 1]
    return (before.is_alpha and before.text[:1].isupper() and before.lower_ not in _HEDGES
            and before.lower_ not in _OPENERS and before.ent_type_ not in ("DATE", "TIME", "NORP", "GPE", "PERSON")
            and before.lower_ not in _CURRENCY_SIGNS_LOWER)


def _is_age(number: Span) -> bool:
    """"aged 45", "Juan Pérez, 45, said", "María López (38)"."""
    doc, start, end = number.doc, number.start, number.end
    if start > 0 and doc[start - 1].lower_ in _AGE_WORDS:
        return True
    return (start > 1 and doc[start - 1].text in (",", "(") and end < len(doc)
            and doc[end].text in (",", ")", ".") and _names_someone(doc[start - 2])
            and number.text.isdigit() and int(number.text) < 120)


def _names_someone(token: Token) -> bool:
    """The word before ", 45,": a person's name, or a capitalised word the NER took for an
    organisation ("Assange, 47,") — not a place or a date ("Cuba, 12, Mexico, 9")."""
    return token.ent_type_ in ("PERSON", "PER") or (
        token.ent_type_ in ("ORG", "") and token.is_alpha and token.text[:1].isupper()
        and not token.is_sent_start)


def _strip_hedges(span: Span) -> Span | None:
    trimmed = trim_space(span)
    if trimmed is None:
        return None
    start, end = trimmed.start, trimmed.end
    doc = span.doc
    while start < end - 1 and (doc[start].lower_ in _HEDGES or _not_numeric(doc[start]) or (
            doc[start].lower_ in ("a", "an") and doc[start + 1].lower_ in _HEDGES)):
        start += 1  # "[an estimated] 200,000", "[post] $100,000", but "a dozen" stays
    return span.doc[start:end]


def _not_numeric(token: Token) -> bool:
    """A lower-case word the NER took into a number that no number is written with."""
    word = fold(token.lower_)
    return token.is_alpha and token.is_lower and not (
        word in _UNITS or word in _SCALES or word in _VAGUE or word in _NUMBER_WORDS
        or _CURRENCY_WORD.fullmatch(word) or _PERCENT.fullmatch(word))


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
        offset = sentence.start
        local = sent_doc[span.start - offset : span.end - offset] if sent_doc else None
        if candidate.text.lower() == "one" and (local is None or local.root.dep_ != "nummod"):
            continue  # only "one [woman]", confirmed by the parse
        if sent_doc is not None and local is not None:
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
        if partner is not None and id(candidate) in figures:
            figure = figures[id(candidate)]
            figure.what = figure.what or partner.what
            figure.when = figure.when or partner.when
    previous: Figure | None = None
    for candidate in found:  # "…to $1.97 billion, down [from] $2.1 billion", "…, [or] 0.36%"
        if id(candidate) not in figures:
            continue
        figure = figures[id(candidate)]
        if (previous is not None and previous.what and previous.sentence == figure.sentence
                and (_restates(candidate.span)
                     or (figure.what is None and _compares(candidate.span)))):
            figure.what = previous.what
        previous = figure
    return list(figures.values())


def _restates(span: Span) -> bool:
    """"…208,560 new vehicles this year[, down] 5 percent", "102.2 points[, or] 0.36%": the
    change or another form of the figure just before, whatever the parse says."""
    doc, start = span.doc, span.start
    if start >= 1 and doc[start - 1].text == "(":
        return True  # "55 mph [(]88.5 kph)": the same figure in other units
    return start >= 2 and doc[start - 2].text == "," and doc[start - 1].lower_ in (
        "up", "down", "or")


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
    heads = ("of", "in", "for") if unit not in (None, "%") else ("of",)
    for child in [c for t in (root, *figure) for c in t.children]:  # "two-[thirds of] voters"
        if child.dep_ == "prep" and child.lower_ in heads and child.i not in inside:
            objects = [c for c in child.children if c.dep_ == "pobj"
                       and c.ent_type_ not in _SETTINGS and not _distributive(c)
                       and c.lower_ not in _SETTING_WORDS]
            if objects:
                return _phrase(objects[0], inside)
    head = root.head
    if _modifies(root, inside):
        if head.lower_ not in _UNIT_NOUNS:
            return _phrase(head, inside)  # "20,000 [visas]", "28,848 [encounters with …]"
        # "rose 102.2 [points]", "weighed 243 [pounds]": a measure of the verb's subject;
        # "the $0.06/[kWh] benchmark": of the noun the unit modifies.
        root, head = head, head.head
        inside.add(root.i)
        if _modifies(root, inside) and head.lower_ not in _UNIT_NOUNS:
            return _phrase(head, inside)
    while root.dep_ in ("conj", "appos") and head.i in inside | {h.i for h in _unit_heads(root)}:
        root, head = head, head.head  # "102.2 points, or [0.36%]": a restatement
    if root.dep_ == "appos" and _is_noun(head) and head.i not in inside:
        return _phrase(head, inside)  # "their estimate ([$6 million] in both cases)"
    if root.dep_ == "pobj" and head.lower_ == "of" and _is_noun(head.head) \
            and head.head.i not in inside and head.head.lower_ not in _UNIT_NOUNS:
        owner = head.head
        if owner.lower_ not in _IDIOMS:
            return _phrase(owner, inside)  # "a net worth [of $17 million]", "an increase [of 5%]"
        root, head = owner, owner.head  # "spent on payments, to the tune [of] $28 billion"
        if head.dep_ == "prep" and fold(head.head.lower_) in _SPENDING:
            return _spent(head.head, figure, inside | {root.i, head.i})
    verb = head.head if root.dep_ == "pobj" else head
    via = head if root.dep_ == "pobj" else None  # the figure's preposition
    for _ in range(2):  # "rose … [from] 0.90 percent to 1.23 percent"
        if verb.dep_ == "prep" and verb.lower_ in _SPAN_WORDS:
            verb = verb.head
    if verb.lower_ in _PARTICLES and not _is_verb(verb):
        verb = verb.head  # "was [up] 0.1%"
        if _is_noun(verb) and not _has_aux(verb) and verb.i not in inside:
            return _phrase(verb, inside)  # "with the euro [up 0.05%]"
    if root.dep_ in ("nsubj", "nsubjpass", "npadvmod", "conj") \
            and (fronted := _fronted_of(figure.doc)) is not None:
        return _phrase(fronted, inside)  # "Of the participants, 77 percent were…, 15% Hispanic"
    if via is not None and via.lower_ in _CHANGE_PREPS:
        if _is_verb(verb):
            # "reduced [GDP] by 0.25 percent", "increase [efficiency] from 20% to 24%": what
            # changed is the object, if there is one
            objects = [c for c in verb.children if c.dep_ == "dobj" and _is_thing(c, inside)]
            if objects:
                return _phrase(objects[0], inside)
        elif _is_noun(verb) and verb.i not in inside and verb.lower_ not in _UNIT_NOUNS:
            # "a reduction [in solar module costs] from $0.23 to $0.10", else "an increase"
            changed = _object_of(verb, ("in", "of"), inside)
            return _phrase(changed if changed is not None else verb, inside)
    if via is not None and via.lower_ == "at" and _is_verb(verb) and verb.lower_ not in _PLACES:
        objects = [c for c in verb.children if c.dep_ == "dobj" and _is_thing(c, inside)]
        subject = objects[0] if objects else _subject(verb)
        return _phrase(subject, inside) if subject is not None else None
    if unit not in _COUNT_UNITS - {None, "%"} or not _is_verb(verb):
        pass
    elif root.dep_ in ("dobj", "dative") and fold(verb.lower_) in _SPENDING:
        return _spent(verb, figure, inside)  # "spent Rs 24 lakh [in the four attempts]"
    elif root.dep_ == "npadvmod" and verb.lower_ in _IDIOMS and fold(verb.head.lower_) in _SPENDING:
        return _spent(verb.head, figure, inside)
    if (root.dep_ not in ("pobj", "dobj", "attr", "oprd", "obj", "npadvmod")
            or not (_is_verb(verb) or _has_aux(verb))):
        return None
    # Any verb of a share or a measure ("the yen strengthened 0.13%", "winds gusting to 55
    # mph"), else a verb of level.
    if not (unit == "%" or unit not in _COUNT_UNITS or _is_level_verb(verb.lower_)
            or root.dep_ == "attr"):
        return None
    subject = _subject(verb)
    return _phrase(subject, inside) if subject is not None else None


# Where or when a sum is, not what it is: "$1.10 [in London]", "$2 billion [in 2023]".
_SETTINGS = frozenset({"DATE", "TIME", "GPE", "LOC", "FAC"})
_SETTING_WORDS = frozenset({"trading", "trade", "session", "morning", "afternoon", "evening",
                            "total", "all", "sum", "terms", "value", "today"})


def _distributive(token: Token) -> bool:
    """"in [both] cases", "in [each] case": how a figure applies, not what it counts."""
    return any(c.dep_ in ("det", "predet") and c.lower_ in ("both", "each", "every", "all")
               for c in token.children)


def _is_thing(token: Token, inside: set[int]) -> bool:
    """A noun phrase that is not a figure or its unit: "lost [1.85 points] … to 3,120.18"."""
    return token.lower_ not in _UNIT_NOUNS and not inside.intersection(
        range(token.left_edge.i, token.right_edge.i + 1))


def _has_aux(token: Token) -> bool:
    """A verb the tagger took for a noun: "[was] last trading up 0.4%"."""
    return any(c.dep_ in ("aux", "auxpass") for c in token.children)


def _modifies(root: Token, inside: set[int]) -> bool:
    head = root.head
    return (root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod")
            and head.i not in inside and _is_noun(head))


def _object_of(token: Token, preps: tuple[str, ...], inside: set[int]) -> Token | None:
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in preps and child.i not in inside:
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and grandchild.i not in inside:
                    return grandchild
    return None


def _spent(verb: Token, figure: Span, inside: set[int]) -> str | None:
    """Money a verb of spending moves: "spent … [on advocacy]", "given … [to an agent]"."""
    places = [c for t in (verb, *figure) for c in t.children
              if c.dep_ in ("prep", "dative") and c.lower_ in _SPENT_ON and c.i not in inside
              and any(g.dep_ == "pobj" for g in c.children)]
    if not places:
        return None
    place = min(places, key=lambda c: c.i)
    doc, end = place.doc, place.right_edge.i + 1
    end = min([end] + [i for i in inside if place.i < i < end])  # "… in [four attempts]
    while end > place.i + 1 and (doc[end - 1].is_punct or doc[end - 1].dep_ == "cc"):
        end -= 1  # and Rs 40 lakh on…"
    words = doc[place.i : end]
    if len(words) < 2 or len(words) > _MAX_WHAT_TOKENS:
        return None
    return f"{verb.text} {words.text}"


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
        if verb.dep_ == "acl" and _is_noun(verb.head):
            # "winds [gusting] at times to 55 mph": the noun the participle describes
            return None if verb.head.lower_ in _PRONOUNS else verb.head
        if not (verb.dep_ in ("conj", "xcomp") or (verb.dep_ == "advcl" and verb.tag_ == "VBG")):
            return None  # "The bond weakened sharply, [hitting] 16.057%": the main verb's
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
    for k, token in enumerate(tokens[:-1]):
        if token.text == "," and tokens[k + 1].dep_ in _AFTERTHOUGHTS:
            tokens = tokens[:k]  # "one woman[, near the river]"
            break
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if len(tokens) > _MAX_WHAT_TOKENS:
        # A long subtree: its core, "the number of respondents [aged between … who had …]"
        core = sorted(_core(head, exclude))
        if len(core) > _MAX_WHAT_TOKENS:
            return None  # a runaway subtree (lists, tables) says nothing useful
        text = "".join(head.doc[i].text_with_ws for i in core).strip()
        return _COUNT_PREFIX.sub("", text) or None if "\n" not in text else None
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].lower_ in _PRONOUNS:
        return None  # "16,531 of them"
    text = head.doc[tokens[0].i : tokens[-1].i + 1].text
    if "\n" in text or "://" in text:
        return None
    return _COUNT_PREFIX.sub("", text) or None


def _core(head: Token, exclude: set[int]) -> set[int]:
    """The head, the words that name it (compounds, adjectives, possessives) and its "of"
    phrase, without clauses or other prepositions."""
    kept = {head.i}
    for child in head.children:
        if child.i in exclude:
            continue
        if child.dep_ in _CORE or (child.dep_ == "prep" and child.lower_ == "of"):
            kept |= _core(child, exclude)
        elif child.dep_ == "pobj" and head.dep_ == "prep":
            kept |= _core(child, exclude)
    return kept


_AFTERTHOUGHTS = frozenset({"prep", "advmod", "acl", "relcl", "npadvmod", "appos", "advcl"})
_CORE = frozenset({"compound", "amod", "nmod", "poss", "case", "nummod", "quantmod", "advmod"})


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
    candidates = [e for e in doc.ents if e.label_ == "DATE" and _WHEN_FORM.search(e.text)
                  and not _is_duration(e.text) and not _names_a_thing(e)
                  # "aged 26 or…"
                  and not (e.start > 0 and doc[e.start - 1].lower_ in _AGE_WORDS)]
    dates = [e for e in candidates if _clause(e.root).i == clause.i]
    found = _nearest(figure, dates, others)
    if found is None and _is_verb(clause):
        # "The average price of a new truck sold [in October] was $41,640": the subject's
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        inner = [e for e in candidates for c in subjects
                 if c.left_edge.i <= e.start and e.end <= c.right_edge.i + 1]
        found = _nearest(figure, inner, others)
    return found


def _nearest(figure: Span, dates: list[Span], others: list[int]) -> str | None:
    """The date right after the figure, else the one right before, never across another
    figure ("from 600 on Feb 26 to 1,300 on April 16")."""
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
