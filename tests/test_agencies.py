"""Agencies: which government bodies an article names, and the one canonical name of each.

Run on the real spaCy model (the ``tagger`` fixture of conftest.py) with short sentences
shaped like news copy; conventions of what counts are those of ``tests/gold/README.md``.
"""

from __future__ import annotations

import pytest

from monitor.tagging.tagger import Tagger

from .tagging import agencies

# --------------------------------------------------------------------------- gazetteer matches


@pytest.mark.parametrize(("text", "expected"), [
    # lower case without "the": a description, not a body's name
    ("The congressman wants more border patrol agents at the border.", []),
    ("He cited homeland security concerns in his speech.", []),
    # lower case after "the", or capitalised: the body
    ("The man was detained by the border patrol near El Paso.", ["U.S. Border Patrol"]),
    ("More Border Patrol agents were sent to El Paso.", ["U.S. Border Patrol"]),
])
def test_lower_case_gazetteer_names_need_the(tagger: Tagger, text: str,
                                             expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # an honorific or a title the NER ran on with is no part of the body's name
    ("He mourned the former Speaker of the House of Representatives Rt. Hon. B. U. Nzeribe.",
     "U.S. House of Representatives"),
    ("He mourned former House of Representatives Speaker, Benjamin Nzeribe.",
     "U.S. House of Representatives"),
])
def test_titles_and_honorifics_do_not_lengthen_a_body(tagger: Tagger, text: str,
                                                      expected: str) -> None:
    assert agencies(tagger, text) == [expected]


def test_a_longer_name_still_wins_over_the_gazetteer(tagger: Tagger) -> None:
    names = agencies(tagger, "The Senate Foreign Relations Committee met on Tuesday.")
    assert names == ["Senate Foreign Relations Committee"]


# --------------------------------------------------------------------------- bodies by form


