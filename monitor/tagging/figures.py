"""Figures: the numbers an article reports, what they count and when.

Candidates come from the NER (CARDINAL, MONEY, PERCENT, QUANTITY) of the fast pass, less what
is not a quantity (years, ages, list numbering, scores, labels such as "Title 42", hyphenated
modifiers, page furniture); only the sentences holding one are then parsed, and the parse
gives each figure its counted noun phrase (``what``) and the date in its clause (``when``),
see :mod:`monitor.tagging.counted`. Values are read by :mod:`monitor.tagging.numbers`;
``text`` is the number as written without its hedge ("600" of "about 600"), the sentence keeps
the hedge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy
from spacy.attrs import IS_ALPHA, LOWER, SHAPE
from spacy.tokens import Doc, Span, Token

from ..text import fold
from .counted import DURATION_UNIT, Dates, Marks, Tree, compares, restates, what_of, when_of
from .entity_base import Sentences, trim_space
from .numbers import (
    AGE_WORDS,
    COUNT_UNITS,
    CURRENCY_WORD,
    FRACTION_COUNTS,
    FRACTION_WORDS,
    HEDGES,
    NUMBER_WORDS,
    PERCENT,
    SCALES,
    UNITS,
    VAGUE,
    parse_value,
)

FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
# spaCy's word shapes of those numbers (a shape keeps at most four of a kind in a row).
_GROUPED_SHAPES = [
    "d" * lead + ",ddd" * groups for lead in (1, 2, 3) for groups in range(1, 6)
]


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
    #: "at least" when the text gives no exact number ("hundreds of thousands", "dozens"):
    #: ``value`` is then the lower bound the convention reads (200,000; 24), never a count
    #: the text stated. None for an exact figure.
    bound: str | None = None
    #: A count of the people the story cites ("two sources said"): kept, but out of the
    #: figure views (see :func:`is_attribution`).
    attribution: bool = False


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
    sentences = Sentences(doc)
    found: list[Candidate] = []
    for span in sorted(spans, key=lambda s: s.start):
        number = _strip_hedges(span)
        if (number is None or _is_furniture(number, words, sentences) or _is_age(number)
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
            if candidate is None:
                found += _word_range(number, label, decimal_comma)
            else:
                found.append(candidate)
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
    fractions = _fractions(doc, covered, words, sentences)
    return sorted(found + fractions, key=lambda c: c.start) if fractions else found


# What a fraction of time is: "a quarter of a century", "half of the year".
_TIME_WHOLES = frozenset({"century", "decade", "year", "month", "week", "day", "hour",
                          "season", "time", "term"})


# Hedges that make a bare "half" a share ("just over half were…"), and the words after which
# it is a time or a manner ("at half time", "half way").
_HALF_HEDGES = frozenset({"about", "nearly", "almost", "over", "than", "just", "roughly",
                          "around", "some", "approximately"})
_NOT_AFTER_HALF = frozenset({"time", "way", "hour", "hearted", "mast"})


def _fractions(doc: Doc, covered: set[int], words: numpy.ndarray,
               sentences: Sentences) -> list[Candidate]:
    """"half of the districts", "two-thirds of voters", "just over half were…": shares in
    words, which the NER leaves out. ``value`` is the fraction (0.5), ``unit`` "fraction"."""
    hashes = [doc.vocab.strings[w] for w in FRACTION_WORDS]
    found = []
    for i in numpy.isin(doc.to_array(LOWER), hashes).nonzero()[0].tolist():
        token = doc[i]
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        before = doc[i - 1] if i > 0 else None
        of = nxt is not None and nxt.lower_ == "of"
        hedged = (before is not None and before.lower_ in _HALF_HEDGES and token.lower_ == "half"
                  and (nxt is None or nxt.lower_ not in _NOT_AFTER_HALF and nxt.text != "-"))
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
        if before is not None and before.lower_ in FRACTION_COUNTS and token.lower_ != "half":
            count, start = FRACTION_COUNTS[before.lower_], before.i
        elif token.lower_ != "half":
            continue  # "third of …" without a count is an ordinal more often than not
        span = doc[start : i + 1]
        if not _is_furniture(span, words, sentences):
            found.append(Candidate(span, FRACTION_WORDS[token.lower_] * count, "fraction"))
    return found


def _word_range(number: Span, label: str, decimal_comma: bool) -> list[Candidate]:
    """"four to six", "two or three": a range in words, two figures that share their what."""
    joiners = [t.i for t in number if t.lower_ in ("to", "or", "-", "–")]
    if len(joiners) != 1 or joiners[0] in (number.start, number.end - 1):
        return []
    doc, j = number.doc, joiners[0]
    first = doc[number.start : j]
    low: Candidate | None
    if first.text.lower() == "one":  # "one or two": a count, whatever "one" is elsewhere
        low = Candidate(first, 1.0, None)
    else:
        low = _candidate(first, label, first.text, decimal_comma)
    high = _candidate(doc[j + 1 : number.end], label, doc[j + 1 : number.end].text,
                      decimal_comma)
    if low is None or high is None:
        return []
    low.partner, high.partner = high, low
    return [low, high]


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
    doc, end = number.doc, number.end
    after = doc[end + 1] if end + 1 < len(doc) and doc[end].text == "-" else (
        doc[end] if end < len(doc) else None)
    if parsed[1] == "fraction" and after is not None and after.lower_ in _NOT_AFTER_HALF:
        return None  # "at half time", "half-way"
    if label not in ("QUANTITY", "MONEY") and parsed[1] not in COUNT_UNITS:
        return None  # "Block 1B", "2−3": a number with leftovers that name no unit
    if chars is None:
        return Candidate(number, *parsed)
    return Candidate(number, *parsed, text=written, start=chars[0], end=chars[1])


# "2,000 and 3,000", "$1 billion to $2 billion", "30-40", "20–30 percent", "10%-15%".
_CURRENCY = r"(?:US|C|A|HK|NZ|R|MX)?[$€£]"
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


# Words that open a sentence before a count: "[Another] 500 arrived", "[Those] 300 were…".
_OPENERS = frozenset({"another", "all", "these", "those", "only", "just", "nearly", "some",
                      "the", "a", "an", "and", "but", "or", "with", "by", "in", "on",
                      "for", "since", "from", "after", "before", "during", "while", "when",
                      "if", "as", "so", "yet", "both", "each", "every", "per", "otras", "otros",
                      "los", "las", "unos", "unas", "en", "con", "y", "pero", "across",
                      "among", "including", "of", "about", "over", "under", "within",
                      "without", "around", "despite", "amid", "at", "to", "than", "like",
                      "unlike", "according", "between", "beyond", "throughout", "toward",
                      "towards", "against", "through", "into", "onto", "upon", "excluding",
                      "counting", "adding", "totaling", "totalling"})
_CURRENCY_SIGNS_LOWER = frozenset({"rs", "us", "usd", "eur", "gbp", "inr", "cup", "mlc"})
_CURRENCY_SIGNS = frozenset({"$", "US$", "C$", "A$", "HK$", "NZ$", "R$", "MX$", "€", "£", "₹",
                             "Rs", "Rs."})
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
    "issue", "question", "place", "area", "part", "kind", "sort", "type", "form",
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
    doc, start, end = number.doc, number.start, number.end
    money = any(t.text in _CURRENCY_SIGNS for t in doc[max(start - 1, 0) : end])
    return (end + 1 < len(doc) and doc[end].text in ("-", "–") and not doc[end - 1].whitespace_
            and not doc[end].whitespace_ and doc[end + 1].is_alpha and doc[end + 1].is_lower
            and not doc[end + 1].lower_.endswith("s") and doc[end + 1].lower_ not in SCALES
            # "a $6.99-a-month service", "the 1,900-mile-wide moon": a price or a measure
            and not money and doc[end + 1].lower_ not in _MEASURES)


# Units of measure that stay figures when fused to a noun: "the 1,900-mile-wide moon".
_MEASURES = frozenset({"mile", "kilometer", "kilometre", "km", "meter", "metre", "foot", "inch",
                       "yard", "pound", "ton", "tonne", "acre", "hectare", "gallon", "liter",
                       "litre", "percent", "point", "degree", "megawatt", "gigawatt"})


def _is_time_tail(number: Span) -> bool:
    """"a year or [two]", "a day or [two]": the end of a duration, not a count."""
    doc, start = number.doc, number.start
    return (start >= 3 and doc[start - 1].lower_ in ("or", "to")
            and bool(DURATION_UNIT.fullmatch(doc[start - 2].lower_))
            and doc[start - 3].lower_ in ("a", "an", "one"))  # not "this year to 16,531"


def _is_label(number: Span) -> bool:
    """"Title 42", "STOXX 600", "Boeing 737", "Article 5": a number that ends a name."""
    doc, start = number.doc, number.start
    if start == 0 or number.end - start != 1 or not re.fullmatch(r"\d{1,4}", number.text):
        return False
    before = doc[start - 1]
    return (before.is_alpha and before.text[:1].isupper() and before.lower_ not in HEDGES
            and before.lower_ not in _OPENERS
            and before.ent_type_ not in ("DATE", "TIME", "NORP", "GPE", "PERSON")
            and before.lower_ not in _CURRENCY_SIGNS_LOWER)


def _is_age(number: Span) -> bool:
    """"aged 45", "Juan Pérez, 45, said", "María López (38)"."""
    doc, start, end = number.doc, number.start, number.end
    if start > 0 and doc[start - 1].lower_ in AGE_WORDS:
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
    while start < end - 1 and (doc[start].lower_ in HEDGES or _not_numeric(doc[start]) or (
            doc[start].lower_ in ("a", "an") and doc[start + 1].lower_ in HEDGES)):
        start += 1  # "[an estimated] 200,000", "[post] $100,000", but "a dozen" stays
    return span.doc[start:end]


def _not_numeric(token: Token) -> bool:
    """A lower-case word the NER took into a number that no number is written with."""
    word = fold(token.lower_)
    return token.is_alpha and token.is_lower and not (
        word in UNITS or word in SCALES or word in VAGUE or word in NUMBER_WORDS
        or CURRENCY_WORD.fullmatch(word) or PERCENT.fullmatch(word))


def _is_furniture(span: Span, words: numpy.ndarray, sentences: Sentences) -> bool:
    """Numbers in page chrome ("12 comments", "Photo 3 of 12") sit in word-poor lines;
    ``words[i]`` is the number of words before token ``i``."""
    start, end = sentences.bounds(span.start)
    return words[end] - words[start] < 4


# Singular nouns that name a group: "200 [staff]" counts people.
_COLLECTIVES = frozenset({"staff", "personnel", "police", "crew", "workforce", "military",
                          "faculty", "clergy", "cattle", "livestock", "infantry", "militia"})


def _is_model_number(number: Span, unit: str | None) -> bool:
    """"its popular [737] Max jet", "the [777] program": a three- or four-digit number
    between a determiner and a singular noun names a model, it counts nothing."""
    root = number.root
    head, doc = root.head, number.doc
    return (unit is None and len(number) == 1 and bool(re.fullmatch(r"\d{3,4}", number.text))
            and root.dep_ in ("nummod", "compound") and head.tag_ == "NN"
            and head.lower_ not in _COLLECTIVES and number.start > 0
            and doc[number.start - 1].tag_ in ("DT", "PRP$", "JJ", "POS"))


def sentence_of(span: Span) -> Span:
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


# --------------------------------------------------------------------------- what and when


#: Words that leave a count open ("several thousand", "a few hundred", "unos 200").
_OPEN_WORDS = frozenset({"several", "few", "couple", "unos", "unas", "varios", "varias",
                         "pocos", "pocas"})


def is_vague(text: str) -> bool:
    """Whether a figure's text gives no exact number: a vague plural ("hundreds of
    thousands", "dozens", "millions of dollars") or an open count ("several thousand")."""
    return any(word in VAGUE or word in _OPEN_WORDS
               for word in text.lower().replace("-", " ").split())


