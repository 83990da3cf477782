"""Coverage of the gazetteer (``models/agencies.jsonl``) and of the agency rules by form:
the bodies a reader of US, Cuban and international government news meets, each under one
canonical name, and the look-alikes that are no body. Sentences are invented, shaped like news
copy; what counts as an agency is the convention of ``tests/gold/README.md``.
"""

from __future__ import annotations

import json
from itertools import product

import pytest

from monitor.assets import Assets
from monitor.tagging.tagger import Tagger

from .tagging import agencies, tag_one

# --------------------------------------------------------------------------- the data itself


def _lines() -> list[str]:
    return Assets.default().file("agencies.jsonl").read_text("utf-8").splitlines()


def _rules() -> list[dict]:
    return [json.loads(line) for line in _lines() if line.strip()]


def _phrases(pattern: list[dict]) -> set[tuple[str, tuple[str, ...]]]:
    """(attribute, words) of every token sequence a plain LOWER/ORTH pattern matches."""
    out = set()
    for attr in ("LOWER", "ORTH"):
        if all(set(token) == {attr} for token in pattern):
            choices = [t[attr]["IN"] if isinstance(t[attr], dict) else [t[attr]] for t in pattern]
            out |= {(attr, tuple(w.lower() if attr == "LOWER" else w for w in words))
                    for words in product(*choices)}
    return out


def test_every_rule_is_json_with_a_label_a_pattern_and_an_id() -> None:
    for n, line in enumerate(_lines(), 1):
        rule = json.loads(line)  # raises on a malformed line
        assert rule.get("label") == "ORG", n
        assert rule.get("id"), n
        assert rule.get("pattern"), n
        assert rule.get("country", "") is None or isinstance(rule.get("country", ""), str), n


def test_no_pattern_gives_two_ids() -> None:
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    clashes = []
    for rule in _rules():
        for phrase in _phrases(rule["pattern"]):
            if seen.setdefault(phrase, rule["id"]) != rule["id"]:
                clashes.append((phrase, seen[phrase], rule["id"]))
    assert clashes == []


def test_one_country_per_body() -> None:
    countries: dict[str, set] = {}
    for rule in _rules():
        countries.setdefault(rule["id"], set()).add(rule.get("country"))
    assert {body: c for body, c in countries.items() if len(c) > 1} == {}


def test_ambiguous_acronyms_are_left_out_or_case_sensitive() -> None:
    """"SEC" is also a sports conference, "BLM" a movement, "DOI" a paper's identifier:
    none of them alone; acronyms are matched on the exact spelling ("ice" is no agency)."""
    bare = {words for rule in _rules() for attr, words in _phrases(rule["pattern"])
            if len(words) == 1}
    for word in ("SEC", "BLM", "DOI", "SSA", "BIA", "PNR", "NEC"):
        assert (word,) not in bare
    lower = {words for rule in _rules() for attr, words in _phrases(rule["pattern"])
             if attr == "LOWER"}
    for word in ("ice", "nasa", "fed", "cia", "the house"):
        assert tuple(word.split()) not in lower


# --------------------------------------------------------------------------- US bodies


