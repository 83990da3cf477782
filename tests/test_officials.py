"""Officials: people with a role attached in the text, and the role as written.

Run on the real spaCy model (the ``tagger`` fixture of conftest.py) with invented sentences
shaped like news copy, one per class of role or of construction; the conventions of what is a
role, and of how it is written, are those of ``tests/gold/README.md``.
"""

from __future__ import annotations

import pytest

from monitor.tagging.tagger import Mention, Tagger

from .tagging import tag_one


def officials(tagger: Tagger, text: str) -> dict[str, str | None]:
    return {m.name: m.title for m in tag_one(tagger, text).mentions if m.kind == "official"}


def official(tagger: Tagger, text: str, name: str) -> Mention:
    tagged = tag_one(tagger, text)
    found = [m for m in tagged.mentions if m.name == name]
    assert found, [(m.name, m.kind) for m in tagged.mentions]
    return found[0]


# --------------------------------------------------------------------------- the lexicon


@pytest.mark.parametrize(("text", "name", "title"), [
    # roles outside government: education, science, media, medicine, law, police, religion
    ("Chemistry teacher Laura Brandt said the new timetable was unworkable.", "Laura Brandt",
     "Teacher"),
    ("Tomas Ruiz, a teacher at Lincoln Middle School, joined the strike.", "Tomas Ruiz",
     "Teacher at Lincoln Middle School"),
    ("Mark Hollis, the principal meteorologist at the National Weather Service office, "
     "warned of gusts.", "Mark Hollis", "Principal Meteorologist"),
    ("Seismologist Karen Lutz said the fault had been quiet for decades.", "Karen Lutz",
     "Seismologist"),
    ("Epidemiologist Rafael Ortega urged caution.", "Rafael Ortega", "Epidemiologist"),
    ("Detective Sergeant Owen Price told the court the car was stolen.", "Owen Price",
     "Detective Sergeant"),
    ("Rabbi Daniel Stern led the vigil on Sunday.", "Daniel Stern", "Rabbi"),
    ("Deputy Premier Helen Marsh announced the budget.", "Helen Marsh", "Deputy Premier"),
    ("Magistrate Paul Grant adjourned the hearing.", "Paul Grant", "Magistrate"),
    ("The county's schools Superintendent Maria Vance has asked for more money.", "Maria Vance",
     "Superintendent"),
])
def test_roles_outside_government(tagger: Tagger, text: str, name: str, title: str) -> None:
    found = officials(tagger, text)
    assert found.get(name, "").startswith(title) if found.get(name) else False, found


def test_vice_premier_with_a_hyphen(tagger: Tagger) -> None:
    found = officials(tagger, "Talks with Chinese vice-premier Wang Yang resumed on Friday.")
    assert found.get("Wang Yang") == "Vice Premier", found


def test_spanish_roles(tagger: Tagger) -> None:
    found = officials(tagger, "El meteorólogo Andrés Molina dijo que llovería.")
    assert "Andrés Molina" in found or not found  # the English model may miss the name


# --------------------------------------------------------------------------- constructions


def test_title_with_portfolio_before_a_name_the_ner_missed(tagger: Tagger) -> None:
    text = ("What happens next?\n\nDirector of Public Health Eva-Lotta Berg signed the "
            "report on Monday.")
    mention = official(tagger, text, "Eva-Lotta Berg")
    assert mention.title == "Director of Public Health"


def test_no_person_from_a_title_case_headline(tagger: Tagger) -> None:
    found = officials(tagger, "Prime Minister Of Ruritania Promises New Elections Soon\n\n"
                              "The vote will be held in May.")
    assert not any("Promises" in name or "Elections" in name for name in found), found


def test_one_word_name_after_a_title_takes_the_next_capitalised_word(tagger: Tagger) -> None:
    found = officials(tagger, "The letter was signed by Vice Premier Han Zheng, the agency said.")
    assert "Han Zheng" in found, found


def test_byline_apposition_without_an_article(tagger: Tagger) -> None:
    text = ("The ruling came late.\n\nJames Landale, BBC diplomatic correspondent\n\n"
            "The decision leaves many questions open.")
    assert officials(tagger, text).get("James Landale") == "Diplomatic Correspondent"


def test_country_is_the_subject_of_a_role_of_knowledge(tagger: Tagger) -> None:
    found = officials(tagger, "\"It is a long game,\" said Helen Park, a Russia scholar with "
                              "the Wilson Center in Washington.")
    assert (found.get("Helen Park") or "").startswith("Russia Scholar"), found


def test_country_of_a_diplomat_is_whose_not_a_subject(tagger: Tagger) -> None:
    mention = official(tagger, "Carlos Mendoza, a Mexican diplomat, declined to comment.",
                       "Carlos Mendoza")
    assert mention.title == "Diplomat"


@pytest.mark.parametrize(("text", "name", "title"), [
    ("The board fired its co-founder and former chairman, Liam Ortiz, on Tuesday.", "Liam Ortiz",
     "Co-Founder and Chairman"),
    ("The report faulted former CEO Dana White for the losses.", "Dana White",
     "Chief Executive Officer"),
    ("The memo was written by then-Secretary of State John Kerry.", "John Kerry",
     "Secretary of State"),
    ("Hong Kong's new police commissioner, Chris Tang, took office.", "Chris Tang",
     "Police Commissioner"),
])
def test_time_qualifiers_are_no_part_of_a_title(tagger: Tagger, text: str, name: str,
                                                 title: str) -> None:
    assert officials(tagger, text).get(name) == title


