"""Entities of one article: :func:`extract_mentions` turns a processed doc (NER + gazetteer +
the ``monitor_titles`` component) into :class:`Mention` records, in four steps:

1. repairs of the NER's spans (:mod:`monitor.tagging.bodies`): "Cuban-Americans" is one group,
   "Ministry of Energy and Mines" one body, "its Embassy in Havana" the U.S. Embassy in
   Havana, "the Cuban government" the Government of Cuba and "the Donald Trump
   Administration" the Trump administration (both organisations: the gold convention, and
   plain sense, keep "agency" for the bodies a government is made of); a bare generic head
   ("the Ministry", "Embassy") is no entity;
2. titles of people (:mod:`monitor.tagging.titles`): before the name, in an apposition after it,
   after a verb of being ("Smith, who is the embassy's chargé d'affaires"), each with the
   affiliation the text gives;
3. drops: names that are page furniture, title words the NER took for organisations;
4. canonical names: one per real-world body (gazetteer ids, ``models/places.jsonl``), the
   fullest form of a person's name in the article for its short forms.

What the steps share (word lists, the working ``Entity``, name helpers) is in
:mod:`monitor.tagging.entity_base`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable

from spacy.tokens import Doc

from .bodies import repair
from .entity_base import (
    NUMERIC_LABELS,
    PERSON_LABELS,
    PLACE_LABELS,
    Entity,
    Mention,
    Stoplist,
    base_name,
    folded_words,
    is_name_like,
    kind_for,
    normalise_name,
    trim_space,
)
from .gazetteer import Names
from .titles import attach_titles, titled_names


def extract_mentions(doc: Doc, table: Names, not_names: Iterable[str] = (), *,
                     text: str | None = None) -> list[Mention]:
    """Mentions of one processed article (``monitor_titles`` must have run); ``table`` is
    the tables of the gazetteer of the pipeline that made it (``nlp.get_pipe(GAZETTEER)
    .names``), ``not_names`` the lines of ``not_names.txt``, ``text`` the doc's text when the
    caller has it (``doc.text`` joins every token anew)."""
    stoplist = Stoplist(folded_words(entry) for entry in not_names)
    entities = [
        Entity(span, ent.label_, ent.ent_id_)
        for ent in doc.ents
        if ent.label_ not in NUMERIC_LABELS and (span := trim_space(ent)) is not None
    ]
    entities = repair(doc, entities, table)
    entities = titled_names(doc, entities, table, stoplist)
    title_tokens = attach_titles(doc, entities, table)
    entities = [
        e for e in entities
        if (e.label not in PERSON_LABELS or (
            is_name_like(e.span.text, stoplist)
            # "Lt [Col] Alexander Vindman": a title word the NER took for a name
            and not title_tokens[1].issuperset(range(e.span.start, e.span.end))))
        # An ORG "State" inside "Secretary of State" is part of a title, not an entity; so
        # is "Western Hemisphere Affairs" in its portfolio, but not "Havana" in "chargé
        # d'affaires in Havana".
        and (e.label in PERSON_LABELS or e.known
             or not title_tokens[e.label in PLACE_LABELS].intersection(
                 range(e.span.start, e.span.end)))
    ]
    _canonicalise(entities, table)
    sentence = _sentences(doc, doc.text if text is None else text)
    return [
        Mention(
            text=e.span.text, start=e.span.start_char, end=e.span.end_char,
            sentence=sentence(e.span.start),
            label=e.label, name=e.name, title=e.title, affiliation=e.affiliation,
            kind=e.kind or kind_for(e.label, e.name, has_title=e.title is not None,
                                    is_agency=bool(e.known)),
        )
        for e in entities
        if e.name
    ]


def _sentences(doc: Doc, text: str) -> Callable[[int], str]:
    """Token index -> the text of its sentence, cut from ``text`` (``Span.sent`` walks the
    tokens anew on every call, ``Span.text`` joins them)."""
    if not doc.has_annotation("SENT_START"):
        whole = text.strip()
        return lambda i: whole
    sentences = list(doc.sents)
    starts = [s.start for s in sentences]

    def sentence(i: int) -> str:
        found = sentences[bisect_right(starts, i) - 1]
        return text[found.start_char : found.end_char].strip()

    return sentence


#: Words of the longest name whose parts are matched with other names of the article.
_LONGEST_NAME = 24


def _runs(words: tuple[str, ...], lengths: set[int]) -> set[tuple[str, ...]]:
    """The runs of consecutive ``words`` of the given lengths."""
    return {words[i : i + n] for n in lengths if n <= len(words)
            for i in range(len(words) - n + 1)}


def _canonicalise(entities: list[Entity], table: Names) -> None:
    """Names: known bodies, places and groups from the tables; for people the fullest form
    in the article; titles shared."""
    people = [e for e in entities if e.label in PERSON_LABELS]
    forms = {folded_words(e.span.text): normalise_name(e.span.text) for e in reversed(people)}
    # Every run of words inside a form -> the forms holding it; the fullest forms are those
    # inside no other. Only runs as long as a form, or as a short name of another kind
    # ("Blinken" below), are ever looked up: a form of n words has n²/2 runs. A "name" too
    # long to be one (a hyphenated run the span was stretched over) is its own and no
    # other's.
    lengths = {len(form) for form in forms if 0 < len(form) <= _LONGEST_NAME} | {1, 2, 3}
    holders: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for form in forms:
        if len(form) > _LONGEST_NAME:
            continue
        for run in _runs(form, lengths):
            holders.setdefault(run, []).append(form)
    fullest = {w for w in forms if len(w) > _LONGEST_NAME or holders[w] == [w]}
    owners = {run: [f for f in found if f in fullest] for run, found in holders.items()}

    def full_form(words: tuple[str, ...]) -> tuple[str, ...] | None:
        found = owners.get(words, ())
        return found[0] if len(found) == 1 else None

    for entity in entities:
        words = folded_words(entity.span.text)
        if entity.label not in PERSON_LABELS and not entity.known and len(words) <= 3:
            # "Blinken" mislabelled ORG/GPE after "Antony Blinken" in the same article.
            # Not a first name alone: Spanish surnames sit mid-name ("Miguel Díaz-Canel
            # Bermúdez"), so any later part will do.
            owner = full_form(words)
            if owner is not None and owner[: len(words)] != words:
                entity.label = "PERSON"
        if entity.label in PERSON_LABELS:
            owner = words if len(words) > _LONGEST_NAME and words in forms else full_form(words)
            entity.name = forms[owner] if owner else normalise_name(entity.span.text)
        else:
            entity.name = base_name(entity, table)
    first_seen: dict[str, Entity] = {}
    for entity in entities:
        if entity.label in PERSON_LABELS and entity.title:
            first_seen.setdefault(entity.name, entity)
    for entity in entities:
        known = first_seen.get(entity.name) if entity.label in PERSON_LABELS else None
        if known is not None and entity.title is None:
            entity.title, entity.affiliation = known.title, known.affiliation