@pytest.mark.parametrize(("text", "expected"), [
    ("NASA delayed the launch of the lunar lander again.",
     ["National Aeronautics and Space Administration"]),
    ("The National Aeronautics and Space Administration named a new administrator.",
     ["National Aeronautics and Space Administration"]),
    ("The New York Fed said overnight funding markets were calm.",
     ["Federal Reserve Bank of New York"]),
    ("Economists at the Federal Reserve Bank of St. Louis revised the estimate.",
     ["Federal Reserve Bank of St. Louis"]),
    ("The Atlanta Fed's tracker fell, while the Fed held rates.",
     ["Federal Reserve Bank of Atlanta", "Federal Reserve"]),
    ("The House passed the spending bill late on Thursday.", ["U.S. House of Representatives"]),
    ("The Treasury's Financial Crimes Enforcement Network and the IRS opened an inquiry.",
     ["U.S. Department of the Treasury", "Financial Crimes Enforcement Network",
      "Internal Revenue Service"]),
    ("The Justice Department said the ATF and the U.S. Marshals Service joined the search.",
     ["U.S. Department of Justice", "Bureau of Alcohol, Tobacco, Firearms and Explosives",
      "U.S. Marshals Service"]),
    ("The Board of Immigration Appeals sent the case back, and EOIR data show a backlog.",
     ["Board of Immigration Appeals", "Executive Office for Immigration Review"]),
    ("The Office of Refugee Resettlement places children with sponsors.",
     ["Office of Refugee Resettlement"]),
    ("TSA screeners and FEMA staff were told to report to work.",
     ["Transportation Security Administration", "Federal Emergency Management Agency"]),
    ("The Securities and Exchange Commission and the FTC sued the firm.",
     ["Securities and Exchange Commission", "Federal Trade Commission"]),
    ("The NTSB and the FAA are investigating the crash.",
     ["National Transportation Safety Board", "Federal Aviation Administration"]),
    ("NOAA said the National Weather Service would issue hourly updates.",
     ["National Oceanic and Atmospheric Administration", "National Weather Service"]),
    ("The Census Bureau and the Bureau of Labor Statistics delayed their reports.",
     ["U.S. Census Bureau", "Bureau of Labor Statistics"]),
    ("The CBO scored the bill, and the GAO audited the program.",
     ["Congressional Budget Office", "Government Accountability Office"]),
    ("The NSA and the Office of the Director of National Intelligence declined to comment.",
     ["National Security Agency", "Office of the Director of National Intelligence"]),
    ("The OMB told agencies to prepare for a shutdown, and USTR announced new tariffs.",
     ["Office of Management and Budget", "Office of the U.S. Trade Representative"]),
    ("The Department of Energy and the Interior Department signed the lease.",
     ["U.S. Department of Energy", "U.S. Department of the Interior"]),
    ("A Peace Corps volunteer was evacuated with help from the Bureau of Consular Affairs.",
     ["Peace Corps", "Bureau of Consular Affairs"]),
])
def test_us_bodies(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# --------------------------------------------------------------------------- Cuban bodies


@pytest.mark.parametrize(("text", "expected"), [
    ("MINTUR said arrivals from Canada fell by a fifth.", ["Ministry of Tourism of Cuba"]),
    ("Cuba's Ministry of Energy and Mines blamed the blackout on a broken plant.",
     ["Ministry of Energy and Mines of Cuba"]),
    ("El Ministerio de Turismo de Cuba publicó las cifras del mes.",
     ["Ministry of Tourism of Cuba"]),
    ("The National Revolutionary Police detained two activists in Santiago.",
     ["National Revolutionary Police of Cuba"]),
    ("ONEI figures show the population fell below ten million.",
     ["National Office of Statistics and Information of Cuba"]),
    ("Cuban State Security agents questioned the journalist.", ["Cuban State Security"]),
    ("The Cuban Interests Section in Washington became an embassy in 2015, as did the U.S. "
     "Interests Section.", ["Cuban Interests Section in Washington",
                            "U.S. Interests Section in Havana"]),
])
def test_cuban_bodies(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


def test_a_state_company_is_no_agency(tagger: Tagger) -> None:
    assert agencies(tagger, "ETECSA raised the price of mobile data again.") == []


# --------------------------------------------------------------------------- international


@pytest.mark.parametrize(("text", "expected"), [
    ("UNHCR and the International Organization for Migration issued a joint appeal.",
     ["Office of the United Nations High Commissioner for Refugees",
      "International Organization for Migration"]),
    ("The UN refugee agency said asylum claims in Mexico doubled.",
     ["Office of the United Nations High Commissioner for Refugees"]),
    ("UNICEF and the World Food Programme delivered aid to Santiago de Cuba.",
     ["UNICEF", "World Food Programme"]),
    ("The IACHR asked the government to release the prisoners.",
     ["Inter-American Commission on Human Rights"]),
    ("China's People's Liberation Army held drills as PLA troops moved south.",
     ["People's Liberation Army"]),
    ("The PLA Navy sent three destroyers through the strait.",
     ["People's Liberation Army Navy"]),
    ("The House of Commons voted on the motion late on Tuesday.", ["House of Commons"]),
    ("Mexico's National Migration Institute (INM) said it detained 300 Cubans in Chiapas.",
     ["National Migration Institute of Mexico"]),
])
def test_international_bodies(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# --------------------------------------------------------------------------- by form


@pytest.mark.parametrize(("text", "expected"), [
    ("The Office of the Swedish Attorney General reopened the case on Monday.",
     ["Office of the Swedish Attorney General"]),
    ("A spokeswoman for the Swedish attorney general's office declined to comment.",
     ["Office of the Swedish Attorney General"]),
    ("Sweden's prosecutor general's office said it would appeal.",
     ["Office of the Swedish Prosecutor General"]),
    ("The Mexican attorney general's office opened an investigation into the smugglers.",
     ["Office of the Mexican Attorney General"]),
    ("The Inner Mongolia Disease Prevention and Control Centre reported two new cases.",
     ["Inner Mongolia Disease Prevention and Control Centre"]),
    ("The Chinese Center for Disease Control and Prevention issued new guidance.",
     ["Chinese Center for Disease Control and Prevention"]),
    ("The NASA Science Mission Directorate funds the probe.",
     ["NASA Science Mission Directorate"]),
])
def test_bodies_by_form(tagger: Tagger, text: str, expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


# --------------------------------------------------------------------------- look-alikes


@pytest.mark.parametrize("text", [
    "Alabama won the SEC championship game on Saturday.",
    "Black ice covered the roads and the ice melted by noon.",
    "The postal service in Havana has been unreliable for years.",
    "She sang at the Sydney Opera House last year.",
    "The immigration courts are overwhelmed, lawyers said.",
])
def test_look_alikes_are_no_agency(tagger: Tagger, text: str) -> None:
    assert agencies(tagger, text) == []


def test_the_house_of_another_country_keeps_it(tagger: Tagger) -> None:
    names = agencies(tagger, "The Nigerian Senate passed the bill, and the House is "
                             "expected to follow next week.")
    assert names == ["Nigerian Senate", "Nigerian House of Representatives"]


# --------------------------------------------------------------------------- units and ships


@pytest.mark.parametrize(("text", "expected"), [
    ("Crews from the Coast Guard Cutter Charles Sexton and Coast Guard Station Marathon "
     "interdicted the migrants.", ["U.S. Coast Guard"]),
    ("Sector Key West launched a boatcrew, said Capt. Mark Fedor of the Coast Guard 7th "
     "District.", ["Coast Guard Sector Key West", "U.S. Coast Guard", "Coast Guard 7th District"]),
    ("The U.S. Coast Guard's Seventh District said crews repatriated 45 Cubans.",
     ["U.S. Coast Guard", "Coast Guard 7th District"]),
    ("Since October the Customs and Border Protection Office (CBP) registered 208,308 arrivals.",
     ["U.S. Customs and Border Protection"]),
])
def test_coast_guard_units_are_bodies_and_its_ships_are_not(tagger: Tagger, text: str,
                                                            expected: list[str]) -> None:
    assert agencies(tagger, text) == expected


def test_a_cutter_named_after_a_person_is_no_person(tagger: Tagger) -> None:
    names = {m.name for m in tag_one(tagger, "The Coast Guard Cutter Charles Sexton was "
                                             "diverted to the scene.").mentions}
    assert "Charles Sexton" not in names


@pytest.mark.parametrize("text", [
    "The Coast Guard rescued five people. In District 12, the school board voted.",
    "The Coast Guard said. Passengers at Union Station Denver waited.",
    "The Coast Guard said the private Sector Alliance helped.",
    "Rep. Mario Díaz-Balart, who represents Florida's 26th District, praised the Coast Guard.",
])
def test_other_districts_sectors_and_stations_are_not_the_coast_guards(tagger: Tagger,
                                                                        text: str) -> None:
    assert agencies(tagger, text) == ["U.S. Coast Guard"]
