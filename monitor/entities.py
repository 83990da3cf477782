"""Entities of one article: kinds, canonical names, titles of officials.

The ``monitor_titles`` component (registered on import, unit-testable on ``spacy.blank("en")``)
marks every title of ``models/titles.txt`` in ``doc.spans["titles"]``; :func:`extract_mentions`
then turns a processed doc (NER + gazetteer + titles) into :class:`Mention` records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .assets import model_file
from .text import fold, squash, strip_accents

KINDS = ("official", "person", "agency", "organization", "place", "group", "other")

TITLES_KEY = "titles"
#: Labels that feed figures, never mentions.
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
# Non-English pipelines (es_core_news_*) label people PER and the rest MISC.
_PERSON_LABELS = frozenset({"PERSON", "PER"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_AFFILIATION_LABELS = frozenset({"GPE", "NORP", "ORG", "LOC"})

# A government body by the shape of its name, for ORGs the gazetteer does not know.
_AGENCY_FORM = re.compile(
    r"\b(ministry|ministerio|department|dept|departamento|embassy|embajada|consulate|"
    r"coast guard|border patrol|national assembly|parliament|senate|congress|"
    r"house of representatives|armed forces|police|secretariat)\b"
    r"|\b(agency|administration|service|commission|bureau|office|council|directorate|"
    r"authority|command)$",
    re.IGNORECASE,
)
# Parties are groups (the contract puts "nationalities, parties" under `group`), even the
# Communist Party of Cuba, which the gazetteer carries only so its aliases share one name.
_PARTY_FORM = re.compile(r"\b(party|partido)\b", re.IGNORECASE)

# Words that qualify a title without being part of the role itself.
_QUALIFIERS = frozenset({"former", "acting", "interim", "outgoing", "incoming", "then", "ex"})
# Words that continue a title into its portfolio: "secretary of state FOR Western Hemisphere…".
_CONNECTORS = frozenset({"of", "for", "to", "on", "at", "in", "de", "del", "para"})
_SMALL_WORDS = frozenset({"of", "for", "to", "on", "at", "in", "the", "and", "de", "del", "la",
                          "las", "los", "el", "y", "para", "d'affaires", "d’affaires"})
_DETERMINERS = frozenset({"the", "a", "an", "el", "la", "los", "las", "un", "una"})
_POSSESSIVE = frozenset({"'s", "’s", "'"})
_MAX_PORTFOLIO = 8
_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "da", "do", "dos", "van",
                             "von", "bin", "al"})
_BOUNDARIES = frozenset({",", ".", ";", ":", "(", ")", "—", "–", "!", "?", '"', "“", "”"})

# Country forms an affiliation is reported as (best effort; others keep their surface form).
_COUNTRIES = {
    "us": "US", "u.s.": "US", "u.s": "US", "usa": "US", "u.s.a.": "US", "united states": "US",
    "america": "US", "american": "US", "estados unidos": "US", "ee.uu.": "US",
    "estadounidense": "US", "cuba": "Cuba", "cuban": "Cuba", "cubano": "Cuba", "cubana": "Cuba",
    "mexico": "Mexico", "mexican": "Mexico", "venezuela": "Venezuela", "venezuelan": "Venezuela",
    "nicaragua": "Nicaragua", "nicaraguan": "Nicaragua", "panama": "Panama",
    "panamanian": "Panama", "canada": "Canada", "canadian": "Canada", "spain": "Spain",
    "spanish": "Spain", "russia": "Russia", "russian": "Russia", "china": "China",
    "chinese": "China",
}


@dataclass
class Mention:
    text: str
    start: int
    end: int
    sentence: str
    label: str
    name: str
    kind: str
    title: str | None
    affiliation: str | None = None


# --------------------------------------------------------------------------- kinds and names


def kind_for(label: str, name: str, *, has_title: bool, is_agency: bool) -> str:
    """Map a spaCy label (and the name's shape) to one of :data:`KINDS`."""
    if label in _PERSON_LABELS:
        return "official" if has_title else "person"
    if label == "NORP" or (label == "ORG" and _PARTY_FORM.search(name)):
        return "group"
    if is_agency or looks_like_agency(name):
        # Also for GPE/FAC: the stock model calls "its Embassy in Havana" a GPE.
        return "agency" if label in ("ORG", *_PLACE_LABELS) else "other"
    if label == "ORG":
        return "organization"
    if label in _PLACE_LABELS:
        return "place"
    return "other"


def looks_like_agency(name: str) -> bool:
    return bool(_AGENCY_FORM.search(name))


def normalise_name(text: str) -> str:
    """Surface form as a name: no leading article, no possessive, single spaces."""
    name = squash(text).strip(" \"'“”‘’,;:()")  # not ".": "U.S.", "Jr."
    name = re.sub(r"^(the|el|la|los|las)\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*['’]s?$", "", name)
    return name


def title_case(title: str) -> str:
    """``"assistant secretary of state for Western Hemisphere affairs"`` -> ``"Assistant
    Secretary of State for Western Hemisphere Affairs"``: one spelling per role across articles.
    """
    words = squash(title).split(" ")
    out = []
    for i, word in enumerate(words):
        if i and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            parts = word.split("-")  # "direct-to-consumer" -> "Direct-to-Consumer"
            out.append("-".join(
                part.lower() if j and part.lower() in _SMALL_WORDS else part[:1].upper() + part[1:]
                for j, part in enumerate(parts)
            ))
    return " ".join(out)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return 0 < n <= len(longer) and any(
        longer[i : i + n] == shorter for i in range(len(longer) - n + 1)
    )


# --------------------------------------------------------------------------- titles component


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file, without blanks and ``#`` comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def _variants(title: str) -> set[str]:
    # Articles spell chargé d’affaires with either apostrophe and with or without the accent;
    # "Rep." is one token only when capitalised (a tokenizer exception), so match that too.
    forms = {title, strip_accents(title)}
    forms |= {form.replace("'", "’") for form in forms}
    return forms | {form[:1].upper() + form[1:] for form in forms}


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
            forms = sorted(_variants(written.strip()))
            self.matcher.add((canonical or written).strip(), [nlp.make_doc(f) for f in forms])

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[TITLES_KEY] = self.matcher(doc, as_spans=True)
        return doc


@Language.factory("monitor_titles", default_config={"path": None})
def make_title_marker(nlp: Language, name: str, path: str | None) -> TitleMarker:
    return TitleMarker(nlp, name, read_lexicon(Path(path) if path else model_file("titles.txt")))


# --------------------------------------------------------------------------- mentions


@dataclass
class _Entity:
    """An entity being worked on: token span plus what we learn about it."""

    span: Span
    label: str
    gazetteer_id: str = ""
    title: str | None = None
    affiliation: str | None = None
    name: str = ""


def extract_mentions(doc: Doc, not_names: Iterable[str] = ()) -> list[Mention]:
    """Mentions of one processed article (``monitor_titles`` must have run)."""
    stoplist = [_words(entry) for entry in not_names]
    entities = [
        _Entity(span, ent.label_, ent.ent_id_)
        for ent in doc.ents
        if ent.label_ not in NUMERIC_LABELS and (span := trim_space(ent)) is not None
    ]
    entities, title_tokens = _attach_titles(doc, entities)
    entities = [
        e for e in entities
        if (e.label not in _PERSON_LABELS or _is_name_like(e.span.text, stoplist))
        # An ORG "State" inside "Secretary of State" is part of a title, not an entity.
        and (e.label in _PERSON_LABELS or e.gazetteer_id
             or not title_tokens.intersection(range(e.span.start, e.span.end)))
    ]
    _canonicalise(entities)
    return [
        Mention(
            text=e.span.text, start=e.span.start_char, end=e.span.end_char,
            sentence=(e.span.sent if doc.has_annotation("SENT_START") else doc).text.strip(),
            label=e.label, name=e.name, title=e.title, affiliation=e.affiliation,
            kind=kind_for(e.label, e.name, has_title=e.title is not None,
                          is_agency=bool(e.gazetteer_id)),
        )
        for e in entities
        if e.name
    ]


def trim_space(span: Span) -> Span | None:
    """The NER lets an entity run into the line break after it ("Buy Now⏎⏎"): trim it."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return span.doc[start:end] if end > start else None


def _is_name_like(text: str, stoplist: list[tuple[str, ...]]) -> bool:
    if any(ch.isdigit() for ch in text) or not any(ch.isalpha() for ch in text):
        return False
    if not any(word[:1].isupper() for word in text.split()):
        return False
    words = _words(text)
    return not any(_contains(words, entry) for entry in stoplist)


def _attach_titles(doc: Doc, entities: list[_Entity]) -> tuple[list[_Entity], set[int]]:
    """Give each PERSON the title written before it or in an apposition after it."""
    titles = list(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else []
    _relabel_titled_names(entities, titles)
    ents_by_end = {e.span.end: e for e in entities}
    ents_by_start = {e.span.start: e for e in entities}
    title_tokens: set[int] = set()
    for entity in entities:
        if entity.label not in _PERSON_LABELS:
            continue
        found = (_title_inside(entity, titles)
                 or _title_before(entity.span, titles, ents_by_end)
                 or _title_after(entity.span, titles, ents_by_start))
        if found:
            first, title, last = found
            title_tokens.update(range(first, last))
            entity.title = _title_text(doc, first, title, last)
            entity.affiliation = _affiliation(doc, first, ents_by_end)
    return entities, title_tokens


def _relabel_titled_names(entities: list[_Entity], titles: list[Span]) -> None:
    """"MINREX spokeswoman [Johana Tablada]" tagged ORG: a name right after a title is a
    person when it is shaped like one (two to five capitalised words, no agency form)."""
    title_ends = {t.end for t in titles}
    for entity in entities:
        span = entity.span
        if (entity.label not in _PERSON_LABELS and not entity.gazetteer_id
                and span.start in title_ends and 2 <= len(span) <= 5
                and all(t.is_title or t.text == "-" or t.lower_ in _NAME_PARTICLES for t in span)
                and not looks_like_agency(span.text) and not _PARTY_FORM.search(span.text)):
            entity.label = "PERSON"


# A title found for a person: first token (a qualifier such as "former" included), the
# lexicon match, and the end (after a portfolio such as "for Western Hemisphere affairs").
_Found = tuple[int, Span, int]


def _title_text(doc: Doc, first: int, title: Span, last: int) -> str:
    """The lexicon's spelling of the role ("Sen." -> "Senator", "charge d'affaires" ->
    "Chargé d'affaires") with the article's qualifier and portfolio around it."""
    parts = [doc[first : title.start].text, title.label_, doc[title.end : last].text]
    return title_case(" ".join(part for part in parts if part))


