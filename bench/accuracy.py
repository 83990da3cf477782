"""Accuracy of the tagger against the hand-annotated gold set in ``tests/gold/``.

    .venv/bin/python bench/accuracy.py [--gold DIR] [--model NAME] [--errors] [--json]

Runs :class:`monitor.tagging.tagger.Tagger` over the text of every gold document and prints, per
category, micro precision / recall / F1 over the whole set, the targets next to them, and
per-document counts; ``--errors`` adds every false positive and false negative. Conventions
of the gold set and of the matching are in ``tests/gold/README.md``.

Matching (one-to-one: each prediction matches at most one gold item and vice versa):

* officials: one prediction per distinct ``mention.name`` of kind ``official``, with the first
  non-null title seen for it. Names match when folded forms are equal or one ends with the
  other (a surname); titles match when, after folding and expanding abbreviations ("Sen.",
  "Rep.", "Lt"), one's words appear in order within the other's ("Secretary of State" and
  "U.S. Secretary of State"); a gold ``alt_titles`` entry counts as well. Honorifics,
  "Jr."/"Sr." and middle initials are left out of names. "name only" ignores titles;
* agencies: the set of ``mention.name`` of kind ``agency``; folded names equal, or rapidfuzz
  ``token_set_ratio`` >= 90;
* figures, strict ("strict: value + what", the number to quote): values equal (relative
  tolerance 1e-6) and the predicted ``what`` is the phrase a reader needs: it holds at least
  half of the gold ``what``'s content words (stop words aside, plural-insensitive) and is a
  phrase, not a sentence — at most max(8, 2 × gold + 2) content words. "+ when" adds the
  ``when``. A head noun alone ("Cubans" for "Cubans returned by sea in March") is no hit;
* figures, lenient (the yardstick of earlier sessions, kept beside the strict one for
  comparison, and the one the regression floors in tests/test_accuracy.py use): values equal
  and ``token_set_ratio`` of the folded phrases >= 80, or the gold head noun (``head``, else
  the last word of ``what``) is a word of the predicted ``what``.

``token_set_ratio`` scores 100 whenever one phrase's words are a subset of the other's, so a
shared word that says nothing ("of", "U.S.") does not count as a match on its own.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout: import this monitor
    sys.path.insert(0, str(ROOT))

from monitor.text import fold  # noqa: E402

GOLD_DIR = ROOT / "tests" / "gold"
TARGETS = {"officials": 0.90, "agencies": 0.90, "figures": 0.85}

# Words a fuzzy match may not rest on alone: they are in half the names of the set.
_WEAK = frozenset({
    "us", "uk", "un", "eu", "of", "the", "and", "for", "on", "in", "to", "at", "by", "a", "an",
    "de", "del", "la", "s", "per", "with", "from",
})
# Title words that say when or how much, not what the office is.
_TITLE_NOISE = frozenset({"the", "a", "an", "former", "then", "late", "top", "longtime"})
_ABBREVIATIONS = {
    "rep": "representative", "reps": "representatives", "sen": "senator", "gov": "governor",
    "lt": "lieutenant", "col": "colonel", "gen": "general", "maj": "major",
    "sgt": "sergeant", "capt": "captain", "cmdr": "commander", "adm": "admiral",
    "amb": "ambassador", "atty": "attorney", "asst": "assistant", "dep": "deputy",
    "dir": "director", "sec": "secretary", "secy": "secretary", "pres": "president",
    "supt": "superintendent", "insp": "inspector", "hon": "honourable",
}
# Left out when comparing names: honorifics, suffixes and middle initials ("James P. Kennedy
# Jr." ~ "James Kennedy").
_NAME_NOISE = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "hon", "jr", "sr", "ii", "iii"})
_POSSESSIVE = re.compile(r"['’]s\b")
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------- normalising


def words(text: str | None) -> list[str]:
    """Folded words, possessive 's dropped, "U.S."/"United States" made one word ``us``."""
    if not text:
        return []
    out: list[str] = []
    for word in _WORD.findall(_POSSESSIVE.sub("", fold(text))):
        if word == "s" and out and out[-1] == "u":  # "u.s." -> "u", "s"
            out[-1] = "us"
        elif word == "states" and out and out[-1] == "united":
            out[-1] = "us"
        else:
            out.append(word)
    return out


def _norm(text: str | None) -> str:
    return " ".join(words(text))