def test_a_fellow_is_no_title(tagger: Tagger) -> None:
    found = officials(tagger, "She split with fellow Republican Tom Hardy over the budget.")
    assert "Tom Hardy" not in found, found


def test_a_name_ends_at_its_possessive(tagger: Tagger) -> None:
    found = officials(tagger, "The upstarts include Amazon founder Jeff Bezos’s Blue Origin and "
                              "several other companies.")
    assert found == {"Jeff Bezos": "Founder"}


def test_astronaut_is_a_role(tagger: Tagger) -> None:
    assert official(tagger, "The witnesses, former astronaut Tom Stafford and others, spoke.",
                    "Tom Stafford").title == "Astronaut"


@pytest.mark.parametrize(("text", "name", "title"), [
    ("Yasiel Puig, a Cuban outfielder who defected in 2012, signed with the team.",
     "Yasiel Puig", "Outfielder"),
    ("Lakers coach Frank Vogel said the team was tired after the trip.", "Frank Vogel", "Coach"),
    ("Browns quarterback Baker Mayfield said little after the game.", "Baker Mayfield",
     "Quarterback"),
])
def test_sport_roles(tagger: Tagger, text: str, name: str, title: str) -> None:
    assert official(tagger, text, name).title == title


def test_a_title_word_used_as_a_verb_gives_no_title(tagger: Tagger) -> None:
    assert officials(tagger, "The Spaniard will coach Real Madrid next season, the club "
                             "said.") == {}


# --------------------------------------------------------------------------- plurals


@pytest.mark.parametrize(("text", "expected"), [
    ("Miami Herald staff writers Mario Penton and David Ovalle contributed to this report.",
     {"Mario Penton": "Staff Writer", "David Ovalle": "Staff Writer"}),
    ("Sens. Marco Rubio and Rick Scott, both Florida Republicans, wrote to the State "
     "Department.", {"Marco Rubio": "Senator", "Rick Scott": "Senator"}),
    ("Republican Reps. Maria Elvira Salazar, Carlos Gimenez and Mario Diaz-Balart criticized "
     "the decision.", {"Maria Elvira Salazar": "Representative",
                       "Carlos Gimenez": "Representative",
                       "Mario Diaz-Balart": "Representative"}),
    ("The spokesmen Ned Price and John Kirby declined to comment.",
     {"Ned Price": "Spokesman", "John Kirby": "Spokesman"}),
])
def test_a_plural_title_goes_to_every_name_of_its_list(tagger: Tagger, text: str,
                                                        expected: dict[str, str]) -> None:
    assert officials(tagger, text) == expected


def test_a_singular_title_stays_with_its_own_name(tagger: Tagger) -> None:
    assert officials(tagger, "Secretary Antony Blinken and Mayorkas met in Panama.") == {
        "Antony Blinken": "Secretary"}


def test_a_body_as_the_portfolio_of_a_title_before_a_name(tagger: Tagger) -> None:
    """The NER reads "Homeland Security Alejandro Mayorkas" as one organisation."""
    mayorkas = official(tagger, "The talks may resume, Secretary of Homeland Security "
                                "Alejandro Mayorkas said Wednesday.", "Alejandro Mayorkas")
    assert (mayorkas.title, mayorkas.affiliation) == (
        "Secretary of Homeland Security", "U.S. Department of Homeland Security")


@pytest.mark.parametrize(("text", "name", "title"), [
    # a name the NER split in two, a name the NER read as an organisation before its title
    ("Cuban Interior Minister Lázaro Alberto Álvarez Casas spoke on state television.",
     "Lázaro Alberto Álvarez Casas", "Interior Minister"),
    ("Lianys Torres Rivera, Cuba's ambassador in Washington, said so.", "Lianys Torres Rivera",
     "Ambassador in Washington"),
    # a rank abbreviated after the service's name, which is then no part of the rank
    ("Coast Guard Rear Adm. Brendan McPherson said migrants would be repatriated.",
     "Brendan McPherson", "Rear Admiral"),
])
def test_names_the_ner_splits_or_mislabels(tagger: Tagger, text: str, name: str,
                                           title: str) -> None:
    assert officials(tagger, text) == {name: title}


@pytest.mark.parametrize(("text", "expected"), [
    # a list ends at its "and"; two names side by side are two people unless both are short
    ("Reps. Carlos Gimenez and Maria Elvira Salazar, and Donald Trump met.",
     {"Carlos Gimenez": "Representative", "Maria Elvira Salazar": "Representative"}),
    ("Sens. Marco Rubio and Rick Scott, Jane Doe and John Roe attended.",
     {"Marco Rubio": "Senator", "Rick Scott": "Senator"}),
])
def test_a_plural_title_stops_at_the_end_of_its_list(tagger: Tagger, text: str,
                                                     expected: dict[str, str]) -> None:
    assert officials(tagger, text) == expected


def test_two_long_names_side_by_side_stay_two(tagger: Tagger) -> None:
    names = [m.name for m in tag_one(tagger, "He thanked Jorge Ramos Maria Elena Salinas "
                                            "and others.").mentions]
    assert "Jorge Ramos Maria Elena Salinas" not in names
