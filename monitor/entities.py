"""Entities of one article: kinds, canonical names, titles of officials.

The ``monitor_titles`` component (registered on import, unit-testable on ``spacy.blank("en")``)
marks every title of ``models/titles.txt`` in ``doc.spans["titles"]``; :func:`extract_mentions`
then turns a processed doc (NER + gazetteer + titles) into :class:`Mention` records, in four
steps:

1. repairs of the NER's spans: "Cuban-Americans" is one group, "Ministry of Energy and Mines"
   one body, "its Embassy in Havana" the U.S. Embassy in Havana, "the Cuban government" the
   Government of Cuba and "the Donald Trump Administration" the Trump administration (both
   organisations: the gold convention, and plain sense, keep "agency" for the bodies a
   government is made of); a bare generic head ("the Ministry", "Embassy") is no entity;
2. titles of people: before the name, in an apposition after it, after a verb of being
   ("Smith, who is the embassy's chargé d'affaires"), each with the affiliation the text gives;
3. drops: names that are page furniture, title words the NER took for organisations;
4. canonical names: one per real-world body (gazetteer ids, ``models/places.jsonl``), the
   fullest form of a person's name in the article for its short forms.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span, Token

from .assets import model_file
from .gazetteer import AGENCY_COUNTRIES, GENERIC_BODIES, Names, names
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
    r"consulado|coast guard|border patrol|national assembly|general assembly|parliament|"
    r"senate|congress|"
    r"house of representatives|armed forces|police|secretariat|court of)\b"
    r"|\b(agency|administration|service|commission|bureau|office|council|directorate|"
    r"authority|command|court|tribunal|agencia)$"
    r"|^(the )?(bureau|commission|council|court) of\b|\boffice of\b"
    r"|\b(house|senate|congressional|parliamentary|assembly)\b.*\b(committee|subcommittee)\b"
    # health bodies of a place: "Inner Mongolia Disease Prevention and Control Centre",
    # "Chinese Center for Disease Control", "Centre for Health Protection"
    r"|\bdiseases? (prevention|control)( and (prevention|control))? cent(er|re)s?$"
    r"|\bcent(er|re)s? for (disease control|disease prevention|health protection)\b"
    r"|^(the )?federal reserve bank of\b",
    re.IGNORECASE,
)
# "Cuban News Agency", "Fox News Service": the news trade, an organisation whatever its head.
_NEWS_FORM = re.compile(r"\b(news|newswire|wire|press|noticias|prensa|informativa)\b",
                        re.IGNORECASE)
# Parties are groups (the contract puts "nationalities, parties" under `group`), even the
# Communist Party of Cuba, which the gazetteer carries only so its aliases share one name.
_PARTY_FORM = re.compile(r"\b(party|partido)\b", re.IGNORECASE)
# Heads that name no body on their own: "the Ministry said", "its Embassy".
_GENERIC_HEADS = frozenset({
    "embassy", "embassies", "consulate", "agency", "agencies", "ministry", "ministries",
    "department", "departments", "government", "governments", "administration", "office",
    "bureau", "commission", "council", "committee", "service", "authority", "directorate",
    "secretariat", "regime", "embajada", "ministerio", "gobierno", "agencia", "island",
    "court", "tribunal", "parliament", "assembly", "subcommittee", "panel",
})
# Words that say only whose chamber a committee is: "House Committee", "Senate panel".
_LEGISLATURES = frozenset({"house", "senate", "congressional", "congress", "parliamentary",
                           "parliament", "joint"})
# Heads that start a body's name and may run on past "and": "Ministry of Energy [and Mines]".
_BODY_STARTS = frozenset({"ministry", "department", "office", "bureau", "secretariat",
                          "ministerio", "departamento"})
_POSSESSIVE_PRONOUNS = frozenset({"its", "their", "his", "her", "our", "su", "sus"})
# Bodies named by whose they are: "its Embassy in Havana", "the Cuban government".
_OWNED_HEADS = {"embassy": "Embassy", "consulate": "Consulate", "government": "Government",
                "regime": "Government", "gobierno": "Government"}
_OWNED_KEYS = [hash_string(word) for word in _OWNED_HEADS]

# Words that qualify a title without being part of the role itself.
_QUALIFIERS = frozenset({"former", "acting", "interim", "outgoing", "incoming", "then", "ex"})
# Rank words that make a title into another ("the Taliban's [deputy] leader"), taken in with it.
_RANKS = frozenset({"deputy", "vice", "assistant", "associate", "principal", "senior", "chief",
                    "executive", "top", "lead", "special"})
# Words before an affiliation and its title: "the [top] US diplomat", "a [senior] Cuban…",
# "the [principal deputy] White House press secretary".
_DESCRIPTIVE = frozenset({"current", "new", "veteran", "longtime", "top", "then"})
_PRE_QUALIFIERS = _QUALIFIERS | _RANKS | _DESCRIPTIVE
# Words that continue a title into its portfolio: "secretary of state FOR Western Hemisphere…".
_CONNECTORS = frozenset({"of", "for", "to", "on", "at", "in", "from", "de", "del", "para",
                         "en"})
# An apposition's role may also be held "with" a body: "a China scholar WITH the American
# Enterprise Institute", "an analyst with Commerzbank" (not before a name: "talks with
# Foreign Minister…").
_APPOSITION_CONNECTORS = _CONNECTORS | {"with", "con"}
# Portfolio connectors whose object is the body the official belongs to: "spokesman FOR the
# State Department", "president OF Cuba" (not "ambassador TO Cuba").
_OWNER_CONNECTORS = frozenset({"of", "for", "at", "with", "de", "del"})
# Words that say when someone held a role, no part of it (the gold convention drops them):
# "[former] CEO", "[then]-Secretary", "[ex]-minister", "the [new] police commissioner".
_TIME_QUALIFIERS = frozenset({"former", "then", "ex", "new", "longtime"})
# Roles of knowledge whose country is their subject, not their employer: "a [China] scholar",
# "a [Ukraine] expert", "an [Iran] analyst" (but "a [US] diplomat": the country is whose).
_SUBJECT_ROLES = frozenset({"scholar", "expert", "specialist", "analyst", "watcher",
                            "historian", "researcher", "hand", "correspondent", "economist"})
_SMALL_WORDS = frozenset({"of", "for", "to", "on", "at", "in", "from", "with", "the", "and", "de",
                          "del", "la", "las", "los", "el", "y", "para", "en", "d'affaires",
                          "d’affaires"})
_DETERMINERS = frozenset({"the", "a", "an", "el", "la", "los", "las", "un", "una"})
# What may introduce an apposition's title: "[the] spokesman", "[another] top aide", "[his]
# deputy".
_INTRODUCERS = _DETERMINERS | {"another", "its", "their", "his", "her", "our", "su", "sus"}
_POSSESSIVE = frozenset({"'s", "’s", "'"})
_MAX_PORTFOLIO = 8
# An apposition's portfolio may be longer: "…, a senior fellow at the Urban Institute-Brookings
# Institution Tax Policy Center, said".
_MAX_APPOSITION = 16
# Lower-case words that may qualify a title in an apposition: "a [Ukraine] specialist", "a
# [foreign exchange] trader", "a [family medicine] physician".
_MAX_MODIFIERS = 3
_HONORIFICS = frozenset({"dr.", "dr", "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "prof.", "sir",
                         "dame", "hon.", "rev.", "sr.", "sra."})
# Last words of organisations, never of a person's name ("Kohelet Policy Forum").
_ORG_HEADS = frozenset({
    "forum", "institute", "institution", "center", "centre", "university", "college", "school",
    "group", "foundation", "association", "company", "corporation", "corp", "inc", "ltd", "llc",
    "bank", "fund", "network", "news", "times", "post", "journal", "press", "media", "club",
    "council", "committee", "party", "union", "league", "society", "agency", "office",
    "ministry", "department", "service", "services", "commission", "court", "hospital",
})
_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "da", "do", "dos", "van",
                             "von", "bin", "al"})
_BOUNDARIES = frozenset({",", ".", ";", ":", "(", ")", "—", "–", "!", "?", '"', "“", "”"})
# Verbs of being between a name and its role: "Smith, who [is] the…", "Smith [has been]…".
_BE = frozenset({"is", "was", "became", "becomes", "remains", "remained"})
_PERFECT = frozenset({"has", "have", "had", "will", "would"})
_SERVES = frozenset({"serves", "served", "serving", "acts", "acted", "acting", "works",
                     "worked", "working"})
_NAMED = frozenset({"named", "appointed", "elected", "confirmed"})
# Words that end a title's portfolio: a time ("…in Havana [until] last year") or a relative
# clause ("a professor of economics [who] has studied…").
_TIME_WORDS = frozenset({"until", "till", "since", "after", "before", "during", "when", "while",
                         "between", "who", "whose", "which", "that", "where"})
_CLAUSE_PRONOUNS = frozenset({"i", "you", "he", "she", "we", "they", "his", "her"})
_ADVERBS = frozenset({"also", "now", "currently", "still", "then", "formerly", "previously",
                      "already", "once", "later"})


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
    """A government body by the shape of its name: capitalised ("the immigration department"
    is a description, not a name), not the news trade ("Cuban News Agency")."""
    return any(ch.isupper() for ch in name) and bool(_AGENCY_FORM.search(name)) and not (
        _NEWS_FORM.search(name) and re.search(r"\b(agency|agencia|service|servicio)\b", name,
                                              re.IGNORECASE)
    )


def normalise_name(text: str) -> str:
    """Surface form as a name: no leading article, no possessive, single spaces."""
    name = squash(text).strip(" \"'“”‘’,;:()")  # not ".": "U.S.", "Jr."
    name = re.sub(r"^(the|el|la|los|las)\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*['’]s?$", "", name)
    name = re.sub(r"\s*\([^)]*$", "", name)  # "Ministry of Trade (MOTIE": the NER cut it short
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


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


# --------------------------------------------------------------------------- titles component


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file, without blanks and ``#`` comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


@cache
def _presidencies() -> frozenset[str]:
    return frozenset(fold(line) for line in read_lexicon(model_file("administrations.txt")))


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
    #: A canonical name given by a rule of this module (embassies, administrations).
    fixed: str = ""
    #: The kind, when a rule knows it better than :func:`kind_for` ("Trump administration"
    #: is no agency but all of them).
    kind: str = ""
    #: Whose body it is, when a rule found out ("its Embassy in Havana").
    country: str = ""

    @property
    def known(self) -> str:
        """The canonical name of a known government body, or ""."""
        return self.gazetteer_id or self.fixed


def extract_mentions(doc: Doc, not_names: Iterable[str] = (), table: Names | None = None, *,
                     text: str | None = None) -> list[Mention]:
    """Mentions of one processed article (``monitor_titles`` must have run); ``text`` is the
    doc's text when the caller has it (``doc.text`` joins every token anew)."""
    table = table or names()
    stoplist = {_words(entry) for entry in not_names}
    entities = [
        _Entity(span, ent.label_, ent.ent_id_)
        for ent in doc.ents
        if ent.label_ not in NUMERIC_LABELS and (span := trim_space(ent)) is not None
    ]
    entities = _repair(doc, entities, table)
    entities = _titled_names(doc, entities, table, stoplist)
    title_tokens = _attach_titles(doc, entities, table)
    entities = [
        e for e in entities
        if (e.label not in _PERSON_LABELS or (
            _is_name_like(e.span.text, stoplist)
            # "Lt [Col] Alexander Vindman": a title word the NER took for a name
            and not title_tokens[1].issuperset(range(e.span.start, e.span.end))))
        # An ORG "State" inside "Secretary of State" is part of a title, not an entity; so
        # is "Western Hemisphere Affairs" in its portfolio, but not "Havana" in "chargé
        # d'affaires in Havana".
        and (e.label in _PERSON_LABELS or e.known
             or not title_tokens[e.label in _PLACE_LABELS].intersection(
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


def trim_space(span: Span) -> Span | None:
    """The NER lets an entity run into the line break after it ("Buy Now⏎⏎"): trim it."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return span.doc[start:end] if end > start else None


def _is_name_like(text: str, stoplist: set[tuple[str, ...]]) -> bool:
    if any(ch.isdigit() for ch in text) or not any(ch.isalpha() for ch in text):
        return False
    if not any(word[:1].isupper() for word in text.split()):
        return False
    return not stoplist.intersection(_runs(_words(text)))


def _runs(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every run of consecutive words: ("a", "b") -> {("a",), ("b",), ("a", "b")}."""
    return {words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def _base_name(entity: _Entity, table: Names) -> str:
    """The canonical name of a non-person entity (people get theirs in _canonicalise)."""
    if entity.known:
        return entity.known
    name = normalise_name(entity.span.text)
    if entity.label == "NORP":
        return table.group(name)
    if entity.label in _PLACE_LABELS:
        return table.place(name)
    return name


def _country(entity: _Entity, table: Names) -> str | None:
    """The country an entity stands for or belongs to: "US", "Cubans", the State Department."""
    if entity.label in _PERSON_LABELS:
        return None
    if entity.known:
        return entity.country or AGENCY_COUNTRIES.get(entity.known)
    return table.country(normalise_name(entity.span.text))


# --------------------------------------------------------------------------- span repairs


def _repair(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    for entity in entities:  # "[Dr.] Sanjay Gupta": the honorific is no part of the name
        span = entity.span
        if entity.label in _PERSON_LABELS and len(span) > 1 and span[0].lower_ in _HONORIFICS:
            entity.span = span[1:]
        elif len(span) > 1 and span[-1].lower_ in _CONNECTORS:
            entity.span = span[:-1]  # "[Department of Economics at] Columbia University"
    _join_hyphenated_names(doc, entities)
    entities = _split_place_prefix(doc, entities, table)
    entities = _join_compound_groups(doc, entities)
    _extend_conjoined_bodies(doc, entities)
    entities = _administrations(doc, entities, table)
    entities = _owned_bodies(doc, entities, table)
    entities = _named_by_owner(doc, entities, table)
    entities = _foreign_bodies(doc, entities, table)
    entities = _nested_bodies(doc, entities)
    entities = _generic_bodies(doc, entities, table)
    entities = _judicial_districts(doc, entities)
    entities = _extend_to_body_head(doc, entities)
    entities = _state_bodies(doc, entities, table)
    entities = _prosecutors(doc, entities, table)
    _militaries(entities, table)
    _academic_departments(doc, entities)
    _cut_at_possessive(doc, entities)
    entities = _sub_units(doc, entities)
    return [e for e in entities if not _is_bare_head(e) and not _is_security(doc, e)]


def _cut_at_possessive(doc: Doc, entities: list[_Entity]) -> None:
    """"[Jeff Bezos’s Blue Origin]": a person's name ends at the possessive."""
    for entity in entities:
        span = entity.span
        if entity.label not in _PERSON_LABELS or len(span) < 3:
            continue
        cut = next((t.i for t in span[1:-1] if t.text in _POSSESSIVE), None)
        if cut is not None and doc[cut + 1].is_title:
            entity.span = doc[span.start : cut]


# Heads of a unit inside a known body: "NASA’s Science Mission [Directorate]".
_UNIT_HEADS = frozenset({"directorate", "office", "bureau", "division",
                         "service", "command", "administration", "agency", "institute",
                         "unit", "branch", "section"})
_UNIT_JOINERS = frozenset({"of", "the", "for", "and", "on"})
# Heads that make a lower-case run a unit's name: "NASA’s science mission directorate" (not
# "NASA's budget office", which may be a description).
_LOWER_UNIT_HEADS = frozenset({"directorate", "bureau", "division"})


def _sub_units(doc: Doc, entities: list[_Entity]) -> list[_Entity]:
    """A unit of a known body, named after its possessive: "NASA’s Science Mission
    Directorate" -> "NASA Science Mission Directorate", "the State Department's Bureau of
    Consular Affairs" -> "State Department Bureau of Consular Affairs"."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[_Entity] = []
    for owner in entities:
        i = owner.span.end
        if not owner.known or owner.label in _PERSON_LABELS or i + 1 >= len(doc) \
                or doc[i].text not in _POSSESSIVE or not doc[i + 1].is_alpha:
            continue
        lower = doc[i + 1].is_lower  # "NASA’s science mission directorate"
        end = i + 1
        while end < len(doc) and end - i <= (4 if lower else 8) and (
                (doc[end].is_lower if lower else doc[end].is_title)
                or (doc[end].lower_ in _UNIT_JOINERS and end > i + 1)):
            end += 1
        while end > i + 1 and doc[end - 1].lower_ in _UNIT_JOINERS:
            end -= 1
        words = doc[i + 1 : end]
        if lower and words[-1].lower_ not in _LOWER_UNIT_HEADS:
            continue
        if not (words[-1].lower_ in _UNIT_HEADS or words[0].lower_ in _UNIT_HEADS) or any(
                (other := at.get(t)) is not None and (other.label in _PERSON_LABELS or (
                    other.known and other is not owner)) for t in range(words.start, end)):
            continue
        written = _without_determiner(owner.span).text
        unit = title_case(words.text) if lower else words.text
        found.append(_Entity(words, "ORG", fixed=f"{written} {unit}",
                             country=owner.country))
        at.update(dict.fromkeys(range(words.start, end), found[-1]))
    if not found:
        return entities
    kept = [e for e in entities if all(at.get(t) is e for t in range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


# Heads that end a body's name, which the NER sometimes leaves out: "[Westminster
# Magistrate's] Court".
_BODY_HEADS = frozenset({"court", "tribunal", "commission", "council", "authority", "agency",
                         "ministry", "department", "office", "bureau", "board"})


def _extend_to_body_head(doc: Doc, entities: list[_Entity]) -> list[_Entity]:
    """An organisation's name the NER stopped one word short of its capitalised head, or
    split from it ("[Westminster Magistrate's] [Court]")."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    absorbed: set[int] = set()
    for entity in entities:
        span = entity.span
        end = span.end
        if id(entity) in absorbed or entity.label != "ORG" or entity.known or end >= len(doc):
            continue
        head = at.get(end)
        if (doc[end].is_title and doc[end].lower_ in _BODY_HEADS and not doc[end].is_sent_start
                and (head is None or (len(head.span) == 1 and head.label == "ORG"
                                      and not head.known))):
            entity.span = doc[span.start : end + 1]
            if head is not None:
                absorbed.add(id(head))
    return [e for e in entities if id(e) not in absorbed]


def _state_at(doc: Doc, i: int, table: Names) -> tuple[str, int] | None:
    """The state of a federation named at token ``i`` ("Indiana", "New York", "N.Y.") and the
    token after its name (a following "State" taken in: "New York State")."""
    for n in (2, 1):
        if i + n <= len(doc) and doc[i].text[:1].isupper():
            state = table.state(doc[i : i + n].text)
            if state is not None:
                end = i + n
                if end < len(doc) and doc[end].text == "State":
                    end += 1
                return state, end
    return None


def _state_bodies(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """Bodies of a US state: "Indiana House [Speaker]" (the Indiana House of Representatives),
    "the Ohio Senate", "the Texas attorney general's office", "the office of the New York
    State Attorney General" / "of the NYAG" (Office of the <State> Attorney General), and a
    bare "the Legislature" in an article about one state (the state named most): a generic
    body qualified by a state keeps the state, as one qualified by a country keeps the
    country."""
    if not table.states:
        return entities
    found: list[_Entity] = []
    counts: dict[str, int] = {}
    lower = doc.to_array(LOWER)
    # Only tokens that can start a state's name are looked at (on the arrays, not per token).
    firsts = [doc.vocab.strings[w] for w in table.state_firsts]
    after = 0
    for i in numpy.isin(lower, firsts).nonzero()[0].tolist():
        if i < after:
            continue
        at = _state_at(doc, i, table)
        if at is None:
            continue
        state, end = at
        counts[state] = counts.get(state, 0) + 1
        body = _state_body_after(doc, end, state, table)
        if body is not None:
            found.append(_Entity(doc[i : body[0]], "ORG", fixed=body[1],
                                 country="United States"))
            after = body[0]
        else:
            after = end
    offices = numpy.isin(lower, [doc.vocab.strings["office"]]).nonzero()[0].tolist()
    for i in offices:  # "the office of the New York State Attorney General"
        if doc[i + 1 : i + 3].text.lower() == "of the":
            office = _attorney_general_at(doc, i + 3, table)
            if office is not None:
                found.append(_Entity(doc[i : office[0]], "ORG", country="United States",
                                     fixed=f"Office of the {office[1]} Attorney General"))
    if counts:
        state = max(counts, key=lambda k: counts[k])  # the state the article is about
        taken = {t for e in found for t in range(e.span.start, e.span.end)}
        for token in (doc[i] for i in numpy.isin(
                lower, [doc.vocab.strings["legislature"]]).nonzero()[0].tolist()):
            if (token.text == "Legislature" and token.i not in taken
                    and not (token.i > 0 and doc[token.i - 1].is_title
                             and doc[token.i - 1].lower_ not in _DETERMINERS
                             and not doc[token.i - 1].is_sent_start)):
                found.append(_Entity(doc[token.i : token.i + 1], "ORG",
                                     fixed=f"{state} Legislature", country="United States"))
    if not found:
        return entities
    taken = {t for e in found for t in range(e.span.start, e.span.end)}
    kept = [e for e in entities
            if e.label in _PERSON_LABELS or not taken.intersection(range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


def _state_body_after(doc: Doc, i: int, state: str, table: Names) -> tuple[int, str] | None:
    """(end, name) of a state's body whose name starts at token ``i``, right after the state."""
    if i >= len(doc):
        return None
    word = doc[i].text
    if word == "House" and not (i + 1 < len(doc) and doc[i + 1].lower_ == "of"):
        return i + 1, f"{state} {table.lower_houses.get(state, 'House of Representatives')}"
    if word in ("Senate", "Legislature", "Assembly") or doc[i : i + 2].text == "General Assembly":
        end = i + (2 if word == "General" else 1)
        return end, f"{state} {doc[i:end].text}"
    words = " ".join(t.lower_ for t in doc[i : i + 4]).replace("’", "'")
    if words == "attorney general 's office":
        return i + 4, f"Office of the {state} Attorney General"
    return None


def _attorney_general_at(doc: Doc, i: int, table: Names) -> tuple[int, str] | None:
    """"New York State Attorney General" or "NYAG" at token ``i``: (end, state)."""
    at = _state_at(doc, i, table)
    if at is not None:
        state, end = at
        if doc[end : end + 2].text.lower() == "attorney general":
            return end + 2, state
        return None
    if i < len(doc) and re.fullmatch(r"[A-Z]{2}AG", doc[i].text):
        state = table.postal.get(doc[i].text[:2])
        if state is not None:
            return i + 1, state
    return None


# A country's chief prosecutor, whose office is the body: "Office of the Swedish Attorney
# General", "Sweden's prosecutor general's office", "the Swedish attorney general's office".
_PROSECUTORS = ("attorney general", "prosecutor general", "prosecutor - general",
                "public prosecutor", "chief prosecutor", "state prosecutor",
                "director of public prosecutions")
_PROSECUTOR_STARTS = frozenset(title.split(" ")[0] for title in _PROSECUTORS)


def _prosecutors(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """A foreign country's prosecution office, named by its country and the prosecutor's title
    ("Office of the <Demonym> Attorney General"), however written: "the Office of the Swedish
    Attorney General", "Sweden's prosecutor general's office", "the Swedish attorney
    general's office" (a US state's is one of _state_bodies; "the U.S. attorney's office"
    is the gazetteer's)."""
    found: list[_Entity] = []
    taken = -1
    for token in doc:  # from the title back to its country: only a few tokens are looked at
        if token.lower_ not in _PROSECUTOR_STARTS or token.i <= taken:
            continue
        title = _prosecutor_at(doc, token.i)
        if title is None:
            continue
        end, title_text = title
        before = token.i
        for n in (1, 2):  # "Swedish", "South Korea", then "'s" or "of the"
            owner = _country_before(doc, before, n, table)
            if owner is not None:
                break
        else:
            continue
        country, first = owner
        if first >= 3 and doc[first - 3 : first].text.lower() == "office of the":
            start = first - 3
        elif first >= 2 and doc[first - 2 : first].text.lower() == "office of":
            start = first - 2  # "the office of Sweden's attorney general"
        elif doc[end : end + 2].text.lower().replace("’", "'") in ("'s office", "'s department"):
            start, end = first, end + 2
        else:
            continue
        demonym = table.demonym(country) or country
        found.append(_Entity(doc[start:end], "ORG", country=country,
                             fixed=f"Office of the {demonym} {title_case(title_text)}"))
        taken = end - 1
    if not found:
        return entities
    spans = [(e.span.start, e.span.end) for e in found]

    def overlaps(e: _Entity) -> bool:  # a person running on past the office keeps the rest
        return any(s < e.span.end and e.span.start < t and (
            e.label not in _PERSON_LABELS or (s <= e.span.start and e.span.end <= t))
            for s, t in spans)

    kept = [e for e in entities if not overlaps(e)]
    return sorted(kept + found, key=lambda e: e.span.start)


def _country_before(doc: Doc, i: int, n: int, table: Names) -> tuple[str, int] | None:
    """A foreign country or its demonym in the ``n`` tokens before token ``i`` (a possessive
    "'s" after it skipped): (country, its first token)."""
    if i > 0 and doc[i - 1].text in _POSSESSIVE:
        i -= 1
    first = i - n
    if first < 0 or not doc[first].text[:1].isupper():
        return None
    country = table.country(doc[first:i].text)
    if country is None or country == "United States":
        return None
    return country, first


def _prosecutor_at(doc: Doc, i: int) -> tuple[int, str] | None:
    """A chief prosecutor's title at token ``i``: (end, title)."""
    for title in _PROSECUTORS:
        n = len(title.split(" "))
        words = doc[i : i + n]
        if " ".join(t.lower_ for t in words) == title:
            return i + n, words.text
    return None


# A country's armed forces: "the Indian Army", "Pakistan Navy" (not "the Irish Republican
# Army" or "the Free Syrian Army": a country's word must come right before the head).
_MILITARY_HEADS = ("army", "navy", "air force", "armed forces", "military", "marines",
                   "marine corps", "defence forces", "defense forces", "coast guard")


def _militaries(entities: list[_Entity], table: Names) -> None:
    for entity in entities:
        if entity.label != "ORG" or entity.known:
            continue
        words = _without_determiner(entity.span)
        text = fold(words.text)
        for head in _MILITARY_HEADS:
            if not text.endswith(" " + head):
                continue
            owner = words.text[: len(words.text) - len(head)].strip()
            country = table.country(owner)
            if country is not None:
                demonym = table.demonym(country) or country
                entity.fixed = f"{demonym} {title_case(head)}"
                entity.country = country
            break


def _split_place_prefix(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """"ambassador to [Ukraine Marie Yovanovitch]": the NER ran a portfolio's place into the
    name after it; split them (place, then a person-shaped rest)."""
    out: list[_Entity] = []
    for entity in entities:
        span = entity.span
        if (entity.label in _PERSON_LABELS or entity.known or len(span) < 3 or span.start == 0
                or doc[span.start - 1].lower_ not in _CONNECTORS):
            out.append(entity)
            continue
        for cut in (1, 2):
            rest = span[cut:]
            if (fold(span[:cut].text) in table.places and 2 <= len(rest) <= 4
                    and all(t.is_title or t.text == "-" for t in rest)
                    and rest[-1].lower_ not in _ORG_HEADS and not looks_like_agency(rest.text)):
                out += [_Entity(span[:cut], "GPE"), _Entity(rest, "PERSON")]
                break
        else:
            out.append(entity)
    return out


def _join_hyphenated_names(doc: Doc, entities: list[_Entity]) -> None:
    """"[Moon Jae]-in": the NER stops some names at a hyphen."""
    starts = {e.span.start for e in entities}
    for entity in entities:
        end = entity.span.end
        while (entity.label in _PERSON_LABELS and end + 1 < len(doc) and doc[end].text == "-"
               and not doc[end - 1].whitespace_ and not doc[end].whitespace_
               and doc[end + 1].is_alpha and end + 1 not in starts):
            end += 2
        if end > entity.span.end:
            entity.span = doc[entity.span.start : end]


def _join_compound_groups(doc: Doc, entities: list[_Entity]) -> list[_Entity]:
    """"[Cuban]-[Americans]" (two NORP entities around a hyphen) is one group."""
    out: list[_Entity] = []
    for entity in entities:
        last = out[-1] if out else None
        if (last is not None and last.label == entity.label == "NORP"
                and entity.span.start == last.span.end + 1
                and doc[last.span.end].text == "-" and not doc[last.span.end - 1].whitespace_
                and not doc[last.span.end].whitespace_):
            last.span = doc[last.span.start : entity.span.end]
            continue
        out.append(entity)
    return out


def _extend_conjoined_bodies(doc: Doc, entities: list[_Entity]) -> None:
    """The NER stops a body's name at "and": "[Ministry of Energy] and Mines said"."""
    starts = {t for e in entities for t in range(e.span.start, e.span.end)}
    for entity in entities:
        span = entity.span
        first = span[1] if span[0].lower_ in _DETERMINERS and len(span) > 1 else span[0]
        if (entity.label != "ORG" or entity.known or first.lower_ not in _BODY_STARTS
                or span.end + 1 >= len(doc) or doc[span.end].lower_ not in ("and", "&")):
            continue
        end = span.end + 1
        while (end < len(doc) and end - span.end <= 4 and doc[end].is_title
               and doc[end].is_alpha and end not in starts):
            end += 1
        if end > span.end + 1 and (end >= len(doc) or doc[end].text not in _POSSESSIVE):
            entity.span = doc[span.start : end]


def _administrations(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """"the Biden administration", "the Donald Trump Administration" -> "Biden
    administration", "Trump administration": one name per presidency (an organisation: a
    presidency is no agency, it runs all of them)."""
    surnames = {fold(e.span[-1].text) for e in entities if e.label in _PERSON_LABELS}
    out: list[_Entity] = []
    for entity in entities:
        span = entity.span
        if entity.known or entity.label not in ("ORG", *_PERSON_LABELS):
            out.append(entity)
            continue
        if span.end < len(doc) and doc[span.end].lower_ == "administration":
            who, head = span, doc[span.end]
        elif len(span) > 1 and span[-1].lower_ == "administration":
            who, head = span[:-1], span[-1]
        else:
            out.append(entity)
            continue
        who = _without_determiner(who)
        surname = _surname(who)
        capital = head.text[:1].isupper()
        if (surname is None or table.country(who.text) is not None
                or (capital and fold(surname) not in _presidencies()
                    and fold(surname) not in surnames)):
            out.append(entity)
            continue
        out.append(_Entity(doc[who.start : head.i + 1], "ORG",
                           fixed=f"{surname} administration", kind="organization"))
    return out


def _without_determiner(span: Span) -> Span:
    return span[1:] if len(span) > 1 and span[0].lower_ in _DETERMINERS else span


def _surname(who: Span) -> str | None:
    """"Donald Trump" -> "Trump"; "Biden-Harris" -> "Biden"; None unless shaped like a name."""
    if not 1 <= len(who) <= 5 or not all(
            t.is_title or t.text == "-" or t.lower_ in _NAME_PARTICLES for t in who):
        return None
    words = [t for t in who if t.is_alpha]
    hyphens = [t.i for t in who if t.text == "-" and not t.whitespace_]
    if hyphens:  # a ticket: the first name on it
        words = [t for t in words if t.i < hyphens[0]]
    return words[-1].text if words else None


def _owned_bodies(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """Bodies named by their owner: embassies and consulates ("Mexico's embassy in Havana",
    "the Spanish Embassy", and "its Embassy in Havana" after "the US State Department": the
    nearest body or country before it in the sentence) and governments ("the Cuban
    government", "the government in Havana", "the US government")."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[_Entity] = []
    for i in numpy.isin(doc.to_array(LOWER), _OWNED_KEYS).nonzero()[0].tolist():
        head, host = doc[i], at.get(i)
        if host is not None and (host.known or host.label in _PERSON_LABELS):
            continue
        body = _owned_body(doc, head, host, at, entities, table)
        if body is not None:
            found.append(body)
            at.update(dict.fromkeys(range(body.span.start, body.span.end), body))
    if not found:
        return entities
    kept = [e for e in entities if all(at.get(t) is e for t in range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


def _owned_body(doc: Doc, head: Token, host: _Entity | None, at: dict[int, _Entity],
                entities: list[_Entity], table: Names) -> _Entity | None:
    body = _OWNED_HEADS[head.lower_]
    start, end = (host.span.start if host else head.i), head.i + 1
    owner = None
    # Right of the head: "of Spain", then "in Havana".
    right = _entity_after(doc, end, "of", at)
    if right is not None and right.label in ("GPE", "NORP"):
        owner, end = _country(right, table) or _base_name(right, table), right.span.end
    elif (host is not None and host.span.end > end + 1 and doc[end].lower_ == "of"
          and (inside := table.country(normalise_name(doc[end + 1 : host.span.end].text)))):
        owner, end = inside, host.span.end  # the NER's "[Embassy of Peru]"
    city = None
    right = _entity_after(doc, end, "in", at)
    if right is not None and right.label in _PLACE_LABELS:
        city, end = table.place(normalise_name(right.span.text)), right.span.end
    # Left of the head, inside the NER's span ("The Spanish Embassy") or just before it.
    words = [t for t in doc[start : head.i] if t.lower_ not in _DETERMINERS]
    if owner is None and words:
        owner = table.country(normalise_name(doc[words[0].i : words[-1].i + 1].text))
    before = head.i - 1 if head.i > 0 and doc[head.i - 1].text in _POSSESSIVE else head.i
    left = at.get(before - 1) if not words and before > 0 else None
    if (owner is None and left is not None and left.span.end == before
            and left.label in ("GPE", "NORP")):
        owner, start = _country(left, table) or _base_name(left, table), left.span.start
    elif owner is None and head.i > 0 and doc[head.i - 1].lower_ in _POSSESSIVE_PRONOUNS:
        # "its": a body or a country; "their" may also be a people ("Cuban officials…").
        owner = _nearest_country(doc, head.i - 1, entities, table,
                                 groups=doc[head.i - 1].lower_ != "its",
                                 unless=table.country(city) if city else None)
    span = _without_determiner(doc[start:end])
    if body == "Government":
        # "the government in Havana" is Cuba's; a government is no agency (it is all of them).
        owner = owner or (table.country(city) if city else None)
        if owner is None:
            return None
        name = "U.S. Government" if owner == "United States" else f"Government of {owner}"
        return _Entity(span, "ORG", fixed=name, kind="organization", country=owner)
    if owner is not None and city is not None and owner == table.country(city):
        owner = None  # no country keeps an embassy in its own capital
    if owner is None and (host is None or city is None):
        return None  # "the embassy said": which one, the text does not say here
    if owner is None:
        name = f"{body} in {city}"
    else:
        # One form for every country's mission, as for its other bodies ("Russian Foreign
        # Ministry"): "U.S. Embassy in Havana", "Cuban Embassy in Washington", "Ecuadorian
        # Embassy in London", whether written "Ecuador's embassy" or "the Embassy of Ecuador".
        demonym = "U.S." if owner == "United States" else (table.demonym(owner) or owner)
        name = f"{demonym} {body}" + (f" in {city}" if city else "")
    return _Entity(span, "ORG", fixed=name, country=owner or "")


def _foreign_bodies(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """"[Russian] [Foreign Ministry]", "[Nigeria]'s [Senate]": a country's body is one
    entity, named "<Demonym> <Body>" whichever way it is written; the gazetteer's bare
    "Senate" is the U.S. Senate only when no other country is named before it."""
    out: list[_Entity] = []
    for entity in entities:
        span = entity.span
        if (entity.label != "ORG" or span[0].lower_ in _DETERMINERS or entity.fixed
                or not (looks_like_agency(span.text) or entity.gazetteer_id)):
            out.append(entity)
            continue
        owner = out[-1] if out and out[-1].label in ("NORP", "GPE") else None
        start = span.start - (span.start > 0 and doc[span.start - 1].text in _POSSESSIVE)
        if owner is not None and owner.span.end == start:
            country, first = _country(owner, table), owner.span.start
        elif start > 0 and doc[start - 1].is_title and (not out or out[-1].span.end < start):
            country, first = table.country(doc[start - 1].text), start - 1
        else:
            out.append(entity)
            continue
        known = AGENCY_COUNTRIES.get(entity.gazetteer_id) if entity.gazetteer_id else None
        if country is None or (entity.gazetteer_id and known in (None, country)):
            out.append(entity)
            continue
        if owner is not None and owner.span.start == first:
            out.pop()
        demonym = table.demonym(country) or country
        out.append(_Entity(doc[first : span.end], "ORG",
                           fixed=f"{demonym} {normalise_name(span.text)}", country=country))
    return out


def _named_by_owner(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """Bodies written in lower case after the country or place that owns them: "Russia's
    foreign ministry", "the French foreign ministry" (the Russian Foreign Ministry), "the
    Orange County, Calif., sheriff's office" (Orange County Sheriff's Office). The owner makes
    the description a name; without one ("the foreign ministry") it stays none."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[_Entity] = []
    for owner in entities:
        if owner.label not in ("GPE", "NORP"):
            continue
        end = owner.span.end
        if end < len(doc) and doc[end].text in _POSSESSIVE:
            end += 1
        country = _country(owner, table)
        body = _national_body(doc, end, at) if country not in (None, "United States") else None
        if body is not None and country is not None:
            demonym = table.demonym(country) or country
            written = doc[end:body].text.replace("’", "'").replace(" 's", "'s")
            found.append(_Entity(doc[owner.span.start : body], "ORG", country=country,
                                 fixed=f"{demonym} {title_case(written)}"))
            continue
        if owner.label != "GPE" or country is not None:
            continue
        # "Orange County, Calif., sheriff's office": a state may follow the county
        state = at.get(end + 1) if end < len(doc) and doc[end].text == "," else None
        after = end
        if state is not None and state.label == "GPE" and state.span.end < len(doc) and (
                doc[state.span.end].text == ","):
            after = state.span.end + 1
        body = _local_body(doc, after, at)
        if body is not None:
            place = normalise_name(owner.span.text)
            written = doc[after:body].text
            unit = "Police Department" if _POLICE_ABBREVIATION.fullmatch(written) else (
                title_case(written))
            found.append(_Entity(doc[owner.span.start : body], "ORG", fixed=f"{place} {unit}"))
    if not found:
        return entities
    taken = {t for e in found for t in range(e.span.start, e.span.end)}
    kept = [e for e in entities if not taken.intersection(range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


def _national_body(doc: Doc, i: int, at: dict[int, _Entity]) -> int | None:
    """End of a lower-case national body's name starting at token ``i`` ("foreign ministry",
    "parliament", "supreme court", "central bank"), or None."""
    for end in range(i + 1, min(i + 4, len(doc)) + 1):
        words = doc[i:end]
        if not all((t.is_alpha or t.text in _POSSESSIVE) and t.is_lower
                   and (t.i not in at or not at[t.i].known) for t in words):
            return None
        if _NATIONAL_BODY.fullmatch(words.text.replace("’", "'")):
            return end
    return None


def _local_body(doc: Doc, i: int, at: dict[int, _Entity]) -> int | None:
    """End of a local law-enforcement body's name at token ``i`` ("sheriff's office", "police
    department"), any case, or None."""
    for end in range(i + 1, min(i + 4, len(doc)) + 1):
        words = doc[i:end]
        if any(t.i in at and at[t.i].known for t in words):
            return None
        if _LOCAL_BODY.fullmatch(words.text.lower().replace("’", "'")):
            return end
    return None


# Lower-case bodies that a country names: "[Russia's] foreign ministry", "[Nigeria's] senate".
_NATIONAL_BODY = re.compile(
    r"(\w+ )?ministry|(foreign|home) office|parliament|senate|(national|general) assembly"
    r"|(supreme|constitutional|high) court|central bank"
    r"|(public defender|ombudsman) ?'s office|ombudsman|(electoral|election) (court|tribunal"
    r"|council|commission)"
)
# Local bodies that a county or city names: "[Orange County] sheriff's office".
_LOCAL_BODY = re.compile(
    r"(sheriff|county sheriff|district attorney) ?'s (office|department)"
    r"|(police|sheriff|fire) department|police service|police force|p\.d\.|pd"
)
_POLICE_ABBREVIATION = re.compile(r"P\.D\.|PD")


def _nested_bodies(doc: Doc, entities: list[_Entity]) -> list[_Entity]:
    """"the [White House] [National Security Council]": a known body written right before
    another body's name is part of that name, no body of its own (the gold convention: the
    body is the National Security Council)."""
    out: list[_Entity] = []
    for entity in entities:
        last = out[-1] if out else None
        if (last is not None and last.known and last.label == "ORG" == entity.label
                and last.span.end == entity.span.start and doc[last.span.end - 1].whitespace_
                and (entity.known or looks_like_agency(entity.span.text))):
            entity.span = doc[last.span.start : entity.span.end]
            if not entity.known:
                entity.fixed = normalise_name(entity.span.text)
            out[-1] = entity
            continue
        out.append(entity)
    return out


def _generic_bodies(doc: Doc, entities: list[_Entity], table: Names) -> list[_Entity]:
    """Whose is a bare "Senate", "House of Representatives", "National Assembly" (bodies many
    countries have; the gazetteer's owner is a default): the country after it ("the Senate of
    Nigeria"), else the one the article gives the same body ("the Nigerian Senate" anywhere in
    it: the nearest before, else the first after), else, for a chamber, the country whose
    other chamber the article names ("the Nigerian Senate … the House of Representatives"),
    when it says nothing of the default's country. "General Assembly" is the UN's only in an
    article that names the UN."""
    for entity in entities:  # "the Senate of Nigeria" as the NER took it: "Nigerian Senate"
        if entity.label == "ORG" and not entity.known:
            generic, _, place = normalise_name(entity.span.text).partition(" of ")
            country = table.country(place) if fold(generic) in GENERIC_BODIES else None
            if country is not None:
                entity.fixed = f"{table.demonym(country) or country} {generic}"
                entity.country = country
    bare = [e for e in entities if e.gazetteer_id and fold(e.span.text) in GENERIC_BODIES]
    if not bare:
        return entities
    named = {e.known for e in entities if e.known}
    bare_ids = {id(e) for e in bare}
    qualified = [(e, country) for e in entities if e.label == "ORG" and id(e) not in bare_ids
                 and (country := _owner_country(e, table))]
    seen: set[str] = set()  # countries the article names, or whose bodies it names
    for entity in entities:
        if id(entity) not in bare_ids and entity.label not in _PERSON_LABELS:
            country = _country(entity, table)
            if country:
                seen.add(country)
    at = {e.span.start: e for e in entities}
    absorbed: set[int] = set()  # ids of the owners taken into "the Senate of Nigeria"
    for entity in bare:
        generic, context = GENERIC_BODIES[fold(entity.span.text)]
        default = AGENCY_COUNTRIES.get(entity.gazetteer_id)
        if context and not any(n.startswith(context) for n in named):
            entity.gazetteer_id = ""  # a state's "General Assembly"
            continue
        owner = _entity_after(doc, entity.span.end, "of", at)
        country = _country(owner, table) if owner is not None and owner.label == "GPE" else None
        if country is not None and owner is not None:
            entity.span = doc[entity.span.start : owner.span.end]
            absorbed.add(id(owner))
        else:
            same = [(q, c) for q, c in qualified
                    if fold(_base_name(q, table)).endswith(f" {fold(generic)}")]
            before = [(q, c) for q, c in same if q.span.start < entity.span.start]
            if same:
                country = (before[-1] if before else same[0])[1]
            elif default not in seen and generic in _CHAMBERS:
                # "the Nigerian Senate … the House of Representatives": one legislature's
                others = {c for q, c in qualified
                          if any(fold(_base_name(q, table)).endswith(f" {fold(chamber)}")
                                 for chamber in _CHAMBERS)}
                country = next(iter(others)) if len(others) == 1 else None
        if country is None or country == default:
            continue
        entity.gazetteer_id = ""
        entity.country = country
        entity.fixed = f"{table.demonym(country) or country} {generic}"
    return [e for e in entities if id(e) not in absorbed]


# Chambers of a legislature: one named for a country makes the others of the article its.
_CHAMBERS = ("Senate", "House of Representatives", "National Assembly", "Congress",
             "Parliament")


def _judicial_districts(doc: Doc, entities: list[_Entity]) -> list[_Entity]:
    """"the U.S. Attorney's Office [for the Western District of New York]": one office of
    many, named with its district (the NER reads the district as a place of its own)."""
    # "U.S. Attorney's Office" -> the districts the article gives it
    districts: dict[str, set[str]] = {}
    for entity in entities:
        end = _district_end(doc, entity.span.end)
        if end is None or not (entity.known or looks_like_agency(entity.span.text)):
            continue
        base = entity.known or normalise_name(entity.span.text)
        entity.fixed = f"{base} {doc[entity.span.end : end].text}"
        districts.setdefault(base, set()).add(entity.fixed)
        entity.gazetteer_id = ""
        entity.country = entity.country or AGENCY_COUNTRIES.get(base, "")
        entity.span = doc[entity.span.start : end]
    for entity in entities:  # then "the U.S. attorney's office" is that one, if only one
        if len(districts.get(entity.gazetteer_id, ())) == 1:
            [entity.fixed] = districts[entity.gazetteer_id]
            entity.gazetteer_id = ""
    taken = [(e.span.start, e.span.end) for e in entities if e.fixed]
    return [e for e in entities
            if e.fixed or not any(s <= e.span.start and e.span.end <= t for s, t in taken)]


def _district_end(doc: Doc, i: int) -> int | None:
    """End of "for the [Western] District of New York" at token ``i``, or None."""
    if i + 4 >= len(doc) or doc[i].lower_ != "for" or doc[i + 1].lower_ != "the":
        return None
    i += 2
    while i < len(doc) and doc[i].is_title and doc[i].lower_ not in ("district", "circuit"):
        i += 1
    if i + 2 >= len(doc) or doc[i].lower_ not in ("district", "circuit") or (
            doc[i + 1].lower_ != "of"):
        return i + 1 if i < len(doc) and doc[i].lower_ == "circuit" else None
    end = i + 2
    while end < len(doc) and doc[end].is_title and doc[end].is_alpha and end - i <= 5:
        end += 1
    return end if end > i + 2 else None


def _owner_country(entity: _Entity, table: Names) -> str | None:
    """The country a body's own name gives it: "Nigerian Senate", "Kenya's Parliament"."""
    if entity.country:
        return entity.country
    if entity.known:
        return AGENCY_COUNTRIES.get(entity.known)
    words = _without_determiner(entity.span)
    if not looks_like_agency(words.text):
        return None
    for end in (2, 1):
        if len(words) > end and (country := table.country(words[:end].text)):
            return country
    return None


def _academic_departments(doc: Doc, entities: list[_Entity]) -> None:
    """"the Department of Health Sciences at the U.K.'s University of York": a department of
    a university (a school, a college) is part of no government."""
    starts = {e.span.start: e for e in entities}
    for entity in entities:
        i = entity.span.end
        if entity.known or i >= len(doc) or doc[i].lower_ not in ("at", "of"):
            continue
        i += 1
        for _ in range(5):  # "the", "U.K.", "'s" before the university's name
            if i in starts and _ACADEMIC.search(starts[i].span.text):
                entity.kind = "organization"
                break
            if i in starts:
                i = starts[i].span.end
            elif i < len(doc) and (doc[i].lower_ in _DETERMINERS or doc[i].text in _POSSESSIVE):
                i += 1
            else:
                break


_ACADEMIC = re.compile(r"\b(university|college|school|institute of technology|universidad)\b",
                       re.IGNORECASE)
# "U.S. Treasury yields": the securities, not the department.
_SECURITIES = frozenset({"yield", "yields", "bond", "bonds", "note", "notes", "bill", "bills",
                         "securities", "futures", "prices", "market", "markets", "auction",
                         "auctions", "curve", "rally", "selloff", "sell-off"})


def _is_security(doc: Doc, entity: _Entity) -> bool:
    span = entity.span
    return (span[-1].lower_ in ("treasury", "treasuries") and span.end < len(doc)
            and doc[span.end].lower_ in _SECURITIES)


def _entity_after(doc: Doc, i: int, word: str, at: dict[int, _Entity]) -> _Entity | None:
    """The entity that starts right after ``word`` (and an optional "the") at token ``i``."""
    if i >= len(doc) or doc[i].lower_ != word:
        return None
    i += 1
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    found = at.get(i)
    return found if found is not None and found.span.start == i else None


def _nearest_country(doc: Doc, before: int, entities: list[_Entity], table: Names, *,
                     groups: bool, unless: str | None) -> str | None:
    """The country of the nearest body or place (or people, with ``groups``) before token
    ``before`` in its sentence, other than ``unless``."""
    sentence_start = doc[before].sent.start if doc.has_annotation("SENT_START") else 0
    for entity in reversed(entities):
        if entity.span.end <= before and entity.span.start >= sentence_start:
            if entity.label == "NORP" and not groups:
                continue
            country = _country(entity, table)
            if country is not None and country != unless:
                return country
    return None


def _is_bare_head(entity: _Entity) -> bool:
    """"Embassy", "the Ministry", "its Government": a generic head names no body alone."""
    if entity.known or entity.label in _PERSON_LABELS:
        return False
    words = [w for w in _words(entity.span.text)
             if w not in _DETERMINERS and w not in _POSSESSIVE_PRONOUNS and w != "s"]
    if words and words[-1] in _GENERIC_HEADS and entity.span.text.islower():
        return True  # "the immigration department": a description the NER took for a name
    if len(words) > 1 and all(w in _LEGISLATURES for w in words[:-1]):
        words = words[-1:]  # "the powerful House Committee": which one, it does not say
    return len(words) == 1 and words[0] in _GENERIC_HEADS


# --------------------------------------------------------------------------- titles


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


def _attach_titles(doc: Doc, entities: list[_Entity],
                   table: Names) -> tuple[set[int], set[int]]:
    """Give each PERSON the title written before it, in an apposition after it or after a
    verb of being; returns the tokens taken by titles with their portfolios, and by the
    titles alone."""
    titles = list(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else []
    if not titles:
        return set(), set()
    ents_by_end = {e.span.end: e for e in entities}
    ents_by_start = {e.span.start: e for e in entities}
    _relabel_titled_names(entities, titles, ents_by_end, table)
    # Tokens of titles proper, and of titles with their portfolios.
    title_tokens: tuple[set[int], set[int]] = (set(), set())
    for entity in entities:
        if entity.label not in _PERSON_LABELS:
            continue
        found = (_title_inside(entity, titles)
                 or _title_before(entity.span, titles, ents_by_end, table)
                 or _title_after(entity.span, titles, ents_by_start, table))
        if found:
            title_tokens[0].update(range(found.first, found.last))
            title_tokens[1].update(range(found.first, found.title.end))
            entity.title = _title_text(doc, found)
            entity.affiliation = (found.owner
                                  or _affiliation(doc, found.first, ents_by_end, entities, table)
                                  or _portfolio_owner(doc, found, ents_by_start, table))
    return title_tokens


def _titled_names(doc: Doc, entities: list[_Entity], table: Names,
                  stoplist: set[tuple[str, ...]]) -> list[_Entity]:
    """Names the NER missed or cut short right after a lexicon title: "Deputy Director of
    Public Prosecution [Eva-Marie Persson] took…" (no entity at all), "vice-premier [Liu]
    He" (the NER read "He" as a pronoun). A title, its "of …" portfolio, then two or three
    capitalised name-shaped words followed by no other capitalised word is a person; a
    one-word person right after a title takes in one more such word. Not in title-case
    lines (headlines), where every word is capitalised."""
    titles = list(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else []
    if not titles:
        return entities
    taken = {t for e in entities for t in range(e.span.start, e.span.end)}
    title_tokens = {t for title in titles for t in range(title.start, title.end)}
    persons = {e.span.start: e for e in entities if e.label in _PERSON_LABELS}
    found: list[_Entity] = []
    for title in sorted(titles, key=lambda t: (t.start, -t.end)):
        if _in_headline(doc, title.start):
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
        units = _name_units(doc, end, table)
        if not units:
            continue
        stop = units[-1][1]
        if stop < len(doc) and (doc[stop].is_title or doc[stop].is_upper) and doc[stop].is_alpha:
            continue  # runs on into more capitalised words: which are the name, unclear
        if portfolio:
            if len(units) < 3:
                continue  # the portfolio needs a word of its own: "of [Public Prosecution]"
            units = units[-2:]
        if not 2 <= len(units) <= 3:
            continue
        first, last = units[0][0], units[-1][1]
        span = doc[first:last]
        if (taken.intersection(range(first, last)) or title_tokens.intersection(range(first, last))
                or stoplist.intersection(_runs(_words(span.text)))
                or looks_like_agency(span.text) or doc[first].is_sent_start):
            continue
        found.append(_Entity(span, "PERSON"))
        taken.update(range(first, last))
    if not found:
        return entities
    return sorted(entities + found, key=lambda e: e.span.start)


def _in_headline(doc: Doc, i: int) -> bool:
    """Token ``i`` is in a line written in title case ("Foreign Minister Says Talks Resume")."""
    sent = doc[i].sent if doc.has_annotation("SENT_START") else doc[:]
    words = [t for t in sent if t.is_alpha and t.lower_ not in _SMALL_WORDS]
    return len(words) >= 4 and sum(t.is_title or t.is_upper for t in words) >= 0.8 * len(words)


def _name_word(token: Token, table: Names) -> bool:
    """A capitalised word that may be part of a person's name."""
    return (token.is_alpha and token.is_title and token.lower_ not in _ORG_HEADS
            and token.lower_ not in _HONORIFICS and token.lower_ not in _MONTHS_AND_DAYS
            and table.country(token.text) is None)


_MONTHS_AND_DAYS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec"})


def _name_units(doc: Doc, i: int, table: Names) -> list[tuple[int, int]]:
    """Capitalised words from token ``i`` on, a hyphenated one ("Eva-Marie") as one unit."""
    units: list[tuple[int, int]] = []
    while i < len(doc) and _name_word(doc[i], table):
        end = i + 1
        while (end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
               and not doc[end].whitespace_ and _name_word(doc[end + 1], table)):
            end += 2
        units.append((i, end))
        i = end
    return units


def _relabel_titled_names(entities: list[_Entity], titles: list[Span],
                          ents_by_end: dict[int, _Entity], table: Names) -> None:
    """"MINREX spokeswoman [Johana Tablada]" tagged ORG: a name right after a title (or
    after "title, ") is a person when it is shaped like one (two to five capitalised words,
    no agency form)."""
    ends = ents_by_end
    for entity in entities:
        span = entity.span
        doc = span.doc
        inside = [t for t in titles if t.start == span.start and t.end < span.end]
        if (entity.label not in _PERSON_LABELS and not entity.known and inside
                and _name_shaped(span[max(t.end for t in inside) - span.start :], table)):
            entity.label = "PERSON"  # "[Superintendent Maria Vance]" tagged ORG
            continue
        if (entity.label not in _PERSON_LABELS and not entity.known
                and 2 <= len(span) <= 5
                and all(t.is_title or t.text == "-" or t.lower_ in _NAME_PARTICLES for t in span)
                and not looks_like_agency(span.text) and not _PARTY_FORM.search(span.text)
                and span[-1].lower_ not in _ORG_HEADS and table.country(span.text) is None
                and (found := _title_before(span, titles, ends, table)) is not None
                # not "senior fellow at the [Kohelet Policy Forum]": a portfolio's end
                and (found.last == span.start or doc[span.start - 1].text == ",")):
            entity.label = "PERSON"


def _name_shaped(span: Span, table: Names) -> bool:
    """Two to four capitalised words, no body's or place's name: a person's name."""
    return (2 <= len(span) <= 5
            and all(t.is_title or t.text == "-" or t.lower_ in _NAME_PARTICLES for t in span)
            and not looks_like_agency(span.text) and not _PARTY_FORM.search(span.text)
            and span[-1].lower_ not in _ORG_HEADS and table.country(span.text) is None
            and table.country(span[0].text) is None)


def _title_text(doc: Doc, found: _Found) -> str:
    """The lexicon's spelling of the role ("Sen." -> "Senator", "charge d'affaires" ->
    "Chargé d'affaires") with the article's qualifier and portfolio around it."""
    title = found.title
    before = _without_time(doc[found.first : title.start])
    parts = [found.qualifiers, before, title.label_, doc[title.end : found.last].text]
    words = " ".join(part for part in parts if part).split(" ")
    while words and (words[0].lower() in _DESCRIPTIVE or words[0].lower() in _TIME_QUALIFIERS):
        words.pop(0)  # "the [new] acting secretary", "a [top] aide": no part of the office
    return title_case(" ".join(words))


def _without_time(span: Span) -> str:
    """The words of ``span`` without "former", "then-", "ex-" ("founder and [former] CEO")."""
    out: list[str] = []
    skip_hyphen = False
    for token in span:
        if token.lower_ in _TIME_QUALIFIERS:
            skip_hyphen = True
            continue
        if skip_hyphen and token.text == "-":
            continue
        skip_hyphen = False
        out.append(token.text_with_ws)
    return squash("".join(out)).strip()


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
    return _Found(title.start, title, title.end)


def _title_before(person: Span, titles: list[Span], ents_by_end: dict[int, _Entity],
                  table: Names) -> _Found | None:
    """"Deputy Foreign Minister Carlos …", "Assistant Secretary for … Brian Nichols",
    "the foreign minister, Bruno Rodríguez", "Cuba's ambassador to Canada, Josefina Vidal",
    "el canciller cubano Bruno Rodríguez"."""
    doc, start = person.doc, person.start
    while start > 0 and doc[start - 1].lower_ in _HONORIFICS:
        start -= 1  # "chief medical correspondent [Dr.] Sanjay Gupta"
    # Earliest start first: the longest title wins, portfolio included.
    for title in sorted(titles, key=lambda t: (t.start, -t.end)):
        gap = doc[title.end : start]
        if title.end > start or len(gap) > _MAX_PORTFOLIO + 1:
            continue
        if any(t.ent_type_ in _PERSON_LABELS for t in gap) or any(
                title.end <= other.start < start for other in titles):
            # "Secretary [of State Marco Rubio met Cuban] Foreign Minister Bruno…", "aide [to
            # Vice President] Pence": the title nearer the name is the name's
            continue
        first = _with_qualifier(doc, title.start)
        if len(gap) == 0 or (len(gap) <= _MAX_PORTFOLIO and _is_portfolio(gap)):
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


def _coordinated(doc: Doc, first: int, titles: list[Span]) -> int:
    """"WeWork's [founder and] former CEO, Adam Neumann": roles joined by "and" before a
    comma and a name are all the name's; where the first of them starts."""
    while first > 1 and doc[first - 1].lower_ in ("and", "&"):
        before = [t for t in titles if t.end == first - 1]
        if not before:
            break
        first = _with_qualifier(doc, min(t.start for t in before))
    return first


def _introduced(doc: Doc, start: int, ents_by_end: dict[int, _Entity]) -> bool:
    """A title set off by a comma before a name needs "the"/"Cuba's" before it ("the Cuban
    foreign minister, Bruno Rodríguez"); a bare "…president, Joe Biden said" is no title."""
    if start > 0 and doc[start - 1].text in _POSSESSIVE:
        return True
    owner = ents_by_end.get(start)
    if owner is not None and owner.label in _AFFILIATION_LABELS:
        start = owner.span.start
    while start > 0 and doc[start - 1].lower_ in _PRE_QUALIFIERS:
        start -= 1  # "[the] former House Speaker, Newt Gingrich"
    if start > 0 and doc[start - 1].text in _POSSESSIVE:
        return True  # "Hong Kong's new police commissioner, Chris Tang"
    return start > 0 and (doc[start - 1].lower_ in _INTRODUCERS
                          or doc[start].lower_ in _QUALIFIERS)


def _title_after(person: Span, titles: list[Span], ents_by_start: dict[int, _Entity],
                 table: Names) -> _Found | None:
    """Apposition: "Brian Nichols, [the] [US] assistant secretary of state for …, said";
    a verb of being: "Smith, who is the embassy's chargé d'affaires", "Smith was named
    ambassador to Cuba"."""
    doc, i = person.doc, person.end
    if i >= len(doc):
        return None
    if doc[i].text == ",":
        i = _skip_adverbs(doc, i + 1)  # "Kathleen DelGiorno, [now] a staff scientist at…"
        if i < len(doc) and doc[i].lower_ == "who":
            i = _after_being(doc, i + 1)
    else:
        i = _after_being(doc, i)
    if i is None or i >= len(doc):
        return None
    if doc[i].lower_ in _INTRODUCERS:
        i += 1
    # Qualifiers and rank words, an affiliation, more qualifiers, then the title: "the
    # [principal deputy] [White House] press secretary", "new [DHS] [acting] secretary". A
    # rank word may be a title itself ("deputy"): the earliest title that ends the phrase wins.
    first = i
    while i < len(doc) and doc[i].lower_ in _PRE_QUALIFIERS:
        i += 1
    tries = [(k, k) for k in range(first, i)]
    after = _skip_affiliation(doc, i, ents_by_start, titles)
    k = after
    while k < len(doc) and doc[k].lower_ in _PRE_QUALIFIERS:
        k += 1
    modifiers = k
    while (modifiers < len(doc) and modifiers - k < _MAX_MODIFIERS and doc[modifiers].is_alpha
           and (doc[modifiers].is_lower or doc[modifiers].ent_type_ in ("GPE", "NORP"))
           and doc[modifiers].lower_ not in _SMALL_WORDS
           and doc[modifiers].lower_ not in _INTRODUCERS and not _title_at(titles, modifiers)):
        modifiers += 1
    tries += [(after, p) for p in range(after, modifiers + 1)]
    for start, at in tries:
        title = _title_at(titles, at)
        stop = _apposition_end(doc, title, titles) if title is not None else None
        if stop is not None:
            if start == after and _is_subject(doc, i, after, title, ents_by_start, table):
                start = i  # "a [China] scholar": the country is what the role knows about
            qualifiers = doc[first : min(start, i)].text
            return _Found(start, title, stop, qualifiers)
    return None


def _is_subject(doc: Doc, i: int, after: int, title: Span,
                ents_by_start: dict[int, _Entity], table: Names) -> bool:
    """The place between ``i`` and ``after`` is the subject of a role of knowledge ("a
    Ukraine expert", "a China scholar"): a country written by its name, not its demonym or
    abbreviation ("a US analyst", "a Cuban economist" say whose)."""
    owner = ents_by_start.get(i)
    if (owner is None or owner.label not in _PLACE_LABELS or owner.span.end != after
            or title.label_.split(" ")[-1] not in _SUBJECT_ROLES):
        return False
    text = normalise_name(owner.span.text)
    return fold(text) not in table.groups and not text.isupper() and "." not in text


def _apposition_end(doc: Doc, title: Span, titles: list[Span]) -> int | None:
    """Where a title in an apposition ends, its portfolio included; None if the phrase runs
    on into something else. "trader [and strategist]" is one role."""
    end = title.end
    while end + 1 < len(doc) and doc[end].lower_ in ("and", "&"):
        other = _title_at(titles, end + 1)
        if other is None:
            break
        end = other.end
    stop = end
    while (stop < len(doc) and stop - end < _MAX_APPOSITION and not _ends_phrase(doc[stop])
           and not _ends_portfolio(doc[stop])):
        stop += 1
    if stop > end and not _is_portfolio(doc[end:stop], _APPOSITION_CONNECTORS):
        stop = end
    if stop < len(doc) and not _ends_phrase(doc[stop]) and not _ends_portfolio(doc[stop]):
        return None
    return stop


def _title_at(titles: list[Span], i: int) -> Span | None:
    candidates = [t for t in titles if t.start == i]
    return max(candidates, key=len) if candidates else None


def _after_being(doc: Doc, i: int) -> int | None:
    """The token after "is", "has also been", "serves as", "was named"…; None if none."""
    i = _skip_adverbs(doc, i)
    if i >= len(doc):
        return None
    word = doc[i].lower_
    if word in _BE:
        i = _skip_adverbs(doc, i + 1)
        if i < len(doc) and doc[i].lower_ in _NAMED:
            i += 1
        elif (i + 1 < len(doc) and doc[i].lower_ in _SERVES and doc[i + 1].lower_ == "as"):
            i += 2  # "was then serving as"
    elif word in _PERFECT:
        i = _skip_adverbs(doc, i + 1)
        if i >= len(doc) or doc[i].lower_ not in ("been", "be"):
            return None
        i += 1
        if i < len(doc) and doc[i].lower_ in _NAMED:
            i += 1
    elif word in _SERVES and i + 1 < len(doc) and doc[i + 1].lower_ == "as":
        i += 2
    else:
        return None
    return _skip_adverbs(doc, i)


def _skip_adverbs(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].lower_ in _ADVERBS:
        i += 1
    return i


def _skip_affiliation(doc: Doc, i: int, ents_by_start: dict[int, _Entity],
                      titles: list[Span] = ()) -> int:
    """Step over "State Department" / "Cuba's" / "the embassy's" / "the President's" between
    a comma and a title."""
    owner = ents_by_start.get(i)
    if owner is None and i > 0 and doc[i - 1].lower_ in _DETERMINERS:
        owner = ents_by_start.get(i - 1)  # the NER took "the" in: "[the Health and Human…]"
    title = _title_at(titles, i) if titles else None
    if owner is not None and (owner.label in _AFFILIATION_LABELS
                              or (owner.span.end < len(doc)
                                  and doc[owner.span.end].text in _POSSESSIVE)):
        end = owner.span.end
    elif i + 1 < len(doc) and doc[i + 1].text in _POSSESSIVE and (
            doc[i].lower_ in _GENERIC_HEADS or doc[i].is_title):
        end = i + 1  # "the embassy's", "Edmunds'"
    elif title is not None and title.end < len(doc) and doc[title.end].text in _POSSESSIVE:
        end = title.end
    else:
        return i
    if end < len(doc) and doc[end].text in _POSSESSIVE:
        end += 1
    return end


def _ends_phrase(token: Token) -> bool:
    # A hyphen inside "direct-to-consumer" does not end the apposition; a comma does, and so
    # does a line break (a byline: "Caroline Hawley, BBC diplomatic correspondent⏎").
    return (token.text in _BOUNDARIES or bool(token.is_sent_start)
            or (token.is_space and "\n" in token.text))


def _ends_portfolio(token: Token) -> bool:
    """"…chargé d'affaires in Havana [until last year]": when, not what, the role is; "…of
    Homeland Security [and Alex Azar]": another person."""
    if token.lower_ in _TIME_WORDS or token.ent_type_ in ("DATE", "TIME"):
        return True
    if token.ent_type_ in _PERSON_LABELS:
        return True
    return (token.lower_ in ("and", "or") and token.i + 1 < len(token.doc)
            and token.doc[token.i + 1].ent_type_ in _PERSON_LABELS)


def _is_portfolio(gap: Span, connectors: frozenset[str] = _CONNECTORS) -> bool:
    """``for Western Hemisphere affairs``: a connector, then words (hyphenated or possessive
    allowed), ending on a word that is not itself a connector ("… Security and")."""
    return (
        len(gap) > 1 and gap[0].lower_ in connectors and gap[-1].lower_ not in _SMALL_WORDS
        # "president of the club [her] father founded": a clause, not a portfolio
        and not any(t.lower_ in _CLAUSE_PRONOUNS for t in gap)
        and all(t.is_alpha or t.text in _POSSESSIVE or (t.text == "-" and not t.whitespace_)
                or (t.text.endswith(".") and t.text[:1].isupper() and len(t) <= 5)  # "U.S."
                for t in gap[1:])
    )


def _with_qualifier(doc: Doc, start: int) -> int:
    """Include "former"/"acting" (and "ex-") and rank words ("deputy") before a title in it."""
    while True:
        if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in _QUALIFIERS:
            start -= 2
        elif start >= 1 and (doc[start - 1].lower_ in _QUALIFIERS
                             or doc[start - 1].lower_ in _RANKS):
            start -= 1
        else:
            return start


def _affiliation(doc: Doc, title_start: int, ents_by_end: dict[int, _Entity],
                 entities: list[_Entity], table: Names) -> str | None:
    """The country or body written right before the title ("Cuba's", "US", "State Dept.",
    "the embassy's": the last embassy named before)."""
    i = title_start
    if i > 0 and doc[i - 1].text in _POSSESSIVE:
        i -= 1
    owner = ents_by_end.get(i)
    if owner is None:
        if i > 0 and i < title_start and doc[i - 1].lower_ in _GENERIC_HEADS:
            return _antecedent(doc[i - 1], entities)
        return None
    return _owner_name(owner, table)


def _owner_name(owner: _Entity, table: Names) -> str | None:
    if owner.label not in _AFFILIATION_LABELS:
        return None
    if owner.known:
        return owner.known
    name = normalise_name(owner.span.text)
    if owner.label == "NORP":
        return table.country(name)
    return table.country(name) or table.place(name)


def _antecedent(head: Token, entities: list[_Entity]) -> str | None:
    """"the embassy('s)": the latest body named before it whose name has that head word."""
    word = head.lower_
    for entity in reversed(entities):
        if entity.span.end <= head.i and entity.known and word in _words(entity.known):
            return entity.known
    return None


def _portfolio_owner(doc: Doc, found: _Found, ents_by_start: dict[int, _Entity],
                     table: Names) -> str | None:
    """"spokesman [for the State Department]", "president [of Cuba]": a body after for/of/at,
    else a country after of/de."""
    countries = []
    for i in range(found.title.end, found.last):
        if doc[i].lower_ not in _OWNER_CONNECTORS:
            continue
        j = i + 1 + (i + 1 < found.last and doc[i + 1].lower_ in _DETERMINERS)
        owner = ents_by_start.get(j)
        if owner is None or owner.span.end > found.last:
            continue
        if owner.known:
            return owner.known
        if owner.label == "GPE" and doc[i].lower_ in ("of", "de", "del"):
            countries.append(_owner_name(owner, table))
    return countries[0] if countries else None


# --------------------------------------------------------------------------- canonical names


def _canonicalise(entities: list[_Entity], table: Names) -> None:
    """Names: known bodies, places and groups from the tables; for people the fullest form
    in the article; titles shared."""
    people = [e for e in entities if e.label in _PERSON_LABELS]
    forms = {_words(e.span.text): normalise_name(e.span.text) for e in reversed(people)}
    # Every run of words inside a form -> the forms holding it; the fullest forms are those
    # inside no other.
    holders: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for form in forms:
        for run in _runs(form):
            holders.setdefault(run, []).append(form)
    fullest = {w for w in forms if holders[w] == [w]}
    owners = {run: [f for f in found if f in fullest] for run, found in holders.items()}

    def full_form(words: tuple[str, ...]) -> tuple[str, ...] | None:
        found = owners.get(words, ())
        return found[0] if len(found) == 1 else None

    for entity in entities:
        words = _words(entity.span.text)
        if entity.label not in _PERSON_LABELS and not entity.known and len(words) <= 3:
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
            entity.name = _base_name(entity, table)
    first_seen: dict[str, _Entity] = {}
    for entity in entities:
        if entity.label in _PERSON_LABELS and entity.title:
            first_seen.setdefault(entity.name, entity)
    for entity in entities:
        known = first_seen.get(entity.name) if entity.label in _PERSON_LABELS else None
        if known is not None and entity.title is None:
            entity.title, entity.affiliation = known.title, known.affiliation
