"""Repairs of the NER's spans, mostly of government bodies: "Ministry of Energy and Mines" is
one body, "its Embassy in Havana" the U.S. Embassy in Havana, "the Cuban government" the
Government of Cuba, "Russia's foreign ministry" the Russian Foreign Ministry, "the Senate" in
a story about Nigeria the Nigerian Senate, "NASA's Science Mission Directorate" a unit of
NASA; a bare generic head ("the Ministry", "Embassy") is no entity.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

import numpy
from spacy.attrs import LOWER
from spacy.tokens import Doc, Span, Token

from ..text import fold
from .entity_base import (
    BODY_STARTS,
    CONNECTORS,
    DETERMINERS,
    GENERIC_HEADS,
    HONORIFICS,
    LEGISLATURES,
    NAME_PARTICLES,
    ORG_HEADS,
    OWNED_HEADS,
    OWNED_KEYS,
    PERSON_LABELS,
    PLACE_LABELS,
    POSSESSIVE,
    POSSESSIVE_PRONOUNS,
    Entity,
    Sentences,
    base_name,
    country_of,
    folded_words,
    looks_like_agency,
    normalise_name,
    title_case,
)
from .gazetteer import Names


def repair(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    for entity in entities:  # "[Dr.] Sanjay Gupta": the honorific is no part of the name
        span = entity.span
        if entity.label in PERSON_LABELS and len(span) > 1 and span[0].lower_ in HONORIFICS:
            entity.span = span[1:]
        elif len(span) > 1 and span[-1].lower_ in CONNECTORS:
            entity.span = span[:-1]  # "[Department of Economics at] Columbia University"
    _join_hyphenated_names(doc, entities)
    entities = _join_adjacent_names(entities)
    entities = _split_place_prefix(doc, entities, table)
    entities = _join_compound_groups(doc, entities)
    _extend_conjoined_bodies(doc, entities)
    entities = _administrations(doc, entities, table)
    entities = _owned_bodies(doc, entities, table)
    entities = _named_by_owner(doc, entities, table)
    entities = _foreign_bodies(doc, entities, table)
    entities = _nested_bodies(doc, entities)
    entities = _generic_bodies(doc, entities, table)
    entities = _judicial_districts(doc, entities, table)
    entities = _extend_to_body_head(doc, entities)
    entities = _state_bodies(doc, entities, table)
    entities = _prosecutors(doc, entities, table)
    _militaries(entities, table)
    _academic_departments(doc, entities)
    _cut_at_possessive(doc, entities)
    entities = _sub_units(doc, entities)
    entities = _coast_guard_units(doc, entities)
    return [e for e in entities if not _is_bare_head(e) and not _is_security(doc, e)]


def _merge(entities: list[Entity], found: list[Entity], *, keep_people: bool = False
           ) -> list[Entity]:
    """``found`` in place of the entities they overlap (people kept when ``keep_people``: a
    body inside a name the NER ran on is the rule's, the person stays), in text order."""
    taken = {t for e in found for t in range(e.span.start, e.span.end)}
    kept = [e for e in entities
            if (keep_people and e.label in PERSON_LABELS)
            or not taken.intersection(range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


def _merge_at(entities: list[Entity], found: list[Entity], at: dict[int, Entity]
              ) -> list[Entity]:
    """``found`` added, the entities they took tokens from in ``at`` (token -> entity, the
    found ones written over) left out, in text order."""
    kept = [e for e in entities if all(at.get(t) is e for t in range(e.span.start, e.span.end))]
    return sorted(kept + found, key=lambda e: e.span.start)


def _cut_at_possessive(doc: Doc, entities: list[Entity]) -> None:
    """"[Jeff Bezos’s Blue Origin]": a person's name ends at the possessive."""
    for entity in entities:
        span = entity.span
        if entity.label not in PERSON_LABELS or len(span) < 3:
            continue
        cut = next((t.i for t in span[1:-1] if t.text in POSSESSIVE), None)
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


def _sub_units(doc: Doc, entities: list[Entity]) -> list[Entity]:
    """A unit of a known body, named after its possessive: "NASA’s Science Mission
    Directorate" -> "NASA Science Mission Directorate", "the State Department's Bureau of
    Consular Affairs" -> "State Department Bureau of Consular Affairs"."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[Entity] = []
    for owner in entities:
        i = owner.span.end
        if not owner.known or owner.label in PERSON_LABELS or i + 1 >= len(doc) \
                or doc[i].text not in POSSESSIVE or not doc[i + 1].is_alpha:
            continue
        lower = doc[i + 1].is_lower  # "NASA’s science mission directorate"
        end = i + 1
        while end < len(doc) and end - i <= (4 if lower else 8) and (
                (doc[end].is_lower if lower else doc[end].is_title)
                or (doc[end].lower_ in _UNIT_JOINERS and end > i + 1)):
            end += 1
        while end > i + 1 and doc[end - 1].lower_ in _UNIT_JOINERS:
            end -= 1
        if end == i + 1:
            continue  # "NASA's JPL", "NASA's eBay account": no run of words of one case
        words = doc[i + 1 : end]
        if lower and words[-1].lower_ not in _LOWER_UNIT_HEADS:
            continue
        if not (words[-1].lower_ in _UNIT_HEADS or words[0].lower_ in _UNIT_HEADS) or any(
                (other := at.get(t)) is not None and (other.label in PERSON_LABELS or (
                    other.known and other is not owner)) for t in range(words.start, end)):
            continue
        written = _without_determiner(owner.span).text
        unit = title_case(words.text) if lower else words.text
        found.append(Entity(words, "ORG", fixed=f"{written} {unit}",
                             country=owner.country))
        at.update(dict.fromkeys(range(words.start, end), found[-1]))
    if not found:
        return entities
    return _merge_at(entities, found, at)


# Heads that end a body's name, which the NER sometimes leaves out: "[Westminster
# Magistrate's] Court".
_BODY_HEADS = frozenset({"court", "tribunal", "commission", "council", "authority", "agency",
                         "ministry", "department", "office", "bureau", "board"})


def _extend_to_body_head(doc: Doc, entities: list[Entity]) -> list[Entity]:
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


def _state_bodies(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """Bodies of a US state: "Indiana House [Speaker]" (the Indiana House of Representatives),
    "the Ohio Senate", "the Texas attorney general's office", "the office of the New York
    State Attorney General" / "of the NYAG" (Office of the <State> Attorney General), and a
    bare "the Legislature" in an article about one state (the state named most): a generic
    body qualified by a state keeps the state, as one qualified by a country keeps the
    country."""
    if not table.states:
        return entities
    found: list[Entity] = []
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
            found.append(Entity(doc[i : body[0]], "ORG", fixed=body[1],
                                 country="United States"))
            after = body[0]
        else:
            after = end
    offices = numpy.isin(lower, [doc.vocab.strings["office"]]).nonzero()[0].tolist()
    for i in offices:  # "the office of the New York State Attorney General"
        if doc[i + 1 : i + 3].text.lower() == "of the":
            office = _attorney_general_at(doc, i + 3, table)
            if office is not None:
                found.append(Entity(doc[i : office[0]], "ORG", country="United States",
                                     fixed=f"Office of the {office[1]} Attorney General"))
    if counts:
        state = max(counts, key=lambda k: counts[k])  # the state the article is about
        taken = {t for e in found for t in range(e.span.start, e.span.end)}
        for token in (doc[i] for i in numpy.isin(
                lower, [doc.vocab.strings["legislature"]]).nonzero()[0].tolist()):
            if (token.text == "Legislature" and token.i not in taken
                    and not (token.i > 0 and doc[token.i - 1].is_title
                             and doc[token.i - 1].lower_ not in DETERMINERS
                             and not doc[token.i - 1].is_sent_start)):
                found.append(Entity(doc[token.i : token.i + 1], "ORG",
                                     fixed=f"{state} Legislature", country="United States"))
    if not found:
        return entities
    return _merge(entities, found, keep_people=True)


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
        postal = table.postal.get(doc[i].text[:2])
        if postal is not None:
            return i + 1, postal
    return None


# A country's chief prosecutor, whose office is the body: "Office of the Swedish Attorney
# General", "Sweden's prosecutor general's office", "the Swedish attorney general's office".
_PROSECUTORS = ("attorney general", "prosecutor general", "prosecutor - general",
                "public prosecutor", "chief prosecutor", "state prosecutor",
                "director of public prosecutions")


_PROSECUTOR_STARTS = frozenset(title.split(" ")[0] for title in _PROSECUTORS)


def _prosecutors(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """A foreign country's prosecution office, named by its country and the prosecutor's title
    ("Office of the <Demonym> Attorney General"), however written: "the Office of the Swedish
    Attorney General", "Sweden's prosecutor general's office", "the Swedish attorney
    general's office" (a US state's is one of _state_bodies; "the U.S. attorney's office"
    is the gazetteer's)."""
    found: list[Entity] = []
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
        found.append(Entity(doc[start:end], "ORG", country=country,
                             fixed=f"Office of the {demonym} {title_case(title_text)}"))
        taken = end - 1
    if not found:
        return entities
    offices = _Ranges((e.span.start, e.span.end) for e in found)

    def overlaps(e: Entity) -> bool:  # a person running on past the office keeps the rest
        if e.label in PERSON_LABELS:
            return offices.holds(e.span.start, e.span.end)
        return offices.overlaps(e.span.start, e.span.end)

    kept = [e for e in entities if not overlaps(e)]
    return sorted(kept + found, key=lambda e: e.span.start)


def _country_before(doc: Doc, i: int, n: int, table: Names) -> tuple[str, int] | None:
    """A foreign country or its demonym in the ``n`` tokens before token ``i`` (a possessive
    "'s" after it skipped): (country, its first token)."""
    if i > 0 and doc[i - 1].text in POSSESSIVE:
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


def _militaries(entities: list[Entity], table: Names) -> None:
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


def _split_place_prefix(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """"ambassador to [Ukraine Marie Yovanovitch]": the NER ran a portfolio's place into the
    name after it; split them (place, then a person-shaped rest)."""
    out: list[Entity] = []
    for entity in entities:
        span = entity.span
        if (entity.label in PERSON_LABELS or entity.known or len(span) < 3 or span.start == 0
                or doc[span.start - 1].lower_ not in CONNECTORS):
            out.append(entity)
            continue
        for cut in (1, 2):
            rest = span[cut:]
            if (fold(span[:cut].text) in table.places and 2 <= len(rest) <= 4
                    and all(t.is_title or t.text == "-" for t in rest)
                    and rest[-1].lower_ not in ORG_HEADS and not looks_like_agency(rest.text)):
                out += [Entity(span[:cut], "GPE"), Entity(rest, "PERSON")]
                break
        else:
            out.append(entity)
    return out


def _join_hyphenated_names(doc: Doc, entities: list[Entity]) -> None:
    """"[Moon Jae]-in": the NER stops some names at a hyphen."""
    starts = {e.span.start for e in entities}
    for entity in entities:
        end = entity.span.end
        while (entity.label in PERSON_LABELS and end + 1 < len(doc) and doc[end].text == "-"
               and not doc[end - 1].whitespace_ and not doc[end].whitespace_
               and doc[end + 1].is_alpha and end + 1 not in starts):
            end += 2
        if end > entity.span.end:
            entity.span = doc[entity.span.start : end]


def _join_adjacent_names(entities: list[Entity]) -> list[Entity]:
    """"[Lázaro Alberto] [Álvarez Casas]": two names with nothing between them are one (the
    NER splits long Spanish names)."""
    out: list[Entity] = []
    for entity in entities:
        last = out[-1] if out else None
        if (last is not None and last.label in PERSON_LABELS and entity.label in PERSON_LABELS
                and last.span.end == entity.span.start and last.span[-1].whitespace_
                and len(last.span) <= 2 and len(entity.span) <= 2  # given names, surnames
                and all(t.is_title for t in entity.span)):
            last.span = last.span.doc[last.span.start : entity.span.end]
            continue
        out.append(entity)
    return out


def _join_compound_groups(doc: Doc, entities: list[Entity]) -> list[Entity]:
    """"[Cuban]-[Americans]" (two NORP entities around a hyphen) is one group."""
    out: list[Entity] = []
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


def _extend_conjoined_bodies(doc: Doc, entities: list[Entity]) -> None:
    """The NER stops a body's name at "and": "[Ministry of Energy] and Mines said"."""
    starts = {t for e in entities for t in range(e.span.start, e.span.end)}
    for entity in entities:
        span = entity.span
        first = span[1] if span[0].lower_ in DETERMINERS and len(span) > 1 else span[0]
        if (entity.label != "ORG" or entity.known or first.lower_ not in BODY_STARTS
                or span.end + 1 >= len(doc) or doc[span.end].lower_ not in ("and", "&")):
            continue
        end = span.end + 1
        while (end < len(doc) and end - span.end <= 4 and doc[end].is_title
               and doc[end].is_alpha and end not in starts):
            end += 1
        if end > span.end + 1 and (end >= len(doc) or doc[end].text not in POSSESSIVE):
            entity.span = doc[span.start : end]


def _administrations(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """"the Biden administration", "the Donald Trump Administration" -> "Biden
    administration", "Trump administration": one name per presidency (an organisation: a
    presidency is no agency, it runs all of them)."""
    surnames = {fold(e.span[-1].text) for e in entities if e.label in PERSON_LABELS}
    out: list[Entity] = []
    for entity in entities:
        span = entity.span
        if entity.known or entity.label not in ("ORG", *PERSON_LABELS):
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
                or (capital and fold(surname) not in table.presidencies
                    and fold(surname) not in surnames)):
            out.append(entity)
            continue
        out.append(Entity(doc[who.start : head.i + 1], "ORG",
                           fixed=f"{surname} administration", kind="organization"))
    return out


def _without_determiner(span: Span) -> Span:
    return span[1:] if len(span) > 1 and span[0].lower_ in DETERMINERS else span


def _surname(who: Span) -> str | None:
    """"Donald Trump" -> "Trump"; "Biden-Harris" -> "Biden"; None unless shaped like a name."""
    if not 1 <= len(who) <= 5 or not all(
            t.is_title or t.text == "-" or t.lower_ in NAME_PARTICLES for t in who):
        return None
    words = [t for t in who if t.is_alpha]
    hyphens = [t.i for t in who if t.text == "-" and not t.whitespace_]
    if hyphens:  # a ticket: the first name on it
        words = [t for t in words if t.i < hyphens[0]]
    return words[-1].text if words else None


def _owned_bodies(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """Bodies named by their owner: embassies and consulates ("Mexico's embassy in Havana",
    "the Spanish Embassy", and "its Embassy in Havana" after "the US State Department": the
    nearest body or country before it in the sentence) and governments ("the Cuban
    government", "the government in Havana", "the US government")."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[Entity] = []
    nearest = _NearestCountry(doc, entities, table)
    for i in numpy.isin(doc.to_array(LOWER), OWNED_KEYS).nonzero()[0].tolist():
        head, host = doc[i], at.get(i)
        if host is not None and (host.known or host.label in PERSON_LABELS):
            continue
        body = _owned_body(doc, head, host, at, nearest, table)
        if body is not None:
            found.append(body)
            at.update(dict.fromkeys(range(body.span.start, body.span.end), body))
    if not found:
        return entities
    return _merge_at(entities, found, at)


def _owned_body(doc: Doc, head: Token, host: Entity | None, at: dict[int, Entity],
                nearest: _NearestCountry, table: Names) -> Entity | None:
    body = OWNED_HEADS[head.lower_]
    start, end = (host.span.start if host else head.i), head.i + 1
    owner = None
    # Right of the head: "of Spain", then "in Havana".
    right = _entity_after(doc, end, "of", at)
    if right is not None and right.label in ("GPE", "NORP"):
        owner, end = country_of(right, table) or base_name(right, table), right.span.end
    elif (host is not None and host.span.end > end + 1 and doc[end].lower_ == "of"
          and (inside := table.country(normalise_name(doc[end + 1 : host.span.end].text)))):
        owner, end = inside, host.span.end  # the NER's "[Embassy of Peru]"
    city = None
    right = _entity_after(doc, end, "in", at)
    if right is not None and right.label in PLACE_LABELS:
        city, end = table.place(normalise_name(right.span.text)), right.span.end
    # Left of the head, inside the NER's span ("The Spanish Embassy") or just before it.
    words = [t for t in doc[start : head.i] if t.lower_ not in DETERMINERS]
    if owner is None and words:
        owner = table.country(normalise_name(doc[words[0].i : words[-1].i + 1].text))
    before = head.i - 1 if head.i > 0 and doc[head.i - 1].text in POSSESSIVE else head.i
    left = at.get(before - 1) if not words and before > 0 else None
    if (owner is None and left is not None and left.span.end == before
            and left.label in ("GPE", "NORP")):
        owner, start = country_of(left, table) or base_name(left, table), left.span.start
    elif owner is None and head.i > 0 and doc[head.i - 1].lower_ in POSSESSIVE_PRONOUNS:
        # "its": a body or a country; "their" may also be a people ("Cuban officials…").
        owner = nearest(head.i - 1, groups=doc[head.i - 1].lower_ != "its",
                        unless=table.country(city) if city else None)
    span = _without_determiner(doc[start:end])
    if body == "Government":
        # "the government in Havana" is Cuba's; a government is no agency (it is all of them).
        owner = owner or (table.country(city) if city else None)
        if owner is None:
            return None
        name = "U.S. Government" if owner == "United States" else f"Government of {owner}"
        return Entity(span, "ORG", fixed=name, kind="organization", country=owner)
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
    return Entity(span, "ORG", fixed=name, country=owner or "")


def _foreign_bodies(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """"[Russian] [Foreign Ministry]", "[Nigeria]'s [Senate]": a country's body is one
    entity, named "<Demonym> <Body>" whichever way it is written; the gazetteer's bare
    "Senate" is the U.S. Senate only when no other country is named before it."""
    out: list[Entity] = []
    for entity in entities:
        span = entity.span
        if (entity.label != "ORG" or span[0].lower_ in DETERMINERS or entity.fixed
                or not (looks_like_agency(span.text) or entity.gazetteer_id)):
            out.append(entity)
            continue
        owner = out[-1] if out and out[-1].label in ("NORP", "GPE") else None
        start = span.start - (span.start > 0 and doc[span.start - 1].text in POSSESSIVE)
        if owner is not None and owner.span.end == start:
            country, first = country_of(owner, table), owner.span.start
        elif start > 0 and doc[start - 1].is_title and (not out or out[-1].span.end < start):
            country, first = table.country(doc[start - 1].text), start - 1
        else:
            out.append(entity)
            continue
        known = table.agency_countries.get(entity.gazetteer_id) if entity.gazetteer_id else None
        if country is None or (entity.gazetteer_id and known in (None, country)):
            out.append(entity)
            continue
        if owner is not None and owner.span.start == first:
            out.pop()
        demonym = table.demonym(country) or country
        out.append(Entity(doc[first : span.end], "ORG",
                           fixed=f"{demonym} {normalise_name(span.text)}", country=country))
    return out


def _named_by_owner(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """Bodies written in lower case after the country or place that owns them: "Russia's
    foreign ministry", "the French foreign ministry" (the Russian Foreign Ministry), "the
    Orange County, Calif., sheriff's office" (Orange County Sheriff's Office). The owner makes
    the description a name; without one ("the foreign ministry") it stays none."""
    at = {t: e for e in entities for t in range(e.span.start, e.span.end)}
    found: list[Entity] = []
    for owner in entities:
        if owner.label not in ("GPE", "NORP"):
            continue
        end = owner.span.end
        if end < len(doc) and doc[end].text in POSSESSIVE:
            end += 1
        country = country_of(owner, table)
        body = _national_body(doc, end, at) if country not in (None, "United States") else None
        if body is not None and country is not None:
            demonym = table.demonym(country) or country
            written = doc[end:body].text.replace("’", "'").replace(" 's", "'s")
            found.append(Entity(doc[owner.span.start : body], "ORG", country=country,
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
            found.append(Entity(doc[owner.span.start : body], "ORG", fixed=f"{place} {unit}"))
    if not found:
        return entities
    return _merge(entities, found)


def _national_body(doc: Doc, i: int, at: dict[int, Entity]) -> int | None:
    """End of a lower-case national body's name starting at token ``i`` ("foreign ministry",
    "parliament", "supreme court", "central bank"), or None."""
    for end in range(i + 1, min(i + 4, len(doc)) + 1):
        words = doc[i:end]
        if not all((t.is_alpha or t.text in POSSESSIVE) and t.is_lower
                   and (t.i not in at or not at[t.i].known) for t in words):
            return None
        if _NATIONAL_BODY.fullmatch(words.text.replace("’", "'")):
            return end
    return None


def _local_body(doc: Doc, i: int, at: dict[int, Entity]) -> int | None:
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


def _nested_bodies(doc: Doc, entities: list[Entity]) -> list[Entity]:
    """"the [White House] [National Security Council]": a known body written right before
    another body's name is part of that name, no body of its own (the gold convention: the
    body is the National Security Council)."""
    out: list[Entity] = []
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


def _generic_bodies(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
    """Whose is a bare "Senate", "House of Representatives", "National Assembly" (bodies many
    countries have; the gazetteer's owner is a default): the country after it ("the Senate of
    Nigeria"), else the one the article gives the same body ("the Nigerian Senate" anywhere in
    it: the nearest before, else the first after), else, for a chamber, the country whose
    other chamber the article names ("the Nigerian Senate … the House of Representatives"),
    when it says nothing of the default's country. "General Assembly" is the UN's only in an
    article that names the UN."""
    generic_bodies = table.generic_bodies
    for entity in entities:  # "the Senate of Nigeria" as the NER took it: "Nigerian Senate"
        if entity.label == "ORG" and not entity.known:
            generic, _, place = normalise_name(entity.span.text).partition(" of ")
            country = table.country(place) if fold(generic) in generic_bodies else None
            if country is not None:
                entity.fixed = f"{table.demonym(country) or country} {generic}"
                entity.country = country
    bare = [e for e in entities if e.gazetteer_id and fold(e.span.text) in generic_bodies]
    if not bare:
        return entities
    named = {e.known for e in entities if e.known}
    bare_ids = {id(e) for e in bare}
    qualified = [(e, country) for e in entities if e.label == "ORG" and id(e) not in bare_ids
                 and (country := _owner_country(e, table))]
    seen: set[str] = set()  # countries the article names, or whose bodies it names
    for entity in entities:
        if id(entity) not in bare_ids and entity.label not in PERSON_LABELS:
            country = country_of(entity, table)
            if country:
                seen.add(country)
    at = {e.span.start: e for e in entities}
    absorbed: set[int] = set()  # ids of the owners taken into "the Senate of Nigeria"
    names = [fold(base_name(q, table)) for q, _ in qualified]
    same_bodies: dict[str, tuple[list[tuple[Entity, str]], list[int] | None]] = {}
    starts: list[int] | None
    chambers: list[set[str]] = []  # computed once, when first needed
    for entity in bare:
        generic, context = generic_bodies[fold(entity.span.text)]
        default = table.agency_countries.get(entity.gazetteer_id)
        if context and not any(n.startswith(context) for n in named):
            entity.gazetteer_id = ""  # a state's "General Assembly"
            continue
        owner = _entity_after(doc, entity.span.end, "of", at)
        country = country_of(owner, table) if owner is not None and owner.label == "GPE" else None
        if country is not None and owner is not None:
            entity.span = doc[entity.span.start : owner.span.end]
            absorbed.add(id(owner))
        else:
            if generic not in same_bodies:  # the bodies of that name qualified by a country
                ending = f" {fold(generic)}"
                same = [qc for qc, name in zip(qualified, names, strict=True)
                        if name.endswith(ending)]
                starts = [q.span.start for q, _ in same]
                in_order = all(a <= b for a, b in zip(starts, starts[1:], strict=False))
                same_bodies[generic] = (same, starts if in_order else None)
            same, starts = same_bodies[generic]
            if starts is not None:  # the last one before, else the first one
                k = bisect_left(starts, entity.span.start)
                before = same[k - 1 : k] if k else []
            else:
                before = [(q, c) for q, c in same if q.span.start < entity.span.start]
            if same:
                country = (before[-1] if before else same[0])[1]
            elif default not in seen and generic in _CHAMBERS:
                # "the Nigerian Senate … the House of Representatives": one legislature's
                if not chambers:
                    endings = tuple(f" {fold(chamber)}" for chamber in _CHAMBERS)
                    chambers.append({c for (_, c), name in zip(qualified, names, strict=True)
                                     if name.endswith(endings)})
                others = chambers[0]
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


def _judicial_districts(doc: Doc, entities: list[Entity], table: Names) -> list[Entity]:
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
        entity.country = entity.country or table.agency_countries.get(base, "")
        entity.span = doc[entity.span.start : end]
    for entity in entities:  # then "the U.S. attorney's office" is that one, if only one
        if len(districts.get(entity.gazetteer_id, ())) == 1:
            [entity.fixed] = districts[entity.gazetteer_id]
            entity.gazetteer_id = ""
    taken = _Ranges((e.span.start, e.span.end) for e in entities if e.fixed)
    return [e for e in entities if e.fixed or not taken.holds(e.span.start, e.span.end)]


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


def _owner_country(entity: Entity, table: Names) -> str | None:
    """The country a body's own name gives it: "Nigerian Senate", "Kenya's Parliament"."""
    if entity.country:
        return entity.country
    if entity.known:
        return table.agency_countries.get(entity.known)
    words = _without_determiner(entity.span)
    if not looks_like_agency(words.text):
        return None
    for end in (2, 1):
        if len(words) > end and (country := table.country(words[:end].text)):
            return country
    return None


def _academic_departments(doc: Doc, entities: list[Entity]) -> None:
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
            elif i < len(doc) and (doc[i].lower_ in DETERMINERS or doc[i].text in POSSESSIVE):
                i += 1
            else:
                break


_ACADEMIC = re.compile(r"\b(university|college|school|institute of technology|universidad)\b",
                       re.IGNORECASE)


# "U.S. Treasury yields": the securities, not the department.
_SECURITIES = frozenset({"yield", "yields", "bond", "bonds", "note", "notes", "bill", "bills",
                         "securities", "futures", "prices", "market", "markets", "auction",
                         "auctions", "curve", "rally", "selloff", "sell-off"})


def _is_security(doc: Doc, entity: Entity) -> bool:
    span = entity.span
    return (span[-1].lower_ in ("treasury", "treasuries") and span.end < len(doc)
            and doc[span.end].lower_ in _SECURITIES)


def _entity_after(doc: Doc, i: int, word: str, at: dict[int, Entity]) -> Entity | None:
    """The entity that starts right after ``word`` (and an optional "the") at token ``i``."""
    if i >= len(doc) or doc[i].lower_ != word:
        return None
    i += 1
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    found = at.get(i)
    return found if found is not None and found.span.start == i else None


class _NearestCountry:
    """The country of the nearest body or place (or people, with ``groups``) before a token
    in its sentence, other than ``unless``: in O(log n) per question, not a walk back over
    every entity of the article ("its embassy" once per paragraph made that quadratic)."""

    def __init__(self, doc: Doc, entities: list[Entity], table: Names) -> None:
        self.doc, self.entities, self.table = doc, entities, table
        self._sentences: Sentences | None = None
        self._owners: dict[bool, _Owners | None] = {}

    def __call__(self, before: int, *, groups: bool, unless: str | None) -> str | None:
        if self._sentences is None:
            self._sentences = Sentences(self.doc)
        sentence_start = self._sentences.bounds(before)[0]
        if groups not in self._owners:
            self._owners[groups] = _Owners.of(self.entities, self.table, groups=groups)
        owners = self._owners[groups]
        if owners is None:  # entities out of text order: read them all, nearest first
            for entity in reversed(self.entities):
                if entity.span.end <= before and entity.span.start >= sentence_start:
                    if entity.label == "NORP" and not groups:
                        continue
                    country = country_of(entity, self.table)
                    if country is not None and country != unless:
                        return country
            return None
        return owners.nearest(before, sentence_start, unless)


class _Owners:
    """Entities that stand for a country, in text order: their starts, ends, countries, and
    for each the one before it with another country."""

    def __init__(self, starts: list[int], ends: list[int], countries: list[str]) -> None:
        self.starts, self.ends, self.countries = starts, ends, countries
        self.other: list[int] = []  # index of the last owner before with another country
        for k, country in enumerate(countries):
            self.other.append(-1 if k == 0 else (
                k - 1 if countries[k - 1] != country else self.other[k - 1]))

    @classmethod
    def of(cls, entities: list[Entity], table: Names, *, groups: bool) -> _Owners | None:
        starts: list[int] = []
        ends: list[int] = []
        countries: list[str] = []
        for entity in entities:
            if entity.label == "NORP" and not groups:
                continue
            country = country_of(entity, table)
            if country is None:
                continue
            if starts and (entity.span.start < starts[-1] or entity.span.end < ends[-1]):
                return None
            starts.append(entity.span.start)
            ends.append(entity.span.end)
            countries.append(country)
        return cls(starts, ends, countries)

    def nearest(self, before: int, sentence_start: int, unless: str | None) -> str | None:
        # The last owner ending by ``before``, else the last before it with another country,
        # as long as it starts in the sentence.
        k = bisect_right(self.ends, before) - 1
        if k >= 0 and self.countries[k] == unless:
            k = self.other[k]
        first = bisect_left(self.starts, sentence_start)
        return self.countries[k] if k >= first and k >= 0 else None


class _Ranges:
    """Token ranges (start, end), looked up by the tokens they cover."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.ranges = list(ranges)
        self._at: dict[int, list[tuple[int, int]]] = {}
        for start, end in self.ranges:
            for i in range(start, end):
                self._at.setdefault(i, []).append((start, end))

    def overlaps(self, start: int, end: int) -> bool:
        """Some range overlaps ``start``..``end``."""
        if start >= end:
            return any(s < end and start < t for s, t in self.ranges)
        return any(i in self._at for i in range(start, end))

    def holds(self, start: int, end: int) -> bool:
        """Some range holds all of ``start``..``end``."""
        if start >= end:
            return any(s <= start and end <= t for s, t in self.ranges)
        return any(s <= start and end <= t for s, t in self._at.get(start, ()))


def _is_bare_head(entity: Entity) -> bool:
    """"Embassy", "the Ministry", "its Government": a generic head names no body alone."""
    if entity.known or entity.label in PERSON_LABELS:
        return False
    words = [w for w in folded_words(entity.span.text)
             if w not in DETERMINERS and w not in POSSESSIVE_PRONOUNS and w != "s"]
    if words and words[-1] in GENERIC_HEADS and entity.span.text.islower():
        return True  # "the immigration department": a description the NER took for a name
    if len(words) > 1 and all(w in LEGISLATURES for w in words[:-1]):
        words = words[-1:]  # "the powerful House Committee": which one, it does not say
    return len(words) == 1 and words[0] in GENERIC_HEADS


# --------------------------------------------------------------------------- Coast Guard units

_ORDINALS = {"first": 1, "fifth": 5, "seventh": 7, "eighth": 8, "ninth": 9, "eleventh": 11,
             "thirteenth": 13, "fourteenth": 14, "seventeenth": 17}
_CARDINALS = {"one": 1, "five": 5, "seven": 7, "eight": 8, "nine": 9, "eleven": 11,
              "thirteen": 13, "fourteen": 14, "seventeen": 17}
_COAST_GUARD = "U.S. Coast Guard"
_VESSEL = "VESSEL"


def _coast_guard_units(doc: Doc, entities: list[Entity]) -> list[Entity]:
    """The Coast Guard's sectors and districts are bodies of their own ("Coast Guard Sector
    Key West", "the Coast Guard's Seventh District" -> "Coast Guard 7th District"); its
    cutters and stations are ships and places, not bodies: "the Coast Guard Cutter Key
    Biscayne" is the Coast Guard and a vessel, "Coast Guard Station Marathon" a facility.
    A bare "Sector Key West" is the Coast Guard's where the article names the Coast Guard."""
    words = [t.text for t in doc]
    guard = {i for i in range(len(doc) - 1) if words[i] == "Coast" and words[i + 1] == "Guard"}
    if not guard:
        return entities
    found: list[Entity] = []
    taken: set[int] = set()
    for i in range(len(doc)):
        if i in taken:
            continue
        owner = i in guard
        at = i + 2 if owner else i
        if owner and at < len(doc) and doc[at].text in POSSESSIVE:
            at += 1
        if not (owner or _bare_sector(doc, at)):
            continue
        unit = _coast_guard_unit(doc, at)
        if unit is None:
            continue
        end, kind, name = unit
        if owner:
            found.append(Entity(doc[i : i + 2], "ORG", gazetteer_id=_COAST_GUARD,
                                country="United States"))
        if kind == "unit":
            found.append(Entity(doc[at:end], "ORG", fixed=name, country="United States"))
        else:  # a vessel is no entity of ours ("the Coast Guard Cutter [Charles Sexton]")
            found.append(Entity(doc[at:end], "FAC" if kind == "station" else _VESSEL))
        taken.update(range(i, end))
    if not found:
        return entities
    return [e for e in _merge(entities, found) if e.label != _VESSEL]


# Words after which "Sector Key West" is the Coast Guard's sector: not "the private [Sector]
# Alliance", "Gaza Strip's [Sector] One".
_BEFORE_SECTOR = frozenset({"its", "from", "at", "in", "of", "with", "the", "and", "by"})


def _bare_sector(doc: Doc, i: int) -> bool:
    """"[Sector Key West] launched a boatcrew": a sector without the Coast Guard's name, at
    the start of a sentence or after a word that introduces it."""
    return doc[i].text == "Sector" and (
        doc[i].is_sent_start or i == 0 or doc[i - 1].lower_ in _BEFORE_SECTOR)


def _coast_guard_unit(doc: Doc, i: int) -> tuple[int, str, str] | None:
    """(end, "unit" / "station" / "vessel", canonical name) of a Coast Guard unit at ``i``."""
    if i >= len(doc):
        return None
    word = doc[i].text
    if word in ("Sector", "Cutter", "Station") or (
            word == "Air" and i + 1 < len(doc) and doc[i + 1].text == "Station"):
        start = i + (2 if word == "Air" else 1)
        end = start
        while end < len(doc) and end - start < 4 and doc[end].is_title and doc[end].is_alpha:
            end += 1
        if end == start:
            return None
        place = doc[start:end].text
        if word == "Sector":
            return end, "unit", f"Coast Guard Sector {place}"
        return end, "vessel" if word == "Cutter" else "station", place
    number = _district_number(doc, i)
    if number is not None:
        return number[0], "unit", f"Coast Guard {_ordinal(number[1])} District"
    return None


def _district_number(doc: Doc, i: int) -> tuple[int, int] | None:
    """"7th District", "Seventh District", "District 7", "District Seven": (end, 7)."""
    if i + 1 < len(doc) and doc[i + 1].text == "District":
        word = doc[i].lower_
        if word in _ORDINALS:
            return i + 2, _ORDINALS[word]
        if (numbered := re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)) is not None:
            return i + 2, int(numbered.group(1))
    if doc[i].text == "District" and i + 1 < len(doc):
        word = doc[i + 1].lower_
        if word.isdigit():
            return i + 2, int(word)
        if word in _CARDINALS:
            return i + 2, _CARDINALS[word]
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