def build(found: list[Candidate], parsed: dict[int, Doc], text: str | None = None
          ) -> list[Figure]:
    """Figures from the candidates of one doc; ``parsed`` maps a sentence's first token index
    to that sentence parsed on its own (absent when the pipeline has no parser); ``text`` is
    the doc's text when the caller has it."""
    if not found:
        return []
    if text is None:
        text = found[0].span.doc.text
    sentences = Sentences(found[0].span.doc)
    # Per sentence, once for all its figures: where they start, the tokens they take, its
    # dates (for each figure in turn, that was quadratic in a long sentence).
    members: dict[int, list[Candidate]] = {}
    for candidate in found:
        members.setdefault(sentences.bounds(candidate.span.start)[0], []).append(candidate)
    shared: dict[int, tuple[list[int], Marks, Dates]] = {}
    figures: dict[int, Figure] = {}
    elliptic: set[int] = set()  # bare counts whose noun is left out: "only [two] committed"
    for candidate in found:
        span = candidate.span
        sentence = sentences.of(span.start)
        what = when = None
        sent_doc = parsed.get(sentence.start)
        offset = sentence.start
        local = sent_doc[span.start - offset : span.end - offset] if sent_doc else None
        if candidate.text.lower() == "one" and (local is None or local.root.dep_ != "nummod"):
            continue  # only "one [woman]", confirmed by the parse
        if local is not None and _is_model_number(local, candidate.unit):
            continue
        if sent_doc is not None and local is not None:
            if sentence.start not in shared:
                inside = members[sentence.start]
                # The first tokens of all of them: those at the figure's own start are never
                # between it and a date.
                tree = Tree()
                shared[sentence.start] = (
                    sorted(c.span.start - offset for c in inside),
                    Marks((i - offset for c in inside for i in range(c.span.start, c.span.end)),
                          tree=tree),
                    Dates(sent_doc, tree))
            others, numbers, dates = shared[sentence.start]
            what = what_of(local, candidate.unit, numbers)
            when = when_of(local, others, dates)
            if what is None and candidate.unit is None and _stands_alone(local):
                elliptic.add(id(candidate))
        figures[id(candidate)] = Figure(
            value=candidate.value, text=candidate.text, unit=candidate.unit, what=what,
            when=when, sentence=text[sentence.start_char : sentence.end_char].strip(),
            start=candidate.start, end=candidate.end,
            bound="at least" if is_vague(candidate.text) else None,
        )
    for candidate in found:  # the two ends of a range share what they count and when
        partner = figures.get(id(candidate.partner)) if candidate.partner else None
        if partner is not None and id(candidate) in figures:
            figure = figures[id(candidate)]
            figure.what = figure.what or partner.what
            figure.when = figure.when or partner.when
    _fill_ellipses(found, figures, elliptic, sentences)
    previous: Figure | None = None
    for candidate in found:  # "…to $1.97 billion, down [from] $2.1 billion", "…, [or] 0.36%"
        if id(candidate) not in figures:
            continue
        figure = figures[id(candidate)]
        if (previous is not None and previous.what and previous.sentence == figure.sentence
                and (restates(candidate.span)
                     or (figure.what is None and (
                         compares(candidate.span)
                         or (figure.unit == previous.unit and _joined(candidate.span)))))):
            figure.what = previous.what  # "a decrease of 6% … and [30%] compared to…"
        previous = figure
    for figure in figures.values():
        figure.attribution = is_attribution(figure, text)
    return list(figures.values())


