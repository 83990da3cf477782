"""What a figure counts and when, read off the dependency parse of its sentence.

``what``: the counted noun phrase ("16,531 [Cubans apprehended at the border]"), the noun a
figure is *of* ("a [net worth] of $17 million"), the subject of a verb of level or change
("[arrivals] rose to 1,300"), the object of a transitive change ("raise [coverage] from 70%
to 90%"), what money was spent on, the group a share is taken of ("Of [the migrants], 40%
were women"). ``when``: the date in the figure's clause, never across another figure.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .numbers import AGE_WORDS, COUNT_UNITS, HEDGES, RANGE_JOINERS
from .text import fold

_MAX_WHAT_TOKENS = 15
# A `when` names a time: it has a word ("February", "last year") or is a year or ISO date;
# "15 24" or "6-5" are table cells and scores the NER took for dates.
_WHEN_FORM = re.compile(r"[^\W\d_]|^\d{4}s?$|^\d{4}-\d{2}(?:-\d{2})?$")

_COUNT_PREFIX = re.compile(r"^(?:total\s+)?(?:number|count|tally|total)\s+of\s+", re.I)
# Verbs whose subject is what the number measures ("arrivals soared to 16,531"), as written:
# the parse pass skips the lemmatizer (and the attribute ruler it needs), a third of its cost.
_LEVEL_VERBS = frozenset({  # bases: ``_is_verb_of`` takes their regular forms in
    "soar", "climb", "reach", "jump", "total", "hit", "top", "exceed", "surpass", "dip",
    "slip", "edge", "spike", "swell", "balloon", "plunge", "plummet", "surge", "ease",
    "hover", "remain", "stay", "amount", "number", "double", "triple", "decline", "increase",
    "decrease", "tumble", "drop", "slash", "reduce", "lower", "boost", "trim", "hike",
    "halve",
}) | frozenset({
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
    "gallons", "hectare", "acre", "kilometer", "kilometre", "metre",
})
# Time nouns the parse may hang a figure on: "up 40% [year] to date".
_TIME_NOUNS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days",
                         "date", "quarter", "quarters", "decade", "session"})
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
_SPENDING = frozenset({  # bases and irregular forms, as ``_LEVEL_VERBS``
    "spend", "pay", "invest", "allocate", "donate", "earmark", "budget", "lend", "owe", "award",
    "grant", "send", "charge", "give", "spent", "paid", "gave", "given", "lent", "sent",
})
# Verbs after which "at N" is a place or a time, not a level: "arrived at 5", "met at 10".
_PLACES = frozenset({"arrive", "arrived", "arrives", "meet", "met", "meets", "land", "landed",
                     "gather", "gathered", "speak", "spoke", "said", "say", "says"})
_SPENT_ON = frozenset({"on", "in", "to", "for", "toward", "towards"})
_PRONOUNS = frozenset({"them", "us", "him", "her", "some", "many", "most", "others", "all",
                       "it", "they", "this", "that", "these", "those", "which", "who", "he",
                       "she", "we", "i", "you"})
DURATION_UNIT = re.compile(r"\b(?:day|week|month|year|decade|hour|minute)s?\b")
_ANCHOR = re.compile(
    r"\b(?:last|this|next|past|previous|coming|ago|since|earlier|later|end|beginning|start|"
    r"early|late|mid|fiscal|current|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|\d{4})\b"
)



def restates(span: Span) -> bool:
    """"…208,560 new vehicles this year[, down] 5 percent", "102.2 points[, or] 0.36%": the
    change or another form of the figure just before, whatever the parse says."""
    doc, start = span.doc, span.start
    if start >= 1 and doc[start - 1].text == "(":
        return True  # "55 mph [(]88.5 kph)": the same figure in other units
    return start >= 2 and doc[start - 2].text == "," and doc[start - 1].lower_ in (
        "up", "down", "or")


def compares(span: Span) -> bool:
    """The figure is compared with, or restates, the one before it."""
    doc = span.doc
    before = [t.lower_ for t in doc[max(span.start - 3, 0) : span.start]]
    # "…208,560 new vehicles this year, [down] 5 percent from…": the change of the one before
    return any(word in _COMPARED or word in ("or", "up", "down") for word in before)


def what_of(figure: Span, unit: str | None, numbers: set[int]) -> str | None:
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
    for restated in (c for c in root.children if c.dep_ == "conj" and c.lower_ in _UNIT_NOUNS):
        measured = _object_of(restated, ("of",), inside)  # "2,750 tons, or 2,500 tons, [of
        if measured is not None:                           # water]"
            return _phrase(measured, inside)
    head = root.head
    if root.dep_ == "quantmod" and head.i in numbers and head.dep_ == "nummod" \
            and _is_noun(head.head) and head.head.i not in inside:
        return _phrase(head.head, inside)  # "[two] of three requirements", "eight out of ten"
    if _modifies(root, inside):
        if head.lower_ not in _UNIT_NOUNS and head.lower_ not in _TIME_NOUNS:
            return _phrase(head, inside)  # "20,000 [visas]", "28,848 [encounters with …]"
        # "rose 102.2 [points]", "weighed 243 [pounds]": a measure of the verb's subject;
        # "the $0.06/[kWh] benchmark": of the noun the unit modifies; "up 40% [year] to
        # date": a time the parse hung the figure on.
        root, head = head, head.head
        inside.add(root.i)
        for unit in (root, *(c for c in root.children if c.dep_ == "conj")):
            measured = _object_of(unit, ("of",), inside)  # "2,750 tons, or 2,500 tons, of water"
            if measured is not None and unit.lower_ in _UNIT_NOUNS:
                return _phrase(measured, inside)
        if _modifies(root, inside) and head.lower_ not in _UNIT_NOUNS:
            return _phrase(head, inside)
    if root.dep_ in ("npadvmod", "pobj") and head.lower_ == "worth" or (
            root.dep_ == "pobj" and head.head.lower_ == "worth"):
        worth = head if head.lower_ == "worth" else head.head  # "a deal [worth] $600 million"
        if _is_noun(worth.head) and worth.head.i not in inside:
            return _phrase(worth.head, inside)
        thing = _direct_object(worth.head, inside)
        if thing is not None:
            return _phrase(thing, inside)  # "receiving [a lifeline] … worth up to $8 billion"
    while root.dep_ in ("conj", "appos") and head.i in inside | {h.i for h in _unit_heads(root)}:
        root, head = head, head.head  # "102.2 points, or [0.36%]": a restatement
    if root.dep_ == "appos" and _is_noun(head) and head.i not in inside \
            and head.ent_type_ != "DATE":
        return _phrase(head, inside)  # "their estimate ([$6 million] in both cases)"
    if root.dep_ == "pobj" and head.lower_ == "for" and unit not in (None, "%", "fraction"):
        bought = head.head  # "a purchase of The Times [for] $500 million", "bid … for $13"
        if _is_noun(bought) and bought.i not in inside and bought.lower_ not in _UNIT_NOUNS:
            return _phrase(bought, inside)
        thing = _direct_object(bought, inside)
        if _is_verb(bought) and thing is not None:
            return _phrase(thing, inside)  # "acquiring [the stake] … for $13 a share"
    if root.dep_ == "pobj" and head.lower_ == "of" and _is_noun(head.head) \
            and head.head.i not in inside and head.head.lower_ not in _UNIT_NOUNS:
        owner = head.head
        if owner.lower_ not in _IDIOMS:
            return _phrase(owner, inside)  # "a net worth [of $17 million]", "an increase [of 5%]"
        root, head = owner, owner.head  # "spent on payments, to the tune [of] $28 billion"
        if head.dep_ == "prep" and _is_verb_of(fold(head.head.lower_), _SPENDING):
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
            thing = _direct_object(verb, inside)
            if thing is not None:
                return _phrase(thing, inside)
        elif _is_noun(verb) and verb.i not in inside and verb.lower_ not in _UNIT_NOUNS:
            # "a reduction [in solar module costs] from $0.23 to $0.10", else "an increase"
            changed = _object_of(verb, ("in", "of"), inside)
            return _phrase(changed if changed is not None else verb, inside)
    if via is not None and via.lower_ == "at" and _is_verb(verb) and verb.lower_ not in _PLACES:
        thing = _direct_object(verb, inside)
        subject = thing if thing is not None else _subject(verb)
        return _phrase(subject, inside) if subject is not None else None
    if unit not in COUNT_UNITS - {None, "%"} or not _is_verb(verb):
        pass
    elif root.dep_ in ("dobj", "dative") and _is_verb_of(fold(verb.lower_), _SPENDING):
        return _spent(verb, figure, inside)  # "spent Rs 24 lakh [in the four attempts]"
    elif (root.dep_ == "npadvmod" and verb.lower_ in _IDIOMS
          and _is_verb_of(fold(verb.head.lower_), _SPENDING)):
        return _spent(verb.head, figure, inside)
    if (root.dep_ not in ("pobj", "dobj", "attr", "oprd", "obj", "npadvmod")
            or not (_is_verb(verb) or _has_aux(verb))):
        return None
    # Any verb of a share or a measure ("the yen strengthened 0.13%", "winds gusting to 55
    # mph"), else a verb of level.
    if not (unit == "%" or unit not in COUNT_UNITS or _is_level_verb(verb.lower_)
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


def _direct_object(verb: Token, inside: set[int]) -> Token | None:
    """The verb's first direct object that is not a figure or its unit."""
    return next((c for c in verb.children if c.dep_ == "dobj" and _is_thing(c, inside)), None)


