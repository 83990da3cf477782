"""The gazetteer: US and Cuban government bodies (``models/agencies.jsonl``) as a spaCy
component that runs after the statistical NER and overrides it where they overlap.

The file holds EntityRuler-style rules, one per line: ``{"label": "ORG", "pattern": [...],
"id": "<canonical name>", "country": "<whose body it is>"}``; a bare name that many countries
use ("Senate", "National Assembly") also carries ``"generic": "<that name>"`` (and
``"context": "<body>"`` when it names that body's organ only where the body is named: the
UN's "General Assembly"), so that the article can give it another owner. Token patterns made only of
``LOWER`` (or only of ``ORTH``) values, ``IN`` lists included, are compiled into PhraseMatcher
phrases: a PhraseMatcher costs the same for ten names or a thousand, while spaCy's Matcher tries
every token pattern at every token (the 280 rules took 3-4 s per 100,000 words, a quarter of
the whole tagging). Any other pattern (``OP``, ``POS``…) still works, through a Matcher. A
string pattern matches on LOWER.

:class:`Names` holds the tables the rules look up: places and peoples one canonical name each
(``models/places.jsonl``: "US", "U.S." and "the United States" are "United States"; "Cubans"
is the group "Cuban"), the surnames of presidents (``models/administrations.txt``), and what
the gazetteer's rules say of their bodies (whose each is; which names many countries use).
Each gazetteer component owns one, built from the assets folder of its config and filled as
its rules are compiled (``nlp.get_pipe(GAZETTEER).names``); the tagger hands it to the rules.
Nothing here is module state: two pipelines built from two folders do not mix.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import product
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..assets import Assets
from ..text import fold

GAZETTEER = "monitor_gazetteer"
_PERSON_LABELS = frozenset({"PERSON", "PER"})
_DEFINITE = frozenset({"the", "el", "la", "los", "las"})
# Capitalised words that do not carry a name on past a body's: honorifics glued on by the NER
# ("the House of Representatives [Rt]. Hon. B. U. Nzeribe"); one-word titles are added from
# models/titles.txt ("House of Representatives [Speaker]").
_NAME_STOPPERS = frozenset({"rt", "hon", "honourable", "honorable", "mr", "mrs", "ms", "dr",
                         "sir", "dame", "prof", "rev", "sr", "jr"})


class Gazetteer:
    """The component. What its rules say of their bodies (whose each is, which names are
    generic) is recorded in ``names``, the pipeline's tables (a new one when none is given),
    where the entity rules of :mod:`monitor.tagging.entities` read it."""

    def __init__(self, nlp: Language, name: str, rules: Iterable[dict[str, Any]],
                 not_names: Iterable[str] = (), names: Names | None = None) -> None:
        self.name = name
        self.names = Names() if names is None else names
        self.not_names = _NAME_STOPPERS | frozenset(not_names)
        self.phrases = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LOWER", "ORTH")}
        self.tokens = Matcher(nlp.vocab, validate=True)
        self.rules: dict[int, tuple[str, str]] = {}
        for rule in rules:
            key = f"{rule['label']}\t{rule.get('id', '')}"
            self.names.add_body(rule)
            self.rules[nlp.vocab.strings.add(key)] = (rule["label"], rule.get("id", ""))
            pattern = rule["pattern"]
            if isinstance(pattern, str):
                self.phrases["LOWER"].add(key, [nlp.make_doc(pattern)])
                continue
            for attr, matcher in self.phrases.items():
                phrases = _phrases(pattern, attr)
                if phrases is not None:
                    matcher.add(key, [Doc(nlp.vocab, words=w) for w in phrases])
                    break
            else:
                self.tokens.add(key, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        matches = [m for matcher in self.phrases.values() for m in matcher(doc)]
        if len(self.tokens):
            matches += self.tokens(doc)
        spans = [Span(doc, start, end, label=self.rules[key][0], span_id=self.rules[key][1])
                 for key, start, end in matches if _named(doc, start, end)]
        if spans:
            titled = frozenset(i for title in doc.spans.get("titles", ())
                               for i in range(title.start, title.end))
            doc.ents = gazetteer_ents_filter(doc.ents, spans, self.not_names, titled,
                                             generic=self.names.generic_bodies)
        return doc


def _named(doc: Doc, start: int, end: int) -> bool:
    """A match written in lower case names the body only after "the" ("the state department
    said"); without it, it is a description ("more border patrol agents", "homeland security
    concerns")."""
    if any(t.is_alpha and not t.is_lower for t in doc[start:end]):
        return True
    return start > 0 and doc[start - 1].lower_ in _DEFINITE


@Language.factory(GAZETTEER, default_config={"assets": None})
def make_gazetteer(nlp: Language, name: str, assets: str | None) -> Gazetteer:
    """``assets``: the folder of ``agencies.jsonl``, ``places.jsonl``, ``administrations.txt``
    and ``titles.txt`` (None: the shipped ``models/``)."""
    folder = Assets.at(assets)
    return Gazetteer(nlp, name, srsly.read_jsonl(folder.file("agencies.jsonl")),
                     _title_words(folder), Names.load(folder))


def _title_words(assets: Assets) -> frozenset[str]:
    """One-word titles of ``titles.txt`` ("speaker", "rep"), lower-case, no dot."""
    words = set()
    for line in assets.lexicon("titles.txt"):
        for part in line.split("="):
            part = part.strip().rstrip(".")
            if part and " " not in part:
                words.add(part.lower())
    return frozenset(words)


def _phrases(pattern: list[dict[str, Any]], attr: str) -> list[list[str]] | None:
    """The token sequences a pattern of plain ``attr`` values matches, or None."""
    choices = []
    for token in pattern:
        if set(token) != {attr}:
            return None
        value = token[attr]
        if isinstance(value, str):
            choices.append([value])
        elif isinstance(value, dict) and set(value) == {"IN"}:
            choices.append([str(v) for v in value["IN"]])
        else:
            return None
    return [list(words) for words in product(*choices)] if choices else None


def gazetteer_ents_filter(entities: Iterable[Span], matches: Iterable[Span],
                          not_names: frozenset[str] = _NAME_STOPPERS,
                          titled: frozenset[int] = frozenset(), *,
                          generic: Collection[str] = frozenset()) -> list[Span]:
    """Let gazetteer matches (longest first) replace the NER entities they overlap, except:

    the NER keeps a longer name that runs on past the gazetteer name ("Senate Foreign
    Relations Committee" is not the U.S. Senate), and a PERSON that runs on past it keeps its
    remainder ("Homeland Security Secretary Alejandro Mayorkas" -> agency + person). Words
    of a title (``titled``: token indexes) are no more of a name ("Coast Guard Rear Adm.").
    A match whose folded text is in ``generic`` (:attr:`Names.generic_bodies`) leaves a
    longer name that starts before it to the NER ("the Texas Senate").
    """
    kept = _Kept(entities)
    taken: set[int] = set()
    for match in sorted(matches, key=lambda s: (s.end - s.start, -s.start), reverse=True):
        if taken.intersection(range(match.start, match.end)):
            continue
        overlapping = kept.overlapping(match)
        named = [(k, e) for k, e in overlapping if e.label_ not in _PERSON_LABELS
                 and _runs_on(e, match, not_names, titled)]
        if named and all(_portfolio_of_title(e, match, not_names) for _, e in named):
            # "Secretary of [Homeland Security Alejandro Mayorkas]": the body is the title's
            # portfolio, the rest a name
            for k, ent in named:
                kept.remove(k)
                kept.add(Span(ent.doc, match.end, ent.end, label="PERSON"))
            overlapping = [(k, e) for k, e in overlapping if e not in [n for _, n in named]]
        elif named and all(_body_word_after(e, match) for _, e in named):
            # "the Customs and Border Protection [Office] (CBP)": the body, with a word
            match = Span(match.doc, match.start, max(e.end for _, e in named),
                         label=match.label, span_id=match.id)
            if taken.intersection(range(match.start, match.end)):
                continue
        elif named:
            continue
        if fold(match.text) in generic and any(
                _starts_before(e, match) for _, e in overlapping
                if e.label_ not in _PERSON_LABELS):
            continue  # "the Virginia General Assembly", "the Texas Senate": not the default's
        for k, _ in overlapping:
            kept.remove(k)
        for _, ent in overlapping:
            if ent.label_ in _PERSON_LABELS and _runs_on(ent, match, not_names, titled):
                kept.add(Span(ent.doc, match.end, ent.end, label=ent.label))
        kept.add(match)
        taken.update(range(match.start, match.end))
    return sorted(kept.spans(), key=lambda s: s.start)


class _Kept:
    """The entities kept so far, in the order they were kept, with the tokens each covers:
    the ones a match overlaps are found by its tokens, not by reading them all."""

    def __init__(self, entities: Iterable[Span]) -> None:
        self._spans: dict[int, Span] = {}
        self._at: dict[int, list[int]] = {}  # token -> keys of the spans over it
        self._empty: list[int] = []  # spans of no token (none from the NER)
        self._next = 0
        for entity in entities:
            self.add(entity)

    def add(self, span: Span) -> None:
        key, self._next = self._next, self._next + 1
        self._spans[key] = span
        if span.start >= span.end:
            self._empty.append(key)
        for i in range(span.start, span.end):
            self._at.setdefault(i, []).append(key)

    def remove(self, key: int) -> None:
        span = self._spans.pop(key, None)
        if span is None:
            return
        if span.start >= span.end:
            self._empty.remove(key)
        for i in range(span.start, span.end):
            self._at[i].remove(key)

    def overlapping(self, match: Span) -> list[tuple[int, Span]]:
        """(key, span) of the kept spans that overlap ``match``, in the order kept."""
        keys = {k for i in range(match.start, match.end) for k in self._at.get(i, ())}
        keys.update(k for k in self._empty
                    if self._spans[k].start < match.end and self._spans[k].end > match.start)
        return [(k, self._spans[k]) for k in sorted(keys)]

    def spans(self) -> list[Span]:
        return list(self._spans.values())


def _body_word_after(ent: Span, match: Span) -> bool:
    """The entity runs on past the match with one word that only says it is a body."""
    return ent.end == match.end + 1 and ent.doc[match.end].lower_ in ("office", "agency")


def _portfolio_of_title(ent: Span, match: Span, not_names: frozenset[str]) -> bool:
    """The entity starts with the match, right after "<title> of", and goes on with two or
    three capitalised words: a name."""
    doc, rest = ent.doc, ent.doc[match.end : ent.end]
    return (ent.start == match.start and match.start >= 2
            and doc[match.start - 1].lower_ == "of"
            and doc[match.start - 2].lower_ in not_names
            and 2 <= len(rest) <= 3 and all(t.is_title and t.is_alpha for t in rest))


def _starts_before(ent: Span, match: Span) -> bool:
    """The entity starts before the match with more of a name (a capitalised word)."""
    return ent.start < match.start and any(
        t.is_alpha and t.is_title and t.lower_ not in _DEFINITE
        for t in ent.doc[ent.start : match.start])


def _runs_on(ent: Span, match: Span, not_names: frozenset[str] = _NAME_STOPPERS,
             titled: frozenset[int] = frozenset()) -> bool:
    """The entity goes on after the match with more of a name: a capitalised word that is not
    an honorific or a title ("House of Representatives Speaker", "… Rt")."""
    return ent.end > match.end and any(
        t.is_alpha and t.is_title and t.lower_ not in not_names and t.i not in titled
        for t in ent.doc[match.end : ent.end]
    )


# --------------------------------------------------------------------------- places and peoples


@dataclass
class Names:
    """Canonical names of places and groups, keyed by the folded surface form, and what the
    gazetteer knows of bodies and presidencies (see the module's docstring)."""

    places: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    #: place alias or demonym -> the country it stands for: "Cuban" -> "Cuba", "Havana" -> "Cuba".
    countries: dict[str, str] = field(default_factory=dict)
    #: country -> its demonym: "Cuba" -> "Cuban".
    demonyms: dict[str, str] = field(default_factory=dict)
    #: Folded name or abbreviation of a state of a federation ("indiana", "ind.") -> its name;
    #: records with ``"state_of"`` (they stand for no country: "Indiana said" is not the US).
    states: dict[str, str] = field(default_factory=dict)
    #: Postal code of a state ("NY") -> its name: "the NYAG" is New York's attorney general.
    postal: dict[str, str] = field(default_factory=dict)
    #: State -> the name of its lower chamber where it is not "House of Representatives".
    lower_houses: dict[str, str] = field(default_factory=dict)
    #: Canonical agency name -> the country whose body it is, from the gazetteer's rules
    #: ("its Embassy in Havana" after "the State Department" is the US embassy).
    agency_countries: dict[str, str] = field(default_factory=dict)
    #: Folded surface of a body that many countries have ("senate", "national assembly") ->
    #: its generic name ("Senate") and the body whose organ it must be, if any ("General
    #: Assembly": the United Nations'), from the rules with a ``generic`` field: the
    #: gazetteer's country for it is only a default that the article may overrule ("the
    #: Nigerian Senate … the Senate").
    generic_bodies: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Folded surnames of presidents (``administrations.txt``): "the Trump Administration".
    presidencies: frozenset[str] = frozenset()

    @classmethod
    def load(cls, assets: Assets) -> Names:
        """Places and groups (``places.jsonl``) and presidencies (``administrations.txt``) of
        an assets folder; the bodies are added by the gazetteer that compiles their rules."""
        names = cls.read(assets.file("places.jsonl"))
        names.presidencies = frozenset(fold(line) for line in assets.lexicon("administrations.txt"))
        return names

    def add_body(self, rule: Mapping[str, Any]) -> None:
        """What a gazetteer rule says of its body: whose it is, and whether its name is one
        that many countries use."""
        if rule.get("id") and rule.get("country"):
            self.agency_countries[rule["id"]] = rule["country"]
        if rule.get("generic"):
            pattern = rule["pattern"]
            for words in (_phrases(pattern, "LOWER") or _phrases(pattern, "ORTH") or []):
                self.generic_bodies[fold(" ".join(words))] = (rule["generic"],
                                                              rule.get("context", ""))

    @classmethod
    def read(cls, path: Path) -> Names:
        names = cls()
        for record in srsly.read_jsonl(path):
            if "place" in record:
                # A city stands for its country ("Havana said"); "country": "" for places
                # that stand for none (a bay, a strait).
                place = record["place"]
                country = record.get("country", place)
                for alias in [place, *record.get("aliases", ())]:
                    names.places[fold(alias)] = place
                    if country:
                        names.countries[fold(alias)] = country
                if record.get("state_of"):
                    for alias in [place, *record.get("aliases", ())]:
                        names.states[fold(alias)] = place
                    if record.get("postal"):
                        names.postal[record["postal"]] = place
                    if record.get("lower_house"):
                        names.lower_houses[place] = record["lower_house"]
                demonym = record.get("demonym")
                if demonym:
                    names.demonyms[place] = demonym
                for alias in [demonym, *record.get("demonyms", ())] if demonym else ():
                    names.groups[fold(alias)] = demonym
                    names.countries[fold(alias)] = country or place
            else:
                for alias in [record["group"], *record.get("aliases", ())]:
                    names.groups[fold(alias)] = record["group"]
        return names

    def place(self, name: str) -> str:
        return self.places.get(fold(name), name)

    def group(self, name: str) -> str:
        """``"Cubans"`` -> ``"Cuban"``; groups not in the table lose a plural ``s`` and the
        hyphen of a compound ("Haitian-Americans" -> "Haitian American")."""
        known = self.groups.get(fold(name))
        if known is not None:
            return known
        name = re.sub(r"(?<=[a-z])-(?=[A-Z])", " ", name)
        head, _, last = name.rpartition(" ")
        if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us")):
            last = last[:-1]
        return f"{head} {last}" if head else last

    def demonym(self, country: str) -> str | None:
        return self.demonyms.get(country)

    @cached_property
    def state_firsts(self) -> frozenset[str]:
        """First words of the states' names and abbreviations ("new", "indiana", "ind.")."""
        return frozenset(key.split()[0] for key in self.states)

    def state(self, name: str) -> str | None:
        """The state of a federation a name or abbreviation stands for ("Ind." -> "Indiana")."""
        return self.states.get(fold(name))

    def country(self, name: str) -> str | None:
        """The country a place alias, capital or demonym stands for, when the table knows it."""
        return self.countries.get(fold(name))