#: Who a story cites: "two sources said", "three officials told Reuters".
_ATTRIBUTION_HEADS = frozenset({
    "source", "sources", "official", "officials", "diplomat", "diplomats", "witness",
    "witnesses", "person", "people", "analyst", "analysts", "expert", "experts", "insider",
    "insiders", "aide", "aides", "fuente", "fuentes", "funcionario", "funcionarios"})
_SPEECH = re.compile(r"\b(?:said|say|says|told|tell|tells|according|dijeron|dijo|afirmaron)\b",
                     re.IGNORECASE)


def is_attribution(figure: Figure, text: str) -> bool:
    """Whether a figure counts the people a story cites ("two sources said", "according to
    three diplomats") rather than anything it reports: its ``what`` is a source or a group
    of speakers and a verb of saying follows it (or "according to" precedes it). "12
    officials were expelled" is a figure; "three officials told Reuters" is attribution."""
    if not figure.what:
        return False
    if figure.what.split()[0].lower() not in _ATTRIBUTION_HEADS:
        return False
    after = text[figure.end : figure.end + len(figure.what) + 40]
    before = text[max(0, figure.start - 16) : figure.start].lower()
    return bool(_SPEECH.search(after)) or "according to" in before


def _joined(span: Span) -> bool:
    """The figure follows "and" or "or": one more of the same."""
    return span.start > 0 and span.doc[span.start - 1].lower_ in ("and", "or")


# Roles of a number that stands for a noun phrase of its own: "only [two] committed".
_NOMINAL = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "attr"})


def _stands_alone(number: Span) -> bool:
    root = number.root
    return root.tag_ == "CD" and root.dep_ in _NOMINAL and not any(
        c.dep_ in ("prep", "compound", "amod") and not number.start <= c.i < number.end
        for c in root.children)


def _fill_ellipses(found: list[Candidate], figures: dict[int, Figure],
                   elliptic: set[int], sentences: Sentences) -> None:
    """A count standing alone counts what the last count before it did, in its sentence or
    the one before: "tapped three of those companies…, only [two] committed", "laid off more
    than 60 employees and Gannett laid off [several hundred]"."""
    last: tuple[int, str] | None = None  # (sentence start, what) of the last count
    for candidate in found:
        figure = figures.get(id(candidate))
        if figure is None or candidate.unit is not None:
            continue
        sentence_start = sentences.bounds(candidate.span.start)[0]
        if id(candidate) in elliptic and last is not None and (
                last[0] == sentence_start or (
                    sentence_start > 0 and sentences.bounds(sentence_start - 1)[0] == last[0])):
            figure.what = last[1]
        elif figure.what:
            last = (sentence_start, figure.what)
