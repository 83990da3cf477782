"""What the entity rules share: word lists, the working :class:`Entity`, the
:class:`Mention` record, kinds and name helpers. :mod:`monitor.tagging.bodies` repairs the NER's
spans of government bodies, :mod:`monitor.tagging.titles` finds the titles of people, and
:mod:`monitor.tagging.entities` puts them together.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import SENT_START
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Span

from ..text import fold, squash
from .gazetteer import Names

TITLES_KEY = "titles"


#: Labels that feed figures, never mentions.
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


# Non-English pipelines (es_core_news_*) label people PER and the rest MISC.
PERSON_LABELS = frozenset({"PERSON", "PER"})


PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


AFFILIATION_LABELS = frozenset({"GPE", "NORP", "ORG", "LOC"})


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
PARTY_FORM = re.compile(r"\b(party|partido)\b", re.IGNORECASE)


# Heads that name no body on their own: "the Ministry said", "its Embassy".
GENERIC_HEADS = frozenset({
    "embassy", "embassies", "consulate", "agency", "agencies", "ministry", "ministries",
    "department", "departments", "government", "governments", "administration", "office",
    "bureau", "commission", "council", "committee", "service", "authority", "directorate",
    "secretariat", "regime", "embajada", "ministerio", "gobierno", "agencia", "island",
    "court", "tribunal", "parliament", "assembly", "subcommittee", "panel",
})


# Words that say only whose chamber a committee is: "House Committee", "Senate panel".
LEGISLATURES = frozenset({"house", "senate", "congressional", "congress", "parliamentary",
                           "parliament", "joint"})


# Heads that start a body's name and may run on past "and": "Ministry of Energy [and Mines]".
BODY_STARTS = frozenset({"ministry", "department", "office", "bureau", "secretariat",
                          "ministerio", "departamento"})


POSSESSIVE_PRONOUNS = frozenset({"its", "their", "his", "her", "our", "su", "sus"})


# Bodies named by whose they are: "its Embassy in Havana", "the Cuban government".
OWNED_HEADS = {"embassy": "Embassy", "consulate": "Consulate", "government": "Government",
                "regime": "Government", "gobierno": "Government"}


OWNED_KEYS = [hash_string(word) for word in OWNED_HEADS]


# Words that qualify a title without being part of the role itself.
QUALIFIERS = frozenset({"former", "acting", "interim", "outgoing", "incoming", "then", "ex"})


# Rank words that make a title into another ("the Taliban's [deputy] leader"), taken in with it.
RANKS = frozenset({"deputy", "vice", "assistant", "associate", "principal", "senior", "chief",
                    "executive", "top", "lead", "special"})


# Words before an affiliation and its title: "the [top] US diplomat", "a [senior] Cuban…",
# "the [principal deputy] White House press secretary".
DESCRIPTIVE = frozenset({"current", "new", "veteran", "longtime", "top", "then"})


PRE_QUALIFIERS = QUALIFIERS | RANKS | DESCRIPTIVE


# Words that continue a title into its portfolio: "secretary of state FOR Western Hemisphere…".
CONNECTORS = frozenset({"of", "for", "to", "on", "at", "in", "from", "de", "del", "para",
                         "en"})


# An apposition's role may also be held "with" a body: "a China scholar WITH the American
# Enterprise Institute", "an analyst with Commerzbank" (not before a name: "talks with
# Foreign Minister…").
APPOSITION_CONNECTORS = CONNECTORS | {"with", "con"}


# Portfolio connectors whose object is the body the official belongs to: "spokesman FOR the
# State Department", "president OF Cuba" (not "ambassador TO Cuba").
OWNER_CONNECTORS = frozenset({"of", "for", "at", "with", "de", "del"})


# Words that say when someone held a role, no part of it (the gold convention drops them):
# "[former] CEO", "[then]-Secretary", "[ex]-minister", "the [new] police commissioner".
TIME_QUALIFIERS = frozenset({"former", "then", "ex", "new", "longtime"})


# Roles of knowledge whose country is their subject, not their employer: "a [China] scholar",
# "a [Ukraine] expert", "an [Iran] analyst" (but "a [US] diplomat": the country is whose).
SUBJECT_ROLES = frozenset({"scholar", "expert", "specialist", "analyst", "watcher",
                            "historian", "researcher", "hand", "correspondent", "economist"})


SMALL_WORDS = frozenset({"of", "for", "to", "on", "at", "in", "from", "with", "the", "and", "de",
                          "del", "la", "las", "los", "el", "y", "para", "en", "d'affaires",
                          "d’affaires"})


DETERMINERS = frozenset({"the", "a", "an", "el", "la", "los", "las", "un", "una"})


# What may introduce an apposition's title: "[the] spokesman", "[another] top aide", "[his]
# deputy".
INTRODUCERS = DETERMINERS | {"another", "its", "their", "his", "her", "our", "su", "sus"}


POSSESSIVE = frozenset({"'s", "’s", "'"})


MAX_PORTFOLIO = 8


# An apposition's portfolio may be longer: "…, a senior fellow at the Urban Institute-Brookings
# Institution Tax Policy Center, said".
MAX_APPOSITION = 16


# Lower-case words that may qualify a title in an apposition: "a [Ukraine] specialist", "a
# [foreign exchange] trader", "a [family medicine] physician".
MAX_MODIFIERS = 3


HONORIFICS = frozenset({"dr.", "dr", "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "prof.", "sir",
                         "dame", "hon.", "rev.", "sr.", "sra."})


# Last words of organisations, never of a person's name ("Kohelet Policy Forum").
ORG_HEADS = frozenset({
    "forum", "institute", "institution", "center", "centre", "university", "college", "school",
    "group", "foundation", "association", "company", "corporation", "corp", "inc", "ltd", "llc",
    "bank", "fund", "network", "news", "times", "post", "journal", "press", "media", "club",
    "council", "committee", "party", "union", "league", "society", "agency", "office",
    "ministry", "department", "service", "services", "commission", "court", "hospital",
})


NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "da", "do", "dos", "van",
                             "von", "bin", "al"})


BOUNDARIES = frozenset({",", ".", ";", ":", "(", ")", "—", "–", "!", "?", '"', "“", "”"})


# Verbs of being between a name and its role: "Smith, who [is] the…", "Smith [has been]…".
BE = frozenset({"is", "was", "became", "becomes", "remains", "remained"})


PERFECT = frozenset({"has", "have", "had", "will", "would"})


SERVES = frozenset({"serves", "served", "serving", "acts", "acted", "acting", "works",
                     "worked", "working"})


NAMED = frozenset({"named", "appointed", "elected", "confirmed"})


# Words that end a title's portfolio: a time ("…in Havana [until] last year") or a relative
# clause ("a professor of economics [who] has studied…").
TIME_WORDS = frozenset({"until", "till", "since", "after", "before", "during", "when", "while",
                         "between", "who", "whose", "which", "that", "where"})


CLAUSE_PRONOUNS = frozenset({"i", "you", "he", "she", "we", "they", "his", "her"})


ADVERBS = frozenset({"also", "now", "currently", "still", "then", "formerly", "previously",
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


def kind_for(label: str, name: str, *, has_title: bool, is_agency: bool) -> str:
    """Map a spaCy label (and the name's shape) to one of :data:`monitor.db.migrations.KINDS`."""
    if label in PERSON_LABELS:
        return "official" if has_title else "person"
    if label == "NORP" or (label == "ORG" and PARTY_FORM.search(name)):
        return "group"
    if is_agency or looks_like_agency(name):
        # Also for GPE/FAC: the stock model calls "its Embassy in Havana" a GPE.
        return "agency" if label in ("ORG", *PLACE_LABELS) else "other"
    if label == "ORG":
        return "organization"
    if label in PLACE_LABELS:
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
        if i and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            parts = word.split("-")  # "direct-to-consumer" -> "Direct-to-Consumer"
            out.append("-".join(
                part.lower() if j and part.lower() in SMALL_WORDS else part[:1].upper() + part[1:]
                for j, part in enumerate(parts)
            ))
    return " ".join(out)


@lru_cache(maxsize=8192)
def folded_words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


@dataclass
class Entity:
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


def trim_space(span: Span) -> Span | None:
    """The NER lets an entity run into the line break after it ("Buy Now⏎⏎"): trim it."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return span.doc[start:end] if end > start else None


def is_name_like(text: str, stoplist: AbstractSet[tuple[str, ...]]) -> bool:
    if any(ch.isdigit() for ch in text) or not any(ch.isalpha() for ch in text):
        return False
    if not any(word[:1].isupper() for word in text.split()):
        return False
    return not stopped(folded_words(text), stoplist)


def name_runs(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every run of consecutive words: ("a", "b") -> {("a",), ("b",), ("a", "b")}."""
    return {words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


class Stoplist(frozenset):
    """Folded word sequences that are no names (``models/not_names.txt``), with the length of
    the longest: only runs that long can be one of them."""

    longest: int

    def __new__(cls, entries: Iterable[tuple[str, ...]] = ()) -> Stoplist:
        stoplist = super().__new__(cls, entries)
        stoplist.longest = max(map(len, stoplist), default=0)
        return stoplist


def stopped(words: tuple[str, ...], stoplist: AbstractSet[tuple[str, ...]]) -> bool:
    """Some run of consecutive ``words`` is in ``stoplist``: what
    ``stoplist.intersection(name_runs(words))`` says, without the runs longer than any entry
    (a name of n words has n²/2 runs: a long one would be quadratic)."""
    if not stoplist:
        return False
    longest = getattr(stoplist, "longest", None)
    if longest is None:
        longest = max(map(len, stoplist))
    return any(words[i:j] in stoplist for i in range(len(words))
               for j in range(i + 1, min(i + longest, len(words)) + 1))


class Sentences:
    """The sentences of a doc, looked up by token in O(log n). ``Span.sent`` walks the tokens
    to both ends of the sentence on every call: asked once per entity, title or figure, it
    is quadratic in a long sentence. A doc without sentence boundaries is one sentence."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._hooked = ("sent" in doc.user_span_hooks or "sent" in doc.user_token_hooks
                        or "sents" in doc.user_hooks)
        starts = [0]
        if len(doc) and doc.has_annotation("SENT_START"):
            starts += [i for i in (doc.to_array(SENT_START).astype("int64") == 1).nonzero()[0]
                       .tolist() if i > 0]
        self.starts = starts
        self.ends = starts[1:] + [len(doc)]
        self._annotated = doc.has_annotation("SENT_START")

    def bounds(self, i: int) -> tuple[int, int]:
        """(start, end) of the sentence of token ``i``."""
        if self._hooked and self._annotated:
            sentence = self.doc[i : i + 1].sent
            return sentence.start, sentence.end
        k = bisect_right(self.starts, i) - 1
        return self.starts[k], self.ends[k]

    def of(self, i: int) -> Span:
        """The sentence of token ``i``: ``doc[i].sent`` (``doc[:]`` without boundaries)."""
        start, end = self.bounds(i)
        return self.doc[start:end]


def base_name(entity: Entity, table: Names) -> str:
    """The canonical name of a non-person entity (people get theirs in _canonicalise)."""
    if entity.known:
        return entity.known
    name = normalise_name(entity.span.text)
    if entity.label == "NORP":
        return table.group(name)
    if entity.label in PLACE_LABELS:
        return table.place(name)
    return name


def country_of(entity: Entity, table: Names) -> str | None:
    """The country an entity stands for or belongs to: "US", "Cubans", the State Department."""
    if entity.label in PERSON_LABELS:
        return None
    if entity.known:
        return entity.country or table.agency_countries.get(entity.known)
    return table.country(normalise_name(entity.span.text))