def _stem(word: str) -> str:
    """Plural-insensitive form for head nouns ("Cubans" ~ "Cuban", "counts" ~ "count")."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _in_order(short: Sequence[str], long: Sequence[str]) -> bool:
    """``short``'s words appear in ``long`` in the same order (gaps allowed)."""
    it = iter(long)
    return all(any(w == x for x in it) for w in short)


def fuzzy_match(a: str | None, b: str | None, threshold: float) -> bool:
    """rapidfuzz token_set_ratio >= threshold on the normalised phrases, provided the two share
    at least one word that is not a bare preposition or country code."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if not (set(wa) & set(wb)) - _WEAK:
        return False
    return fuzz.token_set_ratio(" ".join(wa), " ".join(wb)) >= threshold


# --------------------------------------------------------------------------- match rules


def name_match(pred: str | None, gold: str) -> bool:
    """Folded names equal, or one ends with the other on a word boundary (a surname)."""
    p = [w for w in words(pred) if w not in _NAME_NOISE and len(w) > 1]
    g = [w for w in words(gold) if w not in _NAME_NOISE and len(w) > 1]
    if not p or not g:
        return False
    shorter, longer = sorted((p, g), key=len)
    return longer[len(longer) - len(shorter):] == shorter


# Acronyms of titles, spelled out: "CEO" and "Chief Executive Officer" are the same title.
_ACRONYMS = {
    "ceo": "chief executive officer", "cfo": "chief financial officer",
    "coo": "chief operating officer", "cto": "chief technology officer",
    "cio": "chief information officer",
}


def _title_words(title: str | None) -> list[str]:
    out: list[str] = []
    for w in words(title):
        if w not in _TITLE_NOISE:
            out += _ACRONYMS.get(w, _ABBREVIATIONS.get(w, w)).split()
    return out


def title_match(pred: str | None, gold: str | Iterable[str]) -> bool:
    """One title's words appear, in order, within the other's; ``gold`` may be several."""
    p = _title_words(pred)
    if not p:
        return False
    for option in [gold] if isinstance(gold, str) else gold:
        g = _title_words(option)
        if g and (_in_order(p, g) or _in_order(g, p)):
            return True
    return False


def gold_titles(official: dict[str, Any]) -> list[str]:
    return [official["title"], *official.get("alt_titles", [])]


def agency_match(pred: str, gold: str) -> bool:
    return _norm(pred) == _norm(gold) or fuzzy_match(pred, gold, 90)


def head_of(figure: dict[str, Any]) -> str:
    return figure.get("head") or figure["what"].split()[-1]


def value_match(pred: float | None, gold: float) -> bool:
    if pred is None:
        return False
    return math.isclose(float(pred), float(gold), rel_tol=1e-6, abs_tol=1e-12)


def what_match(pred: str | None, gold: dict[str, Any]) -> bool:
    if not pred:
        return False
    if fuzzy_match(pred, gold["what"], 80):
        return True
    head = [_stem(w) for w in words(head_of(gold))]
    have = {_stem(w) for w in words(pred)}
    return bool(head) and all(w in have for w in head)


#: Words that say nothing of what a figure counts: a strict ``what`` is judged without them.
STOP_WORDS = frozenset("""
a an the of in on at to for from by with and or but nor as than that which who whom whose
this these those its it their them they his her our your my be is are was were been being
has have had do does did will would can could may might some such there about into over per
he she we you i
s all any each more most other""".split())


def content_words(text: str | None) -> list[str]:
    """The folded, plural-insensitive content words of a phrase."""
    return [_stem(w) for w in words(text) if w not in STOP_WORDS]


def strict_what_match(pred: str | None, gold: dict[str, Any]) -> bool:
    """At least half of the gold ``what``'s content words, in a phrase of at most
    max(8, 2 × gold + 2) content words."""
    want = set(content_words(gold["what"]))
    have = content_words(pred)
    if not want or not have:
        return not want and not have
    if len(have) > max(8, 2 * len(want) + 2):
        return False
    return 2 * len(want & set(have)) >= len(want)


def when_match(pred: str | None, gold: str | None) -> bool:
    if not gold or not pred:
        return not gold and not pred
    p, g = _norm(pred), _norm(gold)
    return p == g or f" {p} " in f" {g} " or f" {g} " in f" {p} " or fuzzy_match(p, g, 80)


# --------------------------------------------------------------------------- scoring


def match(preds: Sequence[Any], golds: Sequence[Any],
          ok: Callable[[Any, Any], bool]) -> list[tuple[int, int]]:
    """Maximum one-to-one matching (Kuhn's augmenting paths) of preds to golds under ``ok``;
    returns (pred index, gold index) pairs."""
    edges = [[g for g, gold in enumerate(golds) if ok(pred, gold)] for pred in preds]
    owner: dict[int, int] = {}  # gold index -> pred index

    def augment(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = p
                return True
        return False

    for p in range(len(preds)):
        augment(p, set())
    return sorted((p, g) for g, p in owner.items())


def _counts(preds: Sequence[Any], golds: Sequence[Any], ok: Callable[[Any, Any], bool],
            show_pred: Callable[[Any], str], show_gold: Callable[[Any], str]) -> dict[str, Any]:
    pairs = match(preds, golds, ok)
    hit_p = {p for p, _ in pairs}
    hit_g = {g for _, g in pairs}
    return {
        "tp": len(pairs), "fp": len(preds) - len(pairs), "fn": len(golds) - len(pairs),
        "false_positives": [show_pred(x) for i, x in enumerate(preds) if i not in hit_p],
        "false_negatives": [show_gold(x) for i, x in enumerate(golds) if i not in hit_g],
    }


def predicted_officials(tagged: Any) -> list[dict[str, Any]]:
    """One prediction per distinct name of kind ``official``: its first non-null title."""
    titles: dict[str, str | None] = {}
    for mention in tagged.mentions:
        if mention.kind != "official":
            continue
        if titles.get(mention.name) is None:
            titles[mention.name] = mention.title
    return [{"name": name, "title": title} for name, title in titles.items()]


def predicted_agencies(tagged: Any) -> list[str]:
    return list(dict.fromkeys(m.name for m in tagged.mentions if m.kind == "agency"))


def _show_official(o: dict[str, Any]) -> str:
    return f"{o['name']} ({o.get('title')})"


def _show_figure(f: Any) -> str:
    if isinstance(f, dict):
        value, text, what, when = f["value"], f["text"], f["what"], f.get("when")
    else:
        value, text, what, when = f.value, f.text, f.what, f.when
    shown = "None" if value is None else f"{value:g}"
    return f"{shown} [{text}] what={what!r} when={when!r}"


def score_document(gold: dict[str, Any], tagged: Any) -> dict[str, dict[str, Any]]:
    """tp/fp/fn (and the unmatched items) of one tagged text against its gold annotation."""
    officials = predicted_officials(tagged)
    agencies = predicted_agencies(tagged)
    figures = list(tagged.figures)
    g_off, g_fig = gold["officials"], gold["figures"]

    def figure_ok(level: int, strict: bool = False) -> Callable[[Any, dict[str, Any]], bool]:
        what_ok = strict_what_match if strict else what_match

        def ok(p: Any, g: dict[str, Any]) -> bool:
            return (value_match(p.value, g["value"])
                    and (level < 1 or what_ok(p.what, g))
                    and (level < 2 or when_match(p.when, g.get("when"))))
        return ok

    return {
        "officials": _counts(
            officials, g_off,
            lambda p, g: name_match(p["name"], g["name"]) and title_match(p["title"],
                                                                          gold_titles(g)),
            _show_official, _show_official),
        "officials_name": _counts(officials, g_off, lambda p, g: name_match(p["name"], g["name"]),
                                  _show_official, _show_official),
        "agencies": _counts(agencies, gold["agencies"], agency_match, str, str),
        "figures_value": _counts(figures, g_fig, figure_ok(0), _show_figure, _show_figure),
        "figures": _counts(figures, g_fig, figure_ok(1), _show_figure, _show_figure),
        "figures_when": _counts(figures, g_fig, figure_ok(2), _show_figure, _show_figure),
        "figures_strict": _counts(figures, g_fig, figure_ok(1, strict=True), _show_figure,
                                  _show_figure),
        "figures_strict_when": _counts(figures, g_fig, figure_ok(2, strict=True),
                                       _show_figure, _show_figure),
    }


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


CATEGORIES = {
    "officials": "officials (name + title)",
    "officials_name": "officials (name only)",
    "agencies": "agencies",
    "figures_value": "figures (value only)",
    "figures_strict": "figures strict (value + what)",
    "figures_strict_when": "figures strict (+ when)",
    "figures": "figures lenient (value + what)",
    "figures_when": "figures lenient (+ when)",
}


def load_gold(directory: Path = GOLD_DIR) -> list[dict[str, Any]]:
    """Every ``*.json`` document of the gold set, sorted by file name; files whose name
    starts with "_" are an annotator's working files, not documents."""
    return [json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(Path(directory).glob("*.json")) if not path.name.startswith("_")]


def evaluate(tagger: Any, docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Tag every gold text with ``tagger`` and score it: micro P/R/F1 per category (keys of
    :data:`CATEGORIES`) plus ``documents``, the per-document counts and errors."""
    tagged_all = list(tagger.tag([(doc["text"], "en") for doc in docs]))
    per_doc = [{"id": doc["id"], **score_document(doc, tagged)}
               for doc, tagged in zip(docs, tagged_all, strict=True)]
    report: dict[str, Any] = {}
    for key in CATEGORIES:
        report[key] = prf(*(sum(d[key][c] for d in per_doc) for c in ("tp", "fp", "fn")))
    report["documents"] = per_doc
    report["targets"] = dict(TARGETS)
    return report


# --------------------------------------------------------------------------- printing


def format_report(report: dict[str, Any], errors: bool = False) -> str:
    lines = [f"{'category':<32}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}  target"]
    for key, label in CATEGORIES.items():
        r = report[key]
        target = TARGETS.get(key)
        mark = ""
        if target is not None:
            mark = f"F1 >= {target:.2f} " + ("ok" if r["f1"] >= target else "BELOW")
        lines.append(f"{label:<32}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}"
                     f"{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}  {mark}")
    lines += ["", "per document (tp/gold/predicted; figures = value + what, strict)",
              f"{'document':<32}{'officials':>12}{'agencies':>12}{'figures':>12}"]
    for d in report["documents"]:
        cells = []
        for key in ("officials", "agencies", "figures_strict"):
            c = d[key]
            cells.append(f"{c['tp']}/{c['tp'] + c['fn']}/{c['tp'] + c['fp']}")
        lines.append(f"{d['id']:<32}" + "".join(f"{c:>12}" for c in cells))
    if errors:
        for d in report["documents"]:
            block = []
            for key in ("officials", "agencies", "figures_strict"):
                for tag, field in (("FP", "false_positives"), ("FN", "false_negatives")):
                    block += [f"  {key:<10}{tag}  {item}" for item in d[key][field]]
            if block:
                lines += ["", f"== {d['id']}", *block]
    return "\n".join(lines)


def format_sets(tagger: Any, folder: Path) -> str:
    """One line per set: ``folder`` (the tuned set) and each sub-folder holding gold files."""
    sets = [folder, *sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.json")))]
    keys = ("officials", "agencies", "figures_value", "figures_strict", "figures_strict_when",
            "figures")
    heads = ("officials", "agencies", "fig value", "fig strict", "+ when", "lenient")
    lines = [f"F1 {'set':<9}{'docs':>5}" + "".join(f"{h:>11}" for h in heads)]
    for path in sets:
        docs = load_gold(path)
        report = evaluate(tagger, docs)
        name = "tuned" if path == folder else path.name
        lines.append(f"   {name:<9}{len(docs):>5}" + "".join(
            f"{report[k]['f1']:>11.3f}" for k in keys))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="folder of gold *.json")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the tagger's)")
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--sets", action="store_true",
                        help="F1 of every set: the tuned set and each held-out folder in it "
                             "(fig strict = value + what, strict; + when = strict + when; "
                             "lenient = value + what by the earlier head-noun yardstick)")
    args = parser.parse_args(argv)

    from monitor.tagging.tagger import Tagger

    tagger = Tagger(args.model) if args.model else Tagger()
    if args.sets:
        print(format_sets(tagger, args.gold))
        return 0
    docs = load_gold(args.gold)
    report = evaluate(tagger, docs)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    n_off = sum(len(d["officials"]) for d in docs)
    n_age = sum(len(d["agencies"]) for d in docs)
    n_fig = sum(len(d["figures"]) for d in docs)
    print(f"gold: {len(docs)} documents, {n_off} officials, {n_age} agencies, {n_fig} figures"
          f" ({args.gold}); model: {tagger.model}")
    print(format_report(report, errors=args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