def _title_inside(entity: _Entity, titles: list[Span]) -> _Found | None:
    """The NER took the title into the name ("Secretary Alejandro Mayorkas"): split it off."""
    span = entity.span
    inside = [t for t in titles if t.start == span.start and t.end < span.end]
    if not inside:
        return None
    title = max(inside, key=len)
    rest = span.doc[title.end : span.end]
    if not any(t.is_alpha and t.is_title for t in rest):
        return None
    entity.span = rest
    return title.start, title, title.end


def _title_before(person: Span, titles: list[Span],
                  ents_by_end: dict[int, _Entity]) -> _Found | None:
    """"Deputy Foreign Minister Carlos …", "Assistant Secretary for … Brian Nichols",
    "the foreign minister, Bruno Rodríguez"."""
    doc, start = person.doc, person.start
    # Earliest start first: the longest title wins, portfolio included.
    for title in sorted(titles, key=lambda t: (t.start, -t.end)):
        gap = doc[title.end : start]
        if title.end > start or len(gap) > _MAX_PORTFOLIO:
            continue
        if len(gap) == 0 or _is_portfolio(gap):
            return _with_qualifier(doc, title.start), title, start
        if gap.text == "," and _introduced(doc, title.start, ents_by_end):
            return _with_qualifier(doc, title.start), title, title.end
    return None


