"""Titles of people. The ``monitor_titles`` component (registered on import, unit-testable on
``spacy.blank("en")``) marks every title of ``models/titles.txt`` in ``doc.spans["titles"]``;
the rules here then attach a title to a name wherever news prose puts it: before the name,
in an apposition after it, possessive, after a verb of being ("Smith, who is the embassy's
chargé d'affaires"), each with the affiliation the text gives; and they find people the NER
missed right after a title.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import accumulate

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from ..assets import Assets
from ..text import fold, squash, strip_accents
from .entity_base import (
    ADVERBS,
    AFFILIATION_LABELS,
    APPOSITION_CONNECTORS,
    BE,
    BOUNDARIES,
    CLAUSE_PRONOUNS,
    CONNECTORS,
    DESCRIPTIVE,
    DETERMINERS,
    GENERIC_HEADS,
    HONORIFICS,
    INTRODUCERS,
    MAX_APPOSITION,
    MAX_MODIFIERS,
    MAX_PORTFOLIO,
    NAME_PARTICLES,
    NAMED,
    ORG_HEADS,
    OWNER_CONNECTORS,
    PARTY_FORM,
    PERFECT,
    PERSON_LABELS,
    PLACE_LABELS,
    POSSESSIVE,
    PRE_QUALIFIERS,
    QUALIFIERS,
    RANKS,
    SERVES,
    SMALL_WORDS,
    SUBJECT_ROLES,
    TIME_QUALIFIERS,
    TIME_WORDS,
    TITLES_KEY,
    Entity,
    Sentences,
    folded_words,
    looks_like_agency,
    normalise_name,
    stopped,
    title_case,
)
from .gazetteer import Names


def _variants(title: str) -> set[str]:
    # Articles spell chargé d’affaires with either apostrophe and with or without the accent;
    # "Rep." is one token only when capitalised (a tokenizer exception), so match that too.
    forms = {title, strip_accents(title)}
    forms |= {form.replace("'", "’") for form in forms}
    # "Rear Adm.": abbreviations are one token only when capitalised, so every word too
    return forms | {form[:1].upper() + form[1:] for form in forms} | {
        " ".join(word[:1].upper() + word[1:] for word in form.split(" ")) for form in forms}


class TitleMarker:
    """Marks every lexicon title in ``doc.spans["titles"]`` (overlaps kept; callers pick).

    Each span's label is the lexicon's spelling of the title; a line ``sen. = senator``
    makes "Sen." a spelling of "senator".
    """

    def __init__(self, nlp: Language, name: str, titles: Iterable[str]) -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for line in titles:
            written, _, canonical = line.lower().partition(" = ")
            canonical = (canonical or written).strip()
            forms = sorted(_variants(written.strip()))
            self.matcher.add(canonical, [nlp.make_doc(f) for f in forms])
            plurals = sorted({p for f in forms for p in _variants(plural(f))} - set(forms))
            self.matcher.add(canonical + _PLURAL, [nlp.make_doc(f) for f in plurals])

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[TITLES_KEY] = [
            Span(doc, span.start, span.end, label=span.label_.removesuffix(_PLURAL),
                 kb_id=PLURAL if span.label_.endswith(_PLURAL) else "")
            for span in self.matcher(doc, as_spans=True)
            # "will [coach] Real Madrid", "did not [whip] the vote": a verb, not a title
            if not (span[0].is_lower and span.start > 0
                    and doc[span.start - 1].lower_ in _BEFORE_VERBS)
        ]
        return doc


#: ``kb_id`` of a title written in the plural: "staff writers Mario Penton and David Ovalle".
PLURAL = "plural"
_PLURAL = "\t" + PLURAL  # suffix of a plural's matcher key
_IRREGULAR_PLURALS = {"attorney general": "attorneys general", "man": "men", "woman": "women",
                      "chief": "chiefs", "staff": "staff"}


def plural(title: str) -> str:
    """The plural of a title, by its last word: "staff writers", "Sens.", "spokesmen",
    "deputy secretaries", "attorneys general"."""
    if title in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[title]
    head, _, last = title.rpartition(" ")
    if last.endswith(".") and len(last) > 1:  # "sen." -> "sens."
        word = last[:-1] + "s."
    elif last in _IRREGULAR_PLURALS:
        word = _IRREGULAR_PLURALS[last]
    elif last.endswith("man"):
        word = last[:-3] + "men"  # "spokesman", "chairman", "congressman"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        word = last[:-1] + "ies"
    elif last.endswith(("s", "sh", "ch", "x", "z")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


# Words after which a lower-case title word is a verb ("will coach", "did not pilot"); not
# "to", which is a preposition as often ("passed to running back Trey Edmunds").
_BEFORE_VERBS = frozenset({"will", "would", "can", "could", "may", "might", "shall",
                           "should", "must", "did", "does", "do", "not", "n't", "'ll", "’ll",
                           "never", "also"})


@Language.factory("monitor_titles", default_config={"assets": None})
def make_title_marker(nlp: Language, name: str, assets: str | None) -> TitleMarker:
    """``assets``: the folder of ``titles.txt`` (None: the shipped ``models/``)."""
    return TitleMarker(nlp, name, Assets.at(assets).lexicon("titles.txt"))


@dataclass
class _Found:
    """A title found for a person: where the role phrase starts (a qualifier such as
    "former" included; the affiliation, if any, sits right before it), the lexicon match,
    its end (after a portfolio such as "for Western Hemisphere affairs"), qualifiers written
    before the affiliation ("the [top] US diplomat") and an affiliation read off the title's
    neighbourhood ("canciller [cubano]")."""

    first: int
    title: Span
    last: int
    qualifiers: str = ""
    owner: str | None = None


class _Titles:
    """The titles of a doc (``doc.spans["titles"]``, overlaps kept) indexed by the tokens they
    start and end at: a rule reads only the titles that can touch the name it is looking at,
    never all of them for each name (a page of 20,000 titled names took 13 minutes)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = list(spans)
        self._by_start: dict[int, list[Span]] = {}
        self._by_end: dict[int, list[int]] = {}  # end -> positions in ``spans``
        for k, title in enumerate(self.spans):
            self._by_start.setdefault(title.start, []).append(title)
            self._by_end.setdefault(title.end, []).append(k)
        # The longest title at each start; the first written of those as long.
        self._longest = {i: max(found, key=len) for i, found in self._by_start.items()}

    def __bool__(self) -> bool:
        return bool(self.spans)

    def at(self, i: int) -> Span | None:
        """The longest title that starts at token ``i``."""
        return self._longest.get(i)

    def starting_at(self, i: int) -> list[Span]:
        return self._by_start.get(i, [])

    def ending_at(self, i: int) -> list[Span]:
        return [self.spans[k] for k in self._by_end.get(i, ())]

    def ending_between(self, first: int, last: int) -> list[Span]:
        """The titles that end at a token from ``first`` to ``last``, earliest start first and
        the longest first of those starting together (the order written among equals)."""
        found = [k for end in range(max(first, 0), last + 1) for k in self._by_end.get(end, ())]
        spans = self.spans
        found.sort(key=lambda k: (spans[k].start, -spans[k].end, k))
        return [spans[k] for k in found]

    def start_between(self, first: int, stop: int) -> bool:
        """Some title starts at a token from ``first`` to ``stop - 1``."""
        return any(i in self._by_start for i in range(first, stop))