def _is_thing(token: Token, inside: set[int]) -> bool:
    """A noun phrase that is not a figure or its unit: "lost [1.85 points] … to 3,120.18"."""
    return token.lower_ not in _UNIT_NOUNS and not inside.intersection(
        range(token.left_edge.i, token.right_edge.i + 1))


def _has_aux(token: Token) -> bool:
    """A verb the tagger took for a noun: "[was] last trading up 0.4%"."""
    return any(c.dep_ in ("aux", "auxpass") for c in token.children)


def _modifies(root: Token, inside: set[int]) -> bool:
    head = root.head
    return (root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "predet")
            and head.i not in inside and (_is_noun(head) or (
                # "stopped 6,340 [Cubans migrating] by sea": a gerund the parse made the head
                root.dep_ == "nummod" and head.tag_ == "VBG"
                and head.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj"))))


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
    return _is_verb_of(word, _LEVEL_VERBS)


def _is_verb_of(word: str, verbs: frozenset[str]) -> bool:
    """``word`` is one of ``verbs`` (bases and irregular forms) or a regular form of one:
    "soared", "sinking", "dipped", "averages", "spending"."""
    if word in verbs:
        return True
    for ending in ("ing", "ed", "es", "s", "d"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            if stem in verbs or stem + "e" in verbs or (
                    len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in verbs):
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
                      or tokens[0].i in exclude or tokens[0].lower_ in HEDGES
                      or tokens[0].lower_ in RANGE_JOINERS):
        tokens.pop(0)
    for k, token in enumerate(tokens[:-1]):
        if token.text == "," and tokens[k + 1].dep_ in _AFTERTHOUGHTS:
            tokens = tokens[:k]  # "one woman[, near the river]"
            break
    while tokens and (tokens[-1].is_punct or (  # "a decrease [of]" when the parse hung
            tokens[-1].dep_ == "prep" and not any(c.dep_ == "pobj" for c in tokens[-1].children))):
        tokens.pop()  # the figure elsewhere
    if len(tokens) > _MAX_WHAT_TOKENS:
        # A long subtree: its core, "the number of respondents [aged between … who had …]"
        core = sorted(_core(head, exclude))
        if len(core) > _MAX_WHAT_TOKENS:
            return None  # a runaway subtree (lists, tables) says nothing useful
        text = "".join(head.doc[i].text_with_ws for i in core).strip()
        if "\n" in text or "://" in text:
            return None
        return _COUNT_PREFIX.sub("", text) or None
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
        if child.dep_ in _CORE:
            kept |= _core(child, exclude)
        elif child.dep_ == "prep" and child.lower_ == "of":
            of = _core(child, exclude)
            if len(of) > 1:  # not an "of" whose object is the figure
                kept |= of
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


def when_of(figure: Span, others: list[int]) -> str | None:
    """The date in the figure's clause: the one right after it, else the one right before,
    never across another figure ("from 600 on Feb 26 to 1,300 on April 16")."""
    doc = figure.doc
    clause = _clause(figure.root)
    candidates = [e for e in doc.ents if e.label_ == "DATE" and _WHEN_FORM.search(e.text)
                  and not _is_duration(e.text) and not _names_a_thing(e)
                  # "aged 26 or…"
                  and not (e.start > 0 and doc[e.start - 1].lower_ in AGE_WORDS)]
    start = figure.start
    bracketed = next((e for e in candidates if start >= 2 and doc[start - 1].text == "("
                      and e.end == start - 1), None)
    if bracketed is not None:
        return bracketed.text  # "the months of May (18,984), June (17,561)…"
    dates = [e for e in candidates if _clause(e.root).i == clause.i]
    found = _nearest(figure, dates, others)
    if found is None and _is_verb(clause):
        # "The average price of a new truck sold [in October] was $41,640": the subject's
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        inner = [e for c in subjects for e in _dates_within(c, candidates)]
        found = _nearest(figure, inner, others)
    if found is None and figure.root.dep_ in ("nummod", "quantmod"):
        # "532,000 [Cubans … who entered the United States since October 2022]": a date
        # that says which of the counted
        found = _nearest(figure, _dates_within(figure.root.head, candidates), others)
    if found is None:
        found = _antecedent_date(clause, candidates)
    if found is None:
        found = _fronted(doc, candidates)
    return found


def _dates_within(head: Token, dates: list[Span]) -> list[Span]:
    """The dates inside the phrase ``head`` heads."""
    return [d for d in dates if head.left_edge.i <= d.start and d.end <= head.right_edge.i + 1]


def _antecedent_date(clause: Token, dates: list[Span]) -> str | None:
    """"last year, [when] 200,287 people arrived", "the rafter crisis in 1994, [when] 35,000
    Cubans took to the seas": a clause of "when" is dated by the time it describes."""
    when = next((c for c in clause.children if c.dep_ == "advmod" and c.lower_ == "when"),
                None)
    if clause.dep_ not in ("relcl", "advcl") or when is None:
        return None
    for date in dates:  # "…last year[, when]…", whatever the parse hangs the clause on
        if date.end == when.i or (date.end == when.i - 1 and when.nbor(-1).text == ","):
            return date.text
    head = clause.head
    places = [head] + [g for c in head.children if c.dep_ == "prep" for g in c.children
                       if g.dep_ == "pobj"]
    for token in places:
        for date in dates:
            if date.start <= token.i < date.end:
                return date.text
    return None


def _fronted(doc: Doc, dates: list[Span]) -> str | None:
    """"[On July 4], three interdictions totaling 35 migrants took place": a date written
    first and set off by a comma dates the whole sentence."""
    first = next((d for d in dates if d.start <= 1), None)
    if first is None or first.end >= len(doc) or doc[first.end].text != ",":
        return None
    if any(t.pos_ not in ("ADP", "DET") and t.tag_ not in ("IN", "DT") for t in doc[: first.start]):
        return None
    return first.text


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
    return bool(DURATION_UNIT.search(folded)) and not _ANCHOR.search(folded)
