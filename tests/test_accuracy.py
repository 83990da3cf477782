"""Accuracy of the real tagger against the hand-annotated gold set (``tests/gold/``).

The gold files are checked for shape first (every name and figure text must be in the text
it annotates), then the matching rules of ``bench/accuracy.py`` on small hand-made cases, then
the tagger itself: floors that must hold now, and the targets as a non-strict xfail until
the tuning lands. Conventions: ``tests/gold/README.md``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path(__file__).resolve().parent / "gold"

# Regression floors: just under what the committed tagger measures (officials 0.943,
# agencies 1.000, figures value+what 0.870); the targets are asserted below.
FLOORS = {"officials": 0.93, "agencies": 0.95, "figures": 0.86}
TARGETS = {"officials": 0.90, "agencies": 0.90, "figures": 0.85}


def _load_bench() -> ModuleType:
    """bench/ is not a package: load bench/accuracy.py from its path."""
    name = "monitor_bench_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
GOLD_FILES = sorted(GOLD.glob("*.json"))
# Held-out sets, annotated blind from articles the tagger was not tuned on.
HELDOUT = sorted(p for p in GOLD.iterdir() if p.is_dir() and any(p.glob("*.json")))
ALL_FILES = GOLD_FILES + [f for d in HELDOUT for f in sorted(d.glob("*.json"))]


# --------------------------------------------------------------------------- the gold files


def test_gold_set_size() -> None:
    docs = bench.load_gold(GOLD)
    assert 15 <= len(docs) <= 20
    assert sum(len(d["officials"]) for d in docs) >= 60
    assert sum(len(d["agencies"]) for d in docs) >= 40
    assert sum(len(d["figures"]) for d in docs) >= 120
    assert len({d["id"] for d in docs}) == len(docs)
    assert (GOLD / "README.md").is_file()


def test_heldout_sets_are_apart_from_the_tuned_set() -> None:
    assert len(HELDOUT) >= 4 and all(d.name.startswith("heldout") for d in HELDOUT)
    sources = [json.loads(f.read_text(encoding="utf-8"))["source"] for f in ALL_FILES]
    assert len(set(sources)) == len(sources), "no article in two sets"
    assert all((d / "README.md").is_file() for d in HELDOUT)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_is_well_formed(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) >= {"id", "source", "licence", "text", "officials", "agencies", "figures"}
    assert doc["id"] == path.stem
    assert isinstance(doc["source"], str) and doc["source"]
    assert isinstance(doc["licence"], str) and doc["licence"]
    text = doc["text"]
    assert isinstance(text, str) and text.strip()

    names = []
    for official in doc["officials"]:
        assert set(official) <= {"name", "title", "alt_titles"}
        assert isinstance(official["name"], str) and official["name"].strip()
        assert isinstance(official["title"], str) and official["title"].strip()
        assert all(isinstance(t, str) and t.strip() for t in official.get("alt_titles", []))
        assert official["name"] in text, official["name"]
        names.append(bench.words(official["name"]))
    assert len({tuple(n) for n in names}) == len(names), "one entry per person"

    agencies = doc["agencies"]
    assert all(isinstance(a, str) and a.strip() for a in agencies)
    assert len({tuple(bench.words(a)) for a in agencies}) == len(agencies), "a set"

    for figure in doc["figures"]:
        assert set(figure) >= {"value", "text", "what", "when"}
        value = figure["value"]
        assert isinstance(value, int | float) and not isinstance(value, bool)
        assert math.isfinite(value)
        assert isinstance(figure["text"], str) and figure["text"] in text, figure["text"]
        assert isinstance(figure["what"], str) and figure["what"].strip()
        head = bench.head_of(figure)
        assert set(bench.words(head)) <= set(bench.words(figure["what"])), (head, figure)
        when = figure["when"]
        assert when is None or (isinstance(when, str) and when in text), when


# --------------------------------------------------------------------------- matching rules


def _mention(name: str, kind: str, title: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, kind=kind, title=title)


def _figure(value: float, what: str | None, when: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(value=value, text=str(value), what=what, when=when)


def test_name_and_title_rules() -> None:
    assert bench.name_match("Fernandez de Cossio", "Carlos Fernández de Cossío")
    assert bench.name_match("Blinken", "Antony Blinken")
    assert bench.name_match("James Kennedy", "James P. Kennedy Jr.")
    assert not bench.name_match("Joe Biden", "Hunter Biden")
    assert bench.title_match("U.S. Secretary of State", "Secretary of State")
    assert bench.title_match("principal deputy White House press secretary",
                             "Principal Deputy Press Secretary")
    assert bench.title_match("Senator", "Sen.")
    assert bench.title_match("Lieutenant Colonel", ["Lt Col", "Ukraine Specialist"])
    assert bench.title_match("Chief Executive Officer", "CEO")
    assert not bench.title_match("Secretary of Defense", "Secretary of State")
    assert not bench.title_match(None, "President")


def test_agency_and_figure_rules() -> None:
    assert bench.agency_match("US State Department", "U.S. Department of State")
    assert bench.agency_match("Customs and Border Protection", "U.S. Customs and Border Protection")
    assert not bench.agency_match("U.S.", "U.S. Department of State")
    assert not bench.agency_match("Department of Energy", "Department of Justice")
    gold = {"value": 16531, "text": "16,531", "what": "Cubans apprehended at the US-Mexico border",
            "head": "Cubans", "when": "February"}
    assert bench.what_match("Cubans", gold)
    assert bench.what_match("number of Cuban migrants apprehended at the border", gold)
    assert not bench.what_match("encounters", gold)
    assert not bench.what_match(None, gold)
    assert bench.value_match(16531.0, 16531) and not bench.value_match(16530, 16531)
    assert bench.when_match("in February", "February") and bench.when_match(None, None)
    assert not bench.when_match(None, "February")


def test_score_document_is_one_to_one() -> None:
    gold = {
        "officials": [{"name": "Joe Biden", "title": "President"},
                      {"name": "Antony Blinken", "title": "Secretary of State"}],
        "agencies": ["U.S. Department of State", "U.S. Customs and Border Protection"],
        "figures": [{"value": 2, "text": "two", "what": "sources", "when": None},
                    {"value": 2, "text": "two", "what": "videos", "when": None}],
    }
    tagged = SimpleNamespace(
        mentions=[_mention("Joe Biden", "official", None),
                  _mention("Joe Biden", "official", "President"),
                  _mention("Biden", "official", "President"),  # same gold person: extra
                  _mention("Antony Blinken", "official", "Deputy Foreign Minister"),
                  _mention("State Department", "agency"),
                  _mention("U.S. Department of State", "agency"),
                  _mention("Reuters", "organization")],
        figures=[_figure(2, "sources"), _figure(2, "sources"), _figure(5, "videos")],
    )
    scores = bench.score_document(gold, tagged)
    assert (scores["officials"]["tp"], scores["officials"]["fp"],
            scores["officials"]["fn"]) == (1, 2, 1)
    assert scores["officials_name"]["tp"] == 2
    assert (scores["agencies"]["tp"], scores["agencies"]["fp"],
            scores["agencies"]["fn"]) == (1, 1, 1)
    assert scores["figures_value"]["tp"] == 2
    assert (scores["figures"]["tp"], scores["figures"]["fp"], scores["figures"]["fn"]) == (1, 2, 1)
    assert bench.prf(1, 1, 1)["f1"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- the tagger


@pytest.fixture(scope="module")
def report(tagger):
    return bench.evaluate(tagger, bench.load_gold(GOLD))


def test_report_covers_every_document(report) -> None:
    assert [d["id"] for d in report["documents"]] == [p.stem for p in GOLD_FILES]
    for key in bench.CATEGORIES:
        assert 0.0 <= report[key]["f1"] <= 1.0


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_accuracy_floor(report, category: str) -> None:
    result = report[category]
    assert result["f1"] >= FLOORS[category], (
        f"{category}: F1 {result['f1']:.3f} < floor {FLOORS[category]} "
        f"(P {result['precision']:.3f}, R {result['recall']:.3f}); "
        "see `.venv/bin/python bench/accuracy.py --errors`")


def test_the_floors_never_fall_below_the_targets() -> None:
    """The issue's targets hold while the floors do: a floor lowered under its target (to let
    a regression through) fails here. (A separate target test could never fail while the floor
    test passed, so there is none.)"""
    assert all(FLOORS[category] >= target for category, target in TARGETS.items())


# Regression floors on the held-out sets: just under what the committed tagger measures. Their
# first measurements, before any of their errors were looked at, are in the README.
HELDOUT_FLOORS = {
    "heldout": {"officials": 0.95, "agencies": 0.95, "figures": 0.90},
    "heldout2": {"officials": 0.90, "agencies": 0.93, "figures": 0.85},
    "heldout3": {"officials": 0.95, "agencies": 0.88, "figures": 0.75},
    "heldout4": {"officials": 0.95, "agencies": 0.95, "figures": 0.65},
    "heldout5": {"officials": 0.75, "agencies": 0.80, "figures": 0.60},
}


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_heldout_floor(tagger, name: str) -> None:
    report = bench.evaluate(tagger, bench.load_gold(GOLD / name))
    low = {k: round(report[k]["f1"], 3) for k, floor in HELDOUT_FLOORS[name].items()
           if report[k]["f1"] < floor}
    assert not low, f"{name}: {low} under {HELDOUT_FLOORS[name]}"


def test_strict_what_needs_the_phrase_not_the_head_noun() -> None:
    gold = {"what": "Cubans returned by sea in March", "value": 6000}
    assert not bench.strict_what_match("Cubans", gold)  # the head alone: 1 of 4 words
    assert bench.strict_what_match("Cubans returned by sea", gold)  # 3 of 4
    assert bench.strict_what_match("Cuban migrants returned by sea", gold)  # plural-insensitive
    sentence = ("Cubans returned by sea in March after the Coast Guard stopped boats near "
                "the Florida Keys and handed them to Cuban border guards in Havana harbour")
    assert not bench.strict_what_match(sentence, gold)  # a sentence is no phrase
    assert not bench.strict_what_match(None, gold)
    assert {"figures", "figures_strict"} <= set(bench.CATEGORIES)  # the old number beside it
