"""Reading numbers as news writes them: digits, words, scales, currencies, percentages and
fractions ("$2 billion", "Rs 24 lakh", "two dozen", "hundreds of thousands", "two-thirds");
and the repair of counts the NER swallowed into a date ("February 26 to 1,300").

Value conventions: vague plurals count as two of their unit, multiplied out ("dozens" = 24,
"thousands" = 2,000, "hundreds of thousands" = 200,000, "tens of thousands" = 20,000), the
smallest amount the words allow; "a few"/"several" thousand count as two thousand too.
Fractions are fractions ("half" = 0.5, unit ``fraction``). Approximations ("about 600",
"more than 1,000") keep the number only.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..text import fold

# Hedges before a number, left out of the figure's text.
HEDGES = frozenset({
    "about", "around", "some", "nearly", "almost", "roughly", "approximately", "over", "under",
    "more", "less", "fewer", "than", "at", "least", "most", "up", "to", "as", "many", "much",
    "just", "close", "estimated", "only", "barely", "exactly", "upwards", "of", "the", "unas",
    "unos", "casi", "cerca", "de", "más", "menos", "alrededor", "between", "entre",
})
# Tokens that join the two ends of a range inside one DATE entity ("February 26 to 1,300").
RANGE_JOINERS = frozenset({"to", "and", "through", "until", "till", "-", "–", "—", "y", "al",
                            "hasta"})
UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
SCALES = {
    "hundred": 100, "thousand": 1e3, "k": 1e3, "mil": 1e3, "million": 1e6, "millions": 1e6,
    "m": 1e6, "mn": 1e6, "millon": 1e6, "millones": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
}
VAGUE = {"dozens": 12, "scores": 20, "tens": 10, "hundreds": 100, "thousands": 1e3,
          "millions": 1e6, "billions": 1e9}
NUMBER_WORDS = frozenset({"half", "dozen", "dozens", "few", "several", "and", "point", "per",
                           "cent", "quarter", "third", "unos", "pocos", "varios", "lakh",
                           "lakhs", "crore", "crores", "mil", "millones", "millón", "millon"})
CURRENCY_WORD = re.compile(r"dollars?|euros?|pounds?|pesos?|rupees?|usd|eur|gbp|mlc|cup|rs")
_FEW = re.compile(r"^(?:a few|several|unos pocos|varios)\s+")
_CURRENCIES = (
    # Other dollars first: "C$500 million", "5 million Canadian dollars" are no US dollars.
    (re.compile(r"\bc\$|\bcad\b|\bcanadian dollars?\b"), "CAD"),
    (re.compile(r"\ba\$|\baud\b|\baustralian dollars?\b"), "AUD"),
    (re.compile(r"\bhk\$|\bhkd\b|\bhong kong dollars?\b"), "HKD"),
    (re.compile(r"\bnz\$|\bnzd\b|\bnew zealand dollars?\b"), "NZD"),
    (re.compile(r"\br\$|\bbrl\b|\breais\b"), "BRL"),
    (re.compile(r"\bmx\$|\bmxn\b|\bmexican pesos?\b"), "MXN"),
    (re.compile(r"us\$|\$|\busd\b|\bdollars?\b|\bdolares\b"), "USD"),
    (re.compile(r"€|\beur\b|\beuros?\b"), "EUR"),
    (re.compile(r"£|\bgbp\b|\bpounds? sterling\b"), "GBP"),
    (re.compile(r"\bmlc\b"), "MLC"),
    (re.compile(r"\bcup\b|\bcuban pesos?\b|\bpesos? cubanos?\b"), "CUP"),
    (re.compile(r"\bpesos?\b"), "pesos"),
    (re.compile(r"₹|\brs\b\.?|\brupees?\b|\binr\b"), "INR"),
)
PERCENT = re.compile(r"%|\bper ?cent\b|\bpor ciento\b|\bpct\b")
AGE_WORDS = frozenset({"aged", "age", "ages", "edad"})
COUNT_UNITS = frozenset({None, "%", "fraction", *(code for _, code in _CURRENCIES)})
_FRACTION = re.compile(r"(?:(a|one|two|three)[\s-]+)?(half|thirds?|quarters?)")

FRACTION_WORDS = {"half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
                   "quarters": 0.25}
FRACTION_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}


# --------------------------------------------------------------------------- values


def parse_value(text: str, *, decimal_comma: bool = False) -> tuple[float, str | None] | None:
    """``"$2 billion"`` -> ``(2e9, "USD")``; ``None`` when the text is not a number."""
    folded = fold(text).replace("’", "'")
    unit = "%" if PERCENT.search(folded) else None
    for pattern, code in _CURRENCIES:
        if unit is None and pattern.search(folded):
            unit = code
            folded = pattern.sub(" ", folded)
    folded = PERCENT.sub(" ", folded).strip(" .")
    # "5m"/"2bn" abbreviate scales only for money: "50 m" of fence is metres.
    money = unit is not None and unit != "%"
    fraction = _FRACTION.fullmatch(folded)
    if fraction and unit is None:  # "half", "two-thirds", "a quarter"
        count = FRACTION_COUNTS.get(fraction.group(1) or "a", 1)
        return count * FRACTION_WORDS[fraction.group(2)], "fraction"
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
        while words and words[0] in SCALES and (money or len(words[0]) > 2):
            value *= SCALES[words.pop(0)]
        return value, " ".join(words)
    words = re.findall(r"[a-z]+", text)
    vague = _vague(words)
    if vague is not None:
        return vague, ""
    return _word_number(text), ""


def _vague(words: list[str]) -> float | None:
    """"hundreds of thousands" -> 200000 (see the module's conventions)."""
    if not words or words[0] not in VAGUE:
        return None
    value = 2 * VAGUE[words[0]]
    for i in range(1, len(words), 2):
        if words[i] != "of" or i + 1 >= len(words) or words[i + 1] not in VAGUE:
            return None
        value *= VAGUE[words[i + 1]]
    return value


def _word_number(text: str) -> float | None:
    few = _FEW.match(text)
    total, current, seen = 0.0, 2.0 if few else 0.0, bool(few)
    words = re.findall(r"[a-z]+", text[few.end():] if few else text)
    if not few and words and words[0] in SCALES:
        return None  # "multi-[trillion]-dollar": a scale counts nothing without its number
    half = bool(words) and words[0] == "half"
    for word in words[1:] if half else words:
        if word == "and":
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in ("hundred", "dozen"):  # "two dozen" = 24, "a dozen" = 12
            current = (current or 1) * (100 if word == "hundred" else 12)
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
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
        if token.lower_ in RANGE_JOINERS:
            parts.append((start, token.i))
            start = token.i + 1
    parts.append((start, ent.end))
    doc = ent.doc
    counts = {(s, e) for s, e in parts if e > s and _is_count(doc[s:e])}
    if not counts:
        return [ent]
    return [
        Span(doc, s, e, label="CARDINAL" if (s, e) in counts else "DATE")
        for s, e in parts if e > s
    ]


def _is_count(part: Span) -> bool:
    """Only hedges and numbers that cannot be a day or a year ("about 1,300")."""
    numbers = [t for t in part if t.lower_ not in HEDGES]
    return bool(numbers) and all(
        t.like_num and t.text[:1].isdigit() and not _is_date_number(t.text) for t in numbers
    )


def _is_date_number(text: str) -> bool:
    if re.fullmatch(r"\d{1,2}", text):
        return 1 <= int(text) <= 31
    return bool(re.fullmatch(r"\d{4}", text)) and 1000 <= int(text) <= 2999