def _introduced(doc: Doc, start: int, ents_by_end: dict[int, _Entity]) -> bool:
    """A title set off by a comma before a name needs "the"/"Cuba's" before it ("the Cuban
    foreign minister, Bruno Rodríguez"); a bare "…president, Joe Biden said" is no title."""
    if start > 0 and doc[start - 1].text in _POSSESSIVE:
        return True
    owner = ents_by_end.get(start)
    if owner is not None and owner.label in _AFFILIATION_LABELS:
        start = owner.span.start
    return start > 0 and doc[start - 1].lower_ in _DETERMINERS


def _title_after(person: Span, titles: list[Span],
                 ents_by_start: dict[int, _Entity]) -> _Found | None:
    """Apposition: "Brian Nichols, [the] [US] assistant secretary of state for …, said"."""
    doc, i = person.doc, person.end
    if i >= len(doc) or doc[i].text != ",":
        return None
    i += 1
    if i < len(doc) and doc[i].lower_ in _DETERMINERS:
        i += 1
    i = _skip_affiliation(doc, i, ents_by_start)
    title_start = i
    if i < len(doc) and doc[i].lower_ in _QUALIFIERS:
        i += 1
    candidates = [t for t in titles if t.start == i]
    if not candidates:
        return None
    title = max(candidates, key=len)
    end = stop = title.end
    while stop < len(doc) and stop - end < _MAX_PORTFOLIO and not _ends_phrase(doc[stop]):
        stop += 1
    if stop > end and not _is_portfolio(doc[end:stop]):
        stop = end
    if stop < len(doc) and not _ends_phrase(doc[stop]):
        return None  # runs on into something else: not an apposition
    return title_start, title, stop


