"""Tagging does work linear in the size of the page: no rule looks at every title, entity,
date or figure of the article (or of a long sentence) for each person, body or figure.

Nothing here is timed. The work is counted instead: the Python lines that the tagging
modules execute (``sys.settrace``) while one page is tagged, for a page of N and of 2N
copies of the same shape of sentence. A linear layer does about twice the work for twice
the page; one rule that scans all titles for each person (``_title_before`` did) makes it
four times, soon enough. The shapes are the ones that made it quadratic: a page of 20,000
"Title Name Surname said …" sentences (13 minutes), the same names in one long sentence,
bodies whose owner is looked for across the article, figures and dates in one long line.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from monitor.tagging import (
    bodies,
    counted,
    entities,
    entity_base,
    figures,
    gazetteer,
    numbers,
    titles,
)
from monitor.tagging.tagger import Tagger

from .tagging import tag_one

MODULES = (titles, entities, bodies, entity_base, figures, counted, numbers, gazetteer)
Tracer = Callable[[FrameType, str, Any], Any]
#: Work for a page twice as long, at most this many times the work for the page.
MAX_GROWTH = 2.4

TITLES = [("Deputy Foreign Minister", "Deputy Foreign Minister"),
          ("Foreign Minister", "Foreign Minister"), ("Ambassador", "Ambassador"),
          ("Senator", "Senator"), ("Interior Minister", "Interior Minister"),
          ("Vice President", "Vice President"), ("Governor", "Governor"),
          ("Attorney General", "Attorney General"), ("Sen.", "Senator")]
FIRST = ["Carlos", "Maria", "John", "Ana", "Pedro", "Laura", "Brian", "Josefina", "Bruno",
         "Miguel", "Elena", "David", "Rosa", "Jorge", "Sofia", "Pablo", "Lucia", "Martin"]
LAST = ["Fernández", "Rodríguez", "Nichols", "Vidal", "Rivera", "Smith", "Gómez", "Pérez",
        "Martínez", "Johnson", "Díaz", "Hernández", "Castro", "Ortega", "Morales", "Navarro"]
TAILS = ["said on Monday that talks with the State Department would continue.",
         "told reporters in Havana that the embassy would reopen.",
         "said Cuba's foreign ministry confirmed the talks."]
BODIES = [
    "The Senate voted on Monday, and the Nigerian Senate rejected the bill.",
    "Its embassy in Havana said the State Department had approved the visas.",
    "The U.S. Attorney's Office for the Western District of New York filed charges.",
    "Russia's foreign ministry and the French foreign ministry issued statements.",
    "Sweden's prosecutor general's office said the embassy's spokesman John Smith agreed.",
    "The Biden administration and the Cuban government met in Washington.",
    "Coast Guard Sector Key West and the State Department's Bureau of Consular Affairs met.",
]


def people(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(title as written, title as tagged, name) of n people, every name its own."""
    rng = random.Random(seed)
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    rng.shuffle(names)
    assert n <= len(names)
    return [(*rng.choice(TITLES), name) for name in names[:n]]


def titled_page(n: int) -> str:
    rng = random.Random(n)
    sentences = [f"{written} {name} {rng.choice(TAILS)}" for written, _, name in people(n)]
    return "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, n, 4))


def titled_line(n: int) -> str:
    """The same people in one sentence: no rule may look at the whole sentence per title."""
    return ("The meeting was attended by "
            + ", ".join(f"{written} {name}" for written, _, name in people(n)) + " and others.")


def bodies_line(n: int) -> str:
    rng = random.Random(n)
    return " ".join(rng.choice(BODIES).rstrip(".") + ";" for _ in range(n))


def figures_line(n: int) -> str:
    rng = random.Random(n)
    months = ["January", "February", "March", "April", "May", "June"]
    return "Officials counted " + ", ".join(
        f"{rng.randint(1000, 99999):,} Cubans in {rng.choice(months)}" for _ in range(n)) + "."


def one_verb(n: int) -> str:
    """Figures of one verb and one subject: no figure may read all the verb's others."""
    rng = random.Random(n)
    months = ["January", "February", "March"]
    return "Arrivals of Cubans at the border rose " + ", ".join(
        f"to {rng.randint(1000, 99999):,} in {rng.choice(months)}" for _ in range(n)) + "."


def owners_line(n: int) -> str:
    """Bodies named by their owner ("its embassy"): the owner is looked for nearby."""
    return "Officials from " + ", ".join(
        ["Cuba, the Mexican delegation and its embassy in Havana"] * n) + " met."


def hyphenated(n: int) -> str:
    """One name of n hyphenated parts: its runs of words are not all compared."""
    return ("Minister " + "-".join(["Ana"] * n) + " Smith said so, and "
            + " ".join(["the talks went on"] * n) + ".")


def work(tagger: Tagger, text: str) -> Counter[str]:
    """Python lines run in each tagging module while ``text`` is tagged."""
    files = {str(Path(module.__file__).resolve()): module.__name__ for module in MODULES}
    counts: Counter[str] = Counter()

    def in_module(frame: FrameType, event: str, arg: object) -> Tracer | None:
        name = files.get(frame.f_code.co_filename)
        if name is None:
            return None  # no line events from spaCy, thinc…

        def line(frame: FrameType, event: str, arg: object) -> Tracer:
            if event == "line":
                counts[name] += 1
            return line

        return line

    previous = sys.gettrace()
    sys.settrace(in_module)
    try:
        tag_one(tagger, text)
    finally:
        sys.settrace(previous)
    return counts


@pytest.mark.parametrize(("page", "n"), [(titled_page, 120), (titled_line, 80),
                                         (bodies_line, 80), (figures_line, 60), (one_verb, 60),
                                         (owners_line, 40), (hyphenated, 60)],
                         ids=["titled-page", "titled-line", "bodies-line", "figures-line",
                              "one-verb", "owners-line", "hyphenated-name"])
def test_twice_the_page_is_twice_the_work(tagger: Tagger, page: Callable[[int], str],
                                          n: int) -> None:
    tag_one(tagger, page(4))  # the model is loaded, the caches are warm
    small, large = work(tagger, page(n)), work(tagger, page(2 * n))
    growth = {name: large[name] / small[name] for name in small if small[name] >= 200}
    assert growth, small
    assert max(growth.values()) <= MAX_GROWTH, growth


def test_every_person_of_a_dense_page_keeps_its_own_title(tagger: Tagger) -> None:
    """Each name found has the title written before it, not a neighbour's (the NER misses
    the odd name altogether: "Governor [Ana Rodríguez] said" is no entity at all)."""
    n = 240
    expected = {name: title for _, title, name in people(n)}
    for page in (titled_page(n), titled_line(n)):
        found = {m.name: m.title for m in tag_one(tagger, page).mentions
                 if m.label == "PERSON"}
        assert {name: expected.get(name) for name in found} == found
        assert len(found) >= 0.98 * n