@pytest.mark.parametrize(("text", "expected"), [
    ("Russia's foreign ministry said it viewed the move as illegal.",
     ["Russian Foreign Ministry"]),
    ("The French foreign ministry said it regrets the decision.", ["French Foreign Ministry"]),
    ("The foreign ministry said it regrets the decision.", []),
    ("Kenya's parliament voted on Tuesday.", ["Kenyan Parliament"]),
    ("The man was arrested by the Orange County, Calif., sheriff's office on Monday.",
     ["Orange County Sheriff's Office"]),
    ("The Orange County Sheriff's Office arrested the man.", ["Orange County Sheriff's Office"]),
    ("Officers of the Chicago police department arrested the man.",
     ["Chicago Police Department"]),
])
def test_bodies_named_by_their_owner(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


def test_a_body_inside_another_bodys_name_is_not_listed(tagger: Tagger) -> None:
    nested = "Vindman is the White House National Security Council Ukraine expert."
    assert agencies(tagger, nested) == ["U.S. National Security Council"]
    both = "The White House declined to comment. " + nested
    assert agencies(tagger, both) == ["White House", "U.S. National Security Council"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Volker testified before the powerful House Committee.", []),
    ("Volker testified before the House Intelligence Committee.",
     ["House Intelligence Committee"]),
])
def test_generic_committee_is_no_body(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Ian Hamilton, an expert at the Department of Health Sciences at the U.K.'s University "
     "of York, said so.", []),
    ("A professor in the Department of Economics at Columbia University said so.", []),
    ("The Department of Health said hospitals were full.", ["Department of Health"]),
])
def test_university_departments_are_no_agencies(tagger: Tagger, text: str,
                                                expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Long-dated U.S. Treasury yields slipped as risk appetite weakened.", []),
    ("Treasury prices rose on Monday.", []),
    ("The U.S. Treasury said it would sanction the bank.", ["U.S. Department of the Treasury"]),
])
def test_treasury_securities_are_no_agency(tagger: Tagger, text: str,
                                           expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# --------------------------------------------------------------------------- whose body


@pytest.mark.parametrize(("text", "expected"), [
    # the default owner when the article names no other
    ("The Senate passed the bill on Tuesday.", ["U.S. Senate"]),
    # the country written with it, before or after
    ("The Nigerian Senate passed the bill on Tuesday.", ["Nigerian Senate"]),
    ("The Senate of Nigeria passed the bill on Tuesday.", ["Nigerian Senate"]),
    # the same body named for another country anywhere in the article, before or after
    ("The Senate resolved to observe a minute of silence. Senate Leader Ahmad Lawan raised "
     "the motion.\n\n— The Nigerian Senate (@NGRSenate) October 9, 2018",
     ["Nigerian Senate"]),
    # an article plainly about another country: its chambers are that country's
    ("The Senate resolved to honour a former Speaker of the House of Representatives. The "
     "Nigerian Senate said the National Assembly would resume on Tuesday.",
     ["Nigerian Senate", "Nigerian House of Representatives", "Nigerian National Assembly"]),
    # a state's chamber is not the country's
    ("The Texas Senate passed the bill on Tuesday.", ["Texas Senate"]),
])
def test_bodies_many_countries_have(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


def test_the_us_in_the_article_keeps_the_default(tagger: Tagger) -> None:
    text = ("The Nigerian Senate met on Tuesday. In Washington, the Senate voted on the U.S. "
            "budget while the House of Representatives was in recess.")
    names = agencies(tagger, text)
    assert "U.S. House of Representatives" in names
    assert "Nigerian House of Representatives" not in names


@pytest.mark.parametrize(("text", "expected"), [
    ('"We are going to the (UN) General Assembly," he said after the United Nations vote.',
     ["United Nations", "United Nations General Assembly"]),
    ("The Virginia General Assembly passed the bill.", ["Virginia General Assembly"]),
])
def test_general_assembly_is_the_uns_only_where_the_un_is(tagger: Tagger, text: str,
                                                         expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


def test_us_house_as_a_modifier(tagger: Tagger) -> None:
    assert agencies(tagger, "The rumor tried to discredit her U.S. House testimony.") == [
        "U.S. House of Representatives"]


def test_us_attorneys_office_keeps_its_district(tagger: Tagger) -> None:
    text = ("He pleaded guilty, the U.S. Attorney’s Office for the Western District of New "
            "York said in a statement. The U.S. attorney's office did not say more.")
    assert agencies(tagger, text) == [
        "U.S. Attorney's Office for the Western District of New York"]


@pytest.mark.parametrize(("text", "expected"), [
    # a country named often, or another of its bodies, does not make it the chamber's owner
    ("Congress voted to fund the war in Iraq. Iraqi officials welcomed it. Iraq's oil output "
     "rose, and Baghdad said Iraq would pay.", ["U.S. Congress"]),
    ("The Senate confirmed the nominee. Russia's foreign ministry objected.",
     ["U.S. Senate", "Russian Foreign Ministry"]),
])
def test_other_countries_in_the_article_keep_the_default(tagger: Tagger, text: str,
                                                         expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# ------------------------------------------------------------- embassies, courts, militaries


@pytest.mark.parametrize("text", [
    "He took refuge in the Ecuadorean embassy in London.",
    "He took refuge in Ecuador's embassy in London.",
    "He took refuge in the Embassy of Ecuador in London.",
])
def test_one_name_for_a_foreign_embassy_however_written(tagger: Tagger, text: str) -> None:
    assert agencies(tagger, text) == ["Ecuadorian Embassy in London"]


def test_embassies_of_every_country_take_the_demonym_form(tagger: Tagger) -> None:
    assert agencies(tagger, "Protesters gathered outside the Embassy of Peru in Madrid.") == [
        "Peruvian Embassy in Madrid"]


def test_a_court_the_ner_splits_from_its_head(tagger: Tagger) -> None:
    text = "The trial will be held at Southwark Magistrate's Court next month."
    assert agencies(tagger, text) == ["Southwark Magistrate's Court"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Beijing said the People's Liberation Army would hold drills.", ["People's Liberation Army"]),
    ("The PLA moved troops to the border.", ["People's Liberation Army"]),
    ("The Indian Army said two soldiers died.", ["Indian Army"]),
    ("A Royal Navy frigate shadowed the ship.", ["Royal Navy"]),
    # armies of no state are no government bodies
    ("The Irish Republican Army declared a ceasefire.", []),
])
def test_a_countrys_armed_forces_are_a_government_body(tagger: Tagger, text: str,
                                                      expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# --------------------------------------------------------------------------- bodies of US states


def test_a_state_chamber_named_as_a_modifier(tagger: Tagger) -> None:
    text = "Ohio House Speaker Jane Doyle defended the budget."
    assert agencies(tagger, text) == ["Ohio House of Representatives"]


def test_a_state_lower_chamber_with_another_name(tagger: Tagger) -> None:
    assert agencies(tagger, "Maryland House leaders met on Monday.") == [
        "Maryland House of Delegates"]


def test_bare_legislature_is_the_state_the_article_is_about(tagger: Tagger) -> None:
    text = ("Thousands of nurses rallied in Oregon on Monday. Oregon nurses want more pay, and "
            "the Legislature has not answered.")
    assert agencies(tagger, text) == ["Oregon Legislature"]


def test_bare_legislature_without_a_state_is_no_body(tagger: Tagger) -> None:
    assert agencies(tagger, "Nurses said the Legislature has not answered.") == []


@pytest.mark.parametrize("text", [
    "The Texas attorney general's office opened an inquiry.",
    "The office of the Texas Attorney General opened an inquiry.",
])
def test_a_state_attorney_generals_office(tagger: Tagger, text: str) -> None:
    assert agencies(tagger, text) == ["Office of the Texas Attorney General"]


def test_office_of_a_state_ag_by_its_postal_code(tagger: Tagger) -> None:
    text = "The firm said it had been contacted by the office of the CAAG last week."
    assert agencies(tagger, text) == ["Office of the California Attorney General"]


# --------------------------------------------------------------------------- units, more forms


@pytest.mark.parametrize(("text", "expected"), [
    # a unit of a known body, named after its possessive, in any case
    ("Steve Clarke, an administrator in NASA’s Science Mission Directorate, spoke.",
     ["National Aeronautics and Space Administration", "NASA Science Mission Directorate"]),
    ("Steve Clarke, an administrator in NASA’s science mission directorate, spoke.",
     ["National Aeronautics and Space Administration", "NASA Science Mission Directorate"]),
    ("NASA's Office of the Inspector General said the rocket was late.",
     ["National Aeronautics and Space Administration", "NASA Office of the Inspector General"]),
    # a description after a possessive is no unit; a programme is no body
    ("NASA's budget office and the International Energy Agency's Photovoltaic Power Systems "
     "Program published reports.",
     ["National Aeronautics and Space Administration", "International Energy Agency"]),
    # acronyms resolve to full names; misspelt forms a reader meets too
    ("NATO allies met as the Pension Benefit Guarantee Corp. took over the pension plan.",
     ["North Atlantic Treaty Organization", "Pension Benefit Guaranty Corporation"]),
    ("Peoples Liberation Army forces may be deployed, the report said.",
     ["People's Liberation Army"]),
    # a foreign prosecutor's office written "the office of <country>'s <title>"
    ("An appeal could be made to the office of Sweden’s attorney general, she said.",
     ["Office of the Swedish Attorney General"]),
    # a country's ombudsman and electoral bodies in lower case; a facility is no unit
    ("Bolivia’s public defender’s office said 30 people were hurt, and Peru's electoral court "
     "agreed.", ["Bolivian Public Defender's Office", "Peruvian Electoral Court"]),
    ("NASA's Goddard Space Flight Center in Maryland led the study.",
     ["National Aeronautics and Space Administration"]),
    # a city's police department abbreviated
    ("The Dallas PD said it had made an arrest on Tuesday night.", ["Dallas Police Department"]),
])
def test_units_and_more_forms(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


@pytest.mark.parametrize("text", [
    "NASA's JPL said on Monday that the probe had landed safely.",
    "NASA's eBay account was hacked, the agency said on Tuesday.",
    "The State Department's USAID office said on Monday it would close.",
])
def test_a_body_followed_by_a_possessive_and_an_odd_word_is_tagged(tagger: Tagger,
                                                                 text: str) -> None:
    assert "National Aeronautics and Space Administration" in agencies(tagger, text) or (
        "U.S. Department of State" in agencies(tagger, text))