def _skip_affiliation(doc: Doc, i: int, ents_by_start: dict[int, _Entity]) -> int:
    """Step over "State Department" / "Cuba's" between a comma and a title."""
    owner = ents_by_start.get(i)
    if owner is None or owner.label not in _AFFILIATION_LABELS:
        return i
    end = owner.span.end
    if end < len(doc) and doc[end].text in _POSSESSIVE:
        end += 1
    return end


def _ends_phrase(token: Token) -> bool:
    # A hyphen inside "direct-to-consumer" does not end the apposition; a comma does.
    return token.text in _BOUNDARIES or bool(token.is_sent_start)


def _is_portfolio(gap: Span) -> bool:
    """``for Western Hemisphere affairs``: a connector, then words (hyphenated or possessive
    allowed), ending on a word that is not itself a connector ("… Security and")."""
    return (
        len(gap) > 1 and gap[0].lower_ in _CONNECTORS and gap[-1].lower_ not in _SMALL_WORDS
        and all(t.is_alpha or t.text in _POSSESSIVE or (t.text == "-" and not t.whitespace_)
                for t in gap[1:])
    )


def _with_qualifier(doc: Doc, start: int) -> int:
    """Include "former"/"acting" (and "ex-") before a title in it."""
    if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in _QUALIFIERS:
        return start - 2
    if start >= 1 and doc[start - 1].lower_ in _QUALIFIERS:
        return start - 1
    return start


def _affiliation(doc: Doc, title_start: int, ents_by_end: dict[int, _Entity]) -> str | None:
    """The country or agency written right before the title ("Cuba's", "US", "State Dept.")."""
    i = title_start
    if i > 0 and doc[i - 1].text in _POSSESSIVE:
        i -= 1
    owner = ents_by_end.get(i)
    if owner is None or owner.label not in _AFFILIATION_LABELS:
        return None
    if owner.gazetteer_id:
        return owner.gazetteer_id
    name = normalise_name(owner.span.text)
    return _COUNTRIES.get(fold(name), name if owner.label != "NORP" else None)


def _canonicalise(entities: list[_Entity]) -> None:
    """Names: gazetteer id; for people the fullest form in the article; titles shared."""
    people = [e for e in entities if e.label in _PERSON_LABELS]
    forms = {_words(e.span.text): normalise_name(e.span.text) for e in reversed(people)}
    fullest = [w for w in forms if not any(w != o and _contains(o, w) for o in forms)]

    def full_form(words: tuple[str, ...]) -> tuple[str, ...] | None:
        owners = [f for f in fullest if _contains(f, words)]
        return owners[0] if len(owners) == 1 else None

    for entity in entities:
        words = _words(entity.span.text)
        if entity.label not in _PERSON_LABELS and not entity.gazetteer_id and len(words) <= 3:
            # "Blinken" mislabelled ORG/GPE after "Antony Blinken" in the same article.
            # Not a first name alone: Spanish surnames sit mid-name ("Miguel Díaz-Canel
            # Bermúdez"), so any later part will do.
            owner = full_form(words)
            if owner is not None and owner[: len(words)] != words:
                entity.label = "PERSON"
        if entity.label in _PERSON_LABELS:
            owner = full_form(words)
            entity.name = forms[owner] if owner else normalise_name(entity.span.text)
        else:
            entity.name = entity.gazetteer_id or normalise_name(entity.span.text)
    first_seen: dict[str, _Entity] = {}
    for entity in entities:
        if entity.label in _PERSON_LABELS and entity.title:
            first_seen.setdefault(entity.name, entity)
    for entity in entities:
        known = first_seen.get(entity.name) if entity.label in _PERSON_LABELS else None
        if known is not None and entity.title is None:
            entity.title, entity.affiliation = known.title, known.affiliation
