"""Agencies: which government bodies an article names, and the one canonical name of each.

Run on the real spaCy model (the ``tagger`` fixture of conftest.py) with short sentences
shaped like news copy; conventions of what counts are those of ``tests/gold/README.md``.
"""

from __future__ import annotations

import pytest

from monitor.nlp import Tagged, Tagger


def tag(tagger: Tagger, text: str) -> Tagged:
    [tagged] = tagger.tag([(text, "en")])
    return tagged


def agencies(tagger: Tagger, text: str) -> list[str]:
    """Distinct agency names in order of first mention."""
    return list(dict.fromkeys(m.name for m in tag(tagger, text).mentions if m.kind == "agency"))


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