class _Antecedents:
    """The latest known body named before a token whose name has a given head word ("the
    embassy('s)": the last embassy named before it), in O(log n) per question."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities = entities
        self._by_word: dict[str, tuple[list[int], list[int]]] = {}

    def before(self, head: Token) -> str | None:
        word = head.lower_
        index = self._by_word.get(word)
        if index is None:
            # By end: the ends, and the latest entity in the list up to each (the list is in
            # text order, the ends need not be).
            found = sorted((entity.span.end, k) for k, entity in enumerate(self.entities)
                           if entity.known and word in folded_words(entity.known))
            index = self._by_word[word] = ([end for end, _ in found],
                                           list(accumulate((k for _, k in found), max)))
        ends, latest = index
        n = bisect_right(ends, head.i)
        return self.entities[latest[n - 1]].known if n else None


def attach_titles(doc: Doc, entities: list[Entity],
                   table: Names) -> tuple[set[int], set[int]]:
    """Give each PERSON the title written before it, in an apposition after it or after a
    verb of being; returns the tokens taken by titles with their portfolios, and by the
    titles alone."""
    titles = _Titles(doc.spans[TITLES_KEY] if TITLES_KEY in doc.spans else ())
    if not titles:
        return set(), set()
    antecedents = _Antecedents(entities)
    ents_by_end = {e.span.end: e for e in entities}
    ents_by_start = {e.span.start: e for e in entities}
    _relabel_titled_names(entities, titles, ents_by_end, ents_by_start, table)
    # Tokens of titles proper, and of titles with their portfolios.
    title_tokens: tuple[set[int], set[int]] = (set(), set())
    shared: _Found | None = None  # a plural title and the name it was last given to
    shared_end = -1
    for entity in entities:
        if entity.label not in PERSON_LABELS:
            continue
        found = (_title_inside(entity, titles)
                 or _title_before(entity.span, titles, ents_by_end, table)
                 or _title_after(entity.span, titles, ents_by_start, table))
        if found is None and shared is not None and _next_in_list(doc, shared_end,
                                                                  entity.span.start):
            found = shared  # "staff writers Mario Penton [and] David Ovalle"
            if any(t.lower_ in ("and", "&") for t in doc[shared_end : entity.span.start]):
                shared = None  # the list ends at its "and"
            else:
                shared_end = entity.span.end
        elif found is not None and found.title.kb_id_ == PLURAL:
            shared, shared_end = found, entity.span.end
        else:
            shared = None
        if found:
            title_tokens[0].update(range(found.first, found.last))
            title_tokens[1].update(range(found.first, found.title.end))
            entity.title = _title_text(doc, found)
            entity.affiliation = (found.owner
                                  or _affiliation(doc, found.first, ents_by_end, antecedents,
                                                  table)
                                  or _portfolio_owner(doc, found, ents_by_start, table))
    return title_tokens


def _next_in_list(doc: Doc, end: int, start: int) -> bool:
    """Only "and", "&" or a comma between the end of one name and the start of the next."""
    gap = [t.lower_ for t in doc[end:start]]
    return 0 < len(gap) <= 2 and all(word in (",", "and", "&") for word in gap)


def titled_names(doc: Doc, entities: list[Entity], table: Names,
                  stoplist: AbstractSet[tuple[str, ...]]) -> list[Entity]:
    """Names the NER missed or cut short right after a lexicon title: "Deputy Director of
    Public Prosecution [Eva-Marie Persson] took…" (no entity at all), "vice-premier [Liu]
    He" (the NER read "He" as a pronoun). A title, its "of …" portfolio, then two or three
    capitalised name-shaped words followed by no other capitalised word is a person; a
    one-word person right after a title takes in one more such word. Not in title-case
    lines (headlines), where every word is capitalised."""
    titles = list(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else []
    if not titles:
        return entities
    headline = _Headlines(doc)
    runs = _NameRuns(doc, table)
    taken = {t for e in entities for t in range(e.span.start, e.span.end)}
    title_tokens = {t for title in titles for t in range(title.start, title.end)}
    persons = {e.span.start: e for e in entities if e.label in PERSON_LABELS}
    found: list[Entity] = []
    for title in sorted(titles, key=lambda t: (t.start, -t.end)):
        if headline(title.start):
            continue
        person = persons.get(title.end)
        if person is not None:  # "vice-premier [Liu] He": one more word of the name
            span = person.span
            nxt = span.end
            if (len(span) == 1 and nxt < len(doc) and _name_word(doc[nxt], table)
                    and nxt not in taken and nxt not in title_tokens
                    and not doc[nxt].is_sent_start
                    and (nxt + 1 >= len(doc) or not doc[nxt + 1].is_title)):
                person.span = doc[span.start : nxt + 1]
                taken.add(nxt)
            continue
        end = title.end
        portfolio = end < len(doc) and doc[end].lower_ in ("of", "for")
        if portfolio:
            end += 1
        units, stop, last_but_one = runs.at(end)
        if not units:
            continue
        if stop < len(doc) and (doc[stop].is_title or doc[stop].is_upper) and doc[stop].is_alpha:
            continue  # runs on into more capitalised words: which are the name, unclear
        first = end
        if portfolio:
            if units < 3:
                continue  # the portfolio needs a word of its own: "of [Public Prosecution]"
            units, first = 2, last_but_one
        if not 2 <= units <= 3:
            continue
        last = stop
        span = doc[first:last]
        if (taken.intersection(range(first, last)) or title_tokens.intersection(range(first, last))
                or stopped(folded_words(span.text), stoplist)
                or looks_like_agency(span.text) or doc[first].is_sent_start):
            continue
        found.append(Entity(span, "PERSON"))
        taken.update(range(first, last))
    if not found:
        return entities
    return sorted(entities + found, key=lambda e: e.span.start)


class _Headlines:
    """Whether token ``i`` is in a line written in title case ("Foreign Minister Says Talks
    Resume"); each sentence is read once, however many titles it holds."""

    def __init__(self, doc: Doc) -> None:
        self.sentences = Sentences(doc)
        self._known: dict[int, bool] = {}

    def __call__(self, i: int) -> bool:
        start, end = self.sentences.bounds(i)
        known = self._known.get(start)
        if known is None:
            known = self._known[start] = _in_headline(self.sentences.doc[start:end])
        return known


def _in_headline(sent: Span) -> bool:
    """The sentence is written in title case."""
    words = [t for t in sent if t.is_alpha and t.lower_ not in SMALL_WORDS]
    return len(words) >= 4 and sum(t.is_title or t.is_upper for t in words) >= 0.8 * len(words)


def _name_word(token: Token, table: Names) -> bool:
    """A capitalised word that may be part of a person's name."""
    return (token.is_alpha and token.is_title and token.lower_ not in ORG_HEADS
            and token.lower_ not in HONORIFICS and token.lower_ not in _MONTHS_AND_DAYS
            and table.country(token.text) is None)


_MONTHS_AND_DAYS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec"})


class _NameRuns:
    """Runs of capitalised words, a hyphenated one ("Eva-Marie") as one unit, from any token:
    each token is read once however many titles come before the same run."""

    def __init__(self, doc: Doc, table: Names) -> None:
        self.doc, self.table = doc, table
        self._words: dict[int, bool] = {}
        self._ends: dict[int, int] = {}  # token after a word -> the end of its unit
        self._runs: dict[int, tuple[int, int, int]] = {}

    def at(self, i: int) -> tuple[int, int, int]:
        """(units from token ``i`` on, the token that stops them, the first token of the last
        unit but one, or -1)."""
        chain: list[int] = []  # starts of units whose run is not known yet
        while i not in self._runs:
            if not (i < len(self.doc) and self._word(i)):
                self._runs[i] = (0, i, -1)
                break
            chain.append(i)
            i = self._unit_end(i + 1)
        for start in reversed(chain):  # each unit's run is that of the unit after it, + 1
            units, stop, last_but_one = self._runs[i]
            self._runs[start] = (units + 1, stop, start if units == 1 else last_but_one)
            i = start
        return self._runs[i]

    def _word(self, i: int) -> bool:
        known = self._words.get(i)
        if known is None:
            known = self._words[i] = _name_word(self.doc[i], self.table)
        return known

    def _unit_end(self, end: int) -> int:
        doc, chain = self.doc, []
        while end not in self._ends and (
                end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
                and not doc[end].whitespace_ and self._word(end + 1)):
            chain.append(end)
            end += 2
        end = self._ends.get(end, end)
        for link in chain:
            self._ends[link] = end
        return end


def _relabel_titled_names(entities: list[Entity], titles: _Titles,
                          ents_by_end: dict[int, Entity], ents_by_start: dict[int, Entity],
                          table: Names) -> None:
    """"MINREX spokeswoman [Johana Tablada]" tagged ORG: a name right after a title (or
    after "title, "), or before a comma and a title in apposition ("[Lianys Torres Rivera],
    Cuba's ambassador in Washington"), is a person when it is shaped like one (two to five
    capitalised words, no agency form)."""
    ends = ents_by_end
    for entity in entities:
        span = entity.span
        doc = span.doc
        if (entity.label not in PERSON_LABELS and not entity.known
                and span.end < len(doc) and doc[span.end].text == ","
                and _name_shaped(span, table)
                and _title_after(span, titles, ents_by_start, table) is not None):
            entity.label = "PERSON"
            continue
        inside = [t for t in titles.starting_at(span.start) if t.end < span.end]
        if (entity.label not in PERSON_LABELS and not entity.known and inside
                and _name_shaped(span[max(t.end for t in inside) - span.start :], table)):
            entity.label = "PERSON"  # "[Superintendent Maria Vance]" tagged ORG
            continue
        if (entity.label not in PERSON_LABELS and not entity.known
                and 2 <= len(span) <= 5
                and all(t.is_title or t.text == "-" or t.lower_ in NAME_PARTICLES for t in span)
                and not looks_like_agency(span.text) and not PARTY_FORM.search(span.text)
                and span[-1].lower_ not in ORG_HEADS and table.country(span.text) is None
                and (found := _title_before(span, titles, ends, table)) is not None
                # not "senior fellow at the [Kohelet Policy Forum]": a portfolio's end
                and (found.last == span.start or doc[span.start - 1].text == ",")):
            entity.label = "PERSON"


def _name_shaped(span: Span, table: Names) -> bool:
    """Two to four capitalised words, no body's or place's name: a person's name."""
    return (2 <= len(span) <= 5
            and all(t.is_title or t.text == "-" or t.lower_ in NAME_PARTICLES for t in span)
            and not looks_like_agency(span.text) and not PARTY_FORM.search(span.text)
            and span[-1].lower_ not in ORG_HEADS and table.country(span.text) is None
            and table.country(span[0].text) is None)


def _title_text(doc: Doc, found: _Found) -> str:
    """The lexicon's spelling of the role ("Sen." -> "Senator", "charge d'affaires" ->
    "Chargé d'affaires") with the article's qualifier and portfolio around it."""
    title = found.title
    before = _without_time(doc[found.first : title.start])
    parts = [found.qualifiers, before, title.label_, doc[title.end : found.last].text]
    words = " ".join(part for part in parts if part).split(" ")
    while words and (words[0].lower() in DESCRIPTIVE or words[0].lower() in TIME_QUALIFIERS):
        words.pop(0)  # "the [new] acting secretary", "a [top] aide": no part of the office
    return title_case(" ".join(words))


def _without_time(span: Span) -> str:
    """The words of ``span`` without "former", "then-", "ex-" ("founder and [former] CEO")."""
    out: list[str] = []
    skip_hyphen = False
    for token in span:
        if token.lower_ in TIME_QUALIFIERS:
            skip_hyphen = True
            continue
        if skip_hyphen and token.text == "-":
            continue
        skip_hyphen = False
        out.append(token.text_with_ws)
    return squash("".join(out)).strip()


def _title_inside(entity: Entity, titles: _Titles) -> _Found | None:
    """The NER took the title into the name ("Secretary Alejandro Mayorkas"): split it off."""
    span = entity.span
    inside = [t for t in titles.starting_at(span.start) if t.end < span.end]
    if not inside:
        return None
    title = max(inside, key=len)
    rest = span.doc[title.end : span.end]
    if not any(t.is_alpha and t.is_title for t in rest):
        return None
    entity.span = rest
    return _Found(title.start, title, title.end)


def _title_before(person: Span, titles: _Titles, ents_by_end: dict[int, Entity],
                  table: Names) -> _Found | None:
    """"Deputy Foreign Minister Carlos …", "Assistant Secretary for … Brian Nichols",
    "the foreign minister, Bruno Rodríguez", "Cuba's ambassador to Canada, Josefina Vidal",
    "el canciller cubano Bruno Rodríguez"."""
    doc, start = person.doc, person.start
    while start > 0 and doc[start - 1].lower_ in HONORIFICS:
        start -= 1  # "chief medical correspondent [Dr.] Sanjay Gupta"
    # Only titles that end at most a portfolio before the name. Earliest start first: the
    # longest title wins, portfolio included.
    for title in titles.ending_between(start - MAX_PORTFOLIO - 1, start):
        gap = doc[title.end : start]
        if any(t.ent_type_ in PERSON_LABELS for t in gap) or titles.start_between(title.end,
                                                                                  start):
            # "Secretary [of State Marco Rubio met Cuban] Foreign Minister Bruno…", "aide [to
            # Vice President] Pence": the title nearer the name is the name's
            continue
        first = _with_qualifier(doc, title.start)
        if len(gap) == 0 or (len(gap) <= MAX_PORTFOLIO and _is_portfolio(gap)):
            return _Found(first, title, start)
        if gap.text == ",":
            first = _coordinated(doc, first, titles)
            if _introduced(doc, first, ents_by_end):
                return _Found(first, title, title.end)
        if (gap[-1].text == "," and _is_portfolio(gap[:-1])
                and _introduced(doc, first, ents_by_end)):
            return _Found(first, title, start - 1)
        if len(gap) == 1 and gap[0].is_lower and (country := table.country(gap[0].text)):
            return _Found(first, title, title.end, owner=country)
    return None


def _coordinated(doc: Doc, first: int, titles: _Titles) -> int:
    """"WeWork's [founder and] former CEO, Adam Neumann": roles joined by "and" before a
    comma and a name are all the name's; where the first of them starts."""
    while first > 1 and doc[first - 1].lower_ in ("and", "&"):
        before = titles.ending_at(first - 1)
        if not before:
            break
        first = _with_qualifier(doc, min(t.start for t in before))
    return first


def _introduced(doc: Doc, start: int, ents_by_end: dict[int, Entity]) -> bool:
    """A title set off by a comma before a name needs "the"/"Cuba's" before it ("the Cuban
    foreign minister, Bruno Rodríguez"); a bare "…president, Joe Biden said" is no title."""
    if start > 0 and doc[start - 1].text in POSSESSIVE:
        return True
    owner = ents_by_end.get(start)
    if owner is not None and owner.label in AFFILIATION_LABELS:
        start = owner.span.start
    while start > 0 and doc[start - 1].lower_ in PRE_QUALIFIERS:
        start -= 1  # "[the] former House Speaker, Newt Gingrich"
    if start > 0 and doc[start - 1].text in POSSESSIVE:
        return True  # "Hong Kong's new police commissioner, Chris Tang"
    return start > 0 and (doc[start - 1].lower_ in INTRODUCERS
                          or doc[start].lower_ in QUALIFIERS)


def _title_after(person: Span, titles: _Titles, ents_by_start: dict[int, Entity],
                 table: Names) -> _Found | None:
    """Apposition: "Brian Nichols, [the] [US] assistant secretary of state for …, said";
    a verb of being: "Smith, who is the embassy's chargé d'affaires", "Smith was named
    ambassador to Cuba"."""
    doc, end = person.doc, person.end
    if end >= len(doc):
        return None
    at: int | None
    if doc[end].text == ",":
        at = _skip_adverbs(doc, end + 1)  # "Kathleen DelGiorno, [now] a staff scientist at…"
        if at < len(doc) and doc[at].lower_ == "who":
            at = _after_being(doc, at + 1)
    else:
        at = _after_being(doc, end)
    if at is None or at >= len(doc):
        return None
    i = at
    if doc[i].lower_ in INTRODUCERS:
        i += 1
    # Qualifiers and rank words, an affiliation, more qualifiers, then the title: "the
    # [principal deputy] [White House] press secretary", "new [DHS] [acting] secretary". A
    # rank word may be a title itself ("deputy"): the earliest title that ends the phrase wins.
    first = i
    while i < len(doc) and doc[i].lower_ in PRE_QUALIFIERS:
        i += 1
    tries = [(k, k) for k in range(first, i)]
    after = _skip_affiliation(doc, i, ents_by_start, titles)
    k = after
    while k < len(doc) and doc[k].lower_ in PRE_QUALIFIERS:
        k += 1
    modifiers = k
    while (modifiers < len(doc) and modifiers - k < MAX_MODIFIERS and doc[modifiers].is_alpha
           and (doc[modifiers].is_lower or doc[modifiers].ent_type_ in ("GPE", "NORP"))
           and doc[modifiers].lower_ not in SMALL_WORDS
           and doc[modifiers].lower_ not in INTRODUCERS and not titles.at(modifiers)):
        modifiers += 1
    tries += [(after, p) for p in range(after, modifiers + 1)]
    for start, at in tries:
        title = titles.at(at)
        stop = _apposition_end(doc, title, titles) if title is not None else None
        if stop is not None and title is not None:
            if start == after and _is_subject(doc, i, after, title, ents_by_start, table):
                start = i  # "a [China] scholar": the country is what the role knows about
            qualifiers = doc[first : min(start, i)].text
            return _Found(start, title, stop, qualifiers)
    return None


def _is_subject(doc: Doc, i: int, after: int, title: Span,
                ents_by_start: dict[int, Entity], table: Names) -> bool:
    """The place between ``i`` and ``after`` is the subject of a role of knowledge ("a
    Ukraine expert", "a China scholar"): a country written by its name, not its demonym or
    abbreviation ("a US analyst", "a Cuban economist" say whose)."""
    owner = ents_by_start.get(i)
    if (owner is None or owner.label not in PLACE_LABELS or owner.span.end != after
            or title.label_.split(" ")[-1] not in SUBJECT_ROLES):
        return False
    text = normalise_name(owner.span.text)
    return fold(text) not in table.groups and not text.isupper() and "." not in text


def _apposition_end(doc: Doc, title: Span, titles: _Titles) -> int | None:
    """Where a title in an apposition ends, its portfolio included; None if the phrase runs
    on into something else. "trader [and strategist]" is one role."""
    end = title.end
    while end + 1 < len(doc) and doc[end].lower_ in ("and", "&"):
        other = titles.at(end + 1)
        if other is None:
            break
        end = other.end
    stop = end
    while (stop < len(doc) and stop - end < MAX_APPOSITION and not _ends_phrase(doc[stop])
           and not _ends_portfolio(doc[stop])):
        stop += 1
    if stop > end and not _is_portfolio(doc[end:stop], APPOSITION_CONNECTORS):
        stop = end
    if stop < len(doc) and not _ends_phrase(doc[stop]) and not _ends_portfolio(doc[stop]):
        return None
    return stop


def _after_being(doc: Doc, i: int) -> int | None:
    """The token after "is", "has also been", "serves as", "was named"…; None if none."""
    i = _skip_adverbs(doc, i)
    if i >= len(doc):
        return None
    word = doc[i].lower_
    if word in BE:
        i = _skip_adverbs(doc, i + 1)
        if i < len(doc) and doc[i].lower_ in NAMED:
            i += 1
        elif (i + 1 < len(doc) and doc[i].lower_ in SERVES and doc[i + 1].lower_ == "as"):
            i += 2  # "was then serving as"
    elif word in PERFECT:
        i = _skip_adverbs(doc, i + 1)
        if i >= len(doc) or doc[i].lower_ not in ("been", "be"):
            return None
        i += 1
        if i < len(doc) and doc[i].lower_ in NAMED:
            i += 1
    elif word in SERVES and i + 1 < len(doc) and doc[i + 1].lower_ == "as":
        i += 2
    else:
        return None
    return _skip_adverbs(doc, i)


def _skip_adverbs(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].lower_ in ADVERBS:
        i += 1
    return i


def _skip_affiliation(doc: Doc, i: int, ents_by_start: dict[int, Entity],
                      titles: _Titles | None = None) -> int:
    """Step over "State Department" / "Cuba's" / "the embassy's" / "the President's" between
    a comma and a title."""
    owner = ents_by_start.get(i)
    if owner is None and i > 0 and doc[i - 1].lower_ in DETERMINERS:
        owner = ents_by_start.get(i - 1)  # the NER took "the" in: "[the Health and Human…]"
    title = titles.at(i) if titles else None
    if owner is not None and (owner.label in AFFILIATION_LABELS
                              or (owner.span.end < len(doc)
                                  and doc[owner.span.end].text in POSSESSIVE)):
        end = owner.span.end
    elif i + 1 < len(doc) and doc[i + 1].text in POSSESSIVE and (
            doc[i].lower_ in GENERIC_HEADS or doc[i].is_title):
        end = i + 1  # "the embassy's", "Edmunds'"
    elif title is not None and title.end < len(doc) and doc[title.end].text in POSSESSIVE:
        end = title.end
    else:
        return i
    if end < len(doc) and doc[end].text in POSSESSIVE:
        end += 1
    return end


def _ends_phrase(token: Token) -> bool:
    # A hyphen inside "direct-to-consumer" does not end the apposition; a comma does, and so
    # does a line break (a byline: "Caroline Hawley, BBC diplomatic correspondent⏎").
    return (token.text in BOUNDARIES or bool(token.is_sent_start)
            or (token.is_space and "\n" in token.text))


def _ends_portfolio(token: Token) -> bool:
    """"…chargé d'affaires in Havana [until last year]": when, not what, the role is; "…of
    Homeland Security [and Alex Azar]": another person."""
    if token.lower_ in TIME_WORDS or token.ent_type_ in ("DATE", "TIME"):
        return True
    if token.ent_type_ in PERSON_LABELS:
        return True
    return (token.lower_ in ("and", "or") and token.i + 1 < len(token.doc)
            and token.doc[token.i + 1].ent_type_ in PERSON_LABELS)


def _is_portfolio(gap: Span, connectors: frozenset[str] = CONNECTORS) -> bool:
    """``for Western Hemisphere affairs``: a connector, then words (hyphenated or possessive
    allowed), ending on a word that is not itself a connector ("… Security and")."""
    return (
        len(gap) > 1 and gap[0].lower_ in connectors and gap[-1].lower_ not in SMALL_WORDS
        # "president of the club [her] father founded": a clause, not a portfolio
        and not any(t.lower_ in CLAUSE_PRONOUNS for t in gap)
        and all(t.is_alpha or t.text in POSSESSIVE or (t.text == "-" and not t.whitespace_)
                or (t.text.endswith(".") and t.text[:1].isupper() and len(t) <= 5)  # "U.S."
                for t in gap[1:])
    )


def _with_qualifier(doc: Doc, start: int) -> int:
    """Include "former"/"acting" (and "ex-") and rank words ("deputy") before a title in it."""
    while True:
        if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in QUALIFIERS:
            start -= 2
        elif start >= 1 and (doc[start - 1].lower_ in QUALIFIERS
                             or doc[start - 1].lower_ in RANKS):
            start -= 1
        else:
            return start


def _affiliation(doc: Doc, title_start: int, ents_by_end: dict[int, Entity],
                 antecedents: _Antecedents, table: Names) -> str | None:
    """The country or body written right before the title ("Cuba's", "US", "State Dept.",
    "the embassy's": the last embassy named before)."""
    i = title_start
    if i > 0 and doc[i - 1].text in POSSESSIVE:
        i -= 1
    owner = ents_by_end.get(i)
    if owner is None:
        if i > 0 and i < title_start and doc[i - 1].lower_ in GENERIC_HEADS:
            return antecedents.before(doc[i - 1])
        return None
    return _owner_name(owner, table)


def _owner_name(owner: Entity, table: Names) -> str | None:
    if owner.label not in AFFILIATION_LABELS:
        return None
    if owner.known:
        return owner.known
    name = normalise_name(owner.span.text)
    if owner.label == "NORP":
        return table.country(name)
    return table.country(name) or table.place(name)


def _portfolio_owner(doc: Doc, found: _Found, ents_by_start: dict[int, Entity],
                     table: Names) -> str | None:
    """"spokesman [for the State Department]", "president [of Cuba]": a body after for/of/at,
    else a country after of/de."""
    countries = []
    for i in range(found.title.end, found.last):
        if doc[i].lower_ not in OWNER_CONNECTORS:
            continue
        j = i + 1 + (i + 1 < found.last and doc[i + 1].lower_ in DETERMINERS)
        owner = ents_by_start.get(j)
        if owner is None or owner.span.end > found.last:
            continue
        if owner.known:
            return owner.known
        if owner.label == "GPE" and doc[i].lower_ in ("of", "de", "del"):
            countries.append(_owner_name(owner, table))
    return countries[0] if countries else None
