"""`Pipeline`: one object that answers questions over one index, in named stages.

ask() = validate -> condense (a follow-up made a standalone question) -> analyze (answer type,
focus, speaker) -> retrieve (hybrid) -> select (sentences) -> score (the answer scorer reads the
best candidates) -> answer (extractive by default: answered, tentative or refused by calibrated
confidence). The stages with a model or a choice are objects with the typed interfaces of `qa.stages`,
injected (`Pipeline(condenser=…, retriever=…, scorer=…, answerer=…)`) or made from the settings; the
pipeline calls each in turn and no stage calls another.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ingest.corpus import Para
from ingest.errors import IndexChangedError, IndexMismatchError, IndexNotFoundError
from ingest.reader import IndexReader, Snapshot
from qa.analyze import analyze
from qa.answer import Answer, Evidence, Retrieved
from qa.condense import Standalone, clarification
from qa.corroborate import corroborate
from qa.errors import IndexOutdatedError
from qa.retrieve import HybridRetriever
from qa.score import load_scorer
from qa.stages import Answerer, Condenser, Retriever, Scorer
from qa.select import boilerplate_hits, rank, score_sentences
from qa.settings import Settings
from qa.timeline import timeline, topic as timeline_topic
from qa.validate import clean_history, clean_question

log = logging.getLogger("articles_qa")
REPORTED_HITS = 10  # paragraphs listed in Answer.retrieved (for hit@k up to 10); answers use top_k


class Pipeline:
    def __init__(self, settings: Settings | None = None, *, index_dir: str | Path | None = None,
                 embedder=None, condenser: Condenser | None = None, retriever: Retriever | None = None,
                 scorer: Scorer | None = None, answerer: Answerer | None = None, build_if_missing: bool = True):
        """Stages left out are made from the settings (`qa.stages`). A `retriever` given is used for every
        question as it is (its own corpus; the index folder is neither built nor followed); without one,
        each question reads the newest commit of `settings.index_dir` through a `HybridRetriever`."""
        self.settings = (settings or Settings.from_env()).replace(index_dir=index_dir)
        self.reader = IndexReader(self.settings)
        self.store = self.reader.store
        self._embedder = embedder
        from qa.generate import make_answerer, make_condenser

        self.answerer: Answerer = answerer if answerer is not None else make_answerer(self.settings,
                                                                                      lambda: self.embedder)
        self.condenser: Condenser = condenser if condenser is not None else make_condenser(self.settings, self.answerer)
        self._fixed_retriever = retriever
        self._scorer = scorer
        self.build_if_missing = build_if_missing
        self._lock = threading.Lock()
        self._retrievers: dict[str, HybridRetriever] = {}  # commit -> its retriever

    @property
    def embedder(self):
        if self._embedder is None:
            from ingest.embedding import load_embedder

            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def scorer(self) -> Scorer:
        """The answer scorer the settings name, loaded on first use (`qa.score`)."""
        if self._scorer is None:
            self._scorer = load_scorer(self.settings.scorer, embedder=self.embedder)
        return self._scorer

    def load(self) -> Retriever:
        """The retriever over the newest committed index (the index is built first if missing or outdated).
        It stays usable after a newer commit; questions use `self.reader.use()` to follow commits.
        The default articles folder is created first (the user's, with the demo articles), so a page that
        saves an upload before any ingest saves it beside them (issue 28)."""
        if self._fixed_retriever is not None:
            return self._fixed_retriever
        from ingest import userfolder

        userfolder.prepare(self.settings.data_dir)
        return self._retriever(self._open())

    def _open(self, *, force: bool = False) -> Snapshot:
        """The newest snapshot, re-indexed first if missing, built with another embedder or version."""
        with self._lock:
            try:
                snapshot = self.reader.refresh(force=True) if force else self.reader.current()
                if snapshot.corpus.model == self.settings.embedder_id:
                    return snapshot
                raise IndexMismatchError(
                    f"the index at {self.store.dir} was built with {snapshot.corpus.model!r}, not "
                    f"{self.settings.embedder_id!r}; ask with the settings it was built with, or re-index it "
                    f"with `python -m ingest --index {self.store.dir}`")
            except (IndexNotFoundError, IndexOutdatedError) as e:
                if not self.build_if_missing or isinstance(e, IndexMismatchError):  # never rebuild others' index
                    raise
                log.warning("%s; building it", str(e).split("; ")[0])
            self._build()
            return self.reader.refresh(force=True)

    @contextlib.contextmanager
    def _use(self) -> Iterator[Retriever]:
        """The newest commit's retriever, its snapshot kept open for the whole question (the retriever
        given to the pipeline, if one was)."""
        if self._fixed_retriever is not None:
            yield self._fixed_retriever
            return
        self._open()
        with self.reader.use() as snapshot:
            yield self._retriever(snapshot)

    def _retriever(self, snapshot: Snapshot) -> HybridRetriever:
        retriever = self._retrievers.get(snapshot.commit)
        if retriever is None or retriever.snapshot is not snapshot:
            retriever = HybridRetriever(snapshot, self.embedder, dense_weight=self.settings.retrieval.dense_weight)
            self._retrievers = {snapshot.commit: retriever}  # the one current commit's
        return retriever

    def _build(self) -> None:
        from ingest import ingest

        ingest(settings=self.settings, embedder=self._embedder)

    def articles(self) -> dict[str, dict]:
        """The committed articles: file -> {headline, published, paragraphs, indexed_at, ...}."""
        with self._use() as retriever:
            return dict(retriever.corpus.files)

    def article(self, file: str) -> list[Para]:
        """One committed article's paragraphs in file order, boilerplate included (flagged)."""
        with self._use() as retriever:
            return retriever.corpus.article(file)

    def reindex(self):
        """Index the articles folder as it is now (`ingest.ingest`); this process follows the new commit
        at once (other processes within `refresh_seconds`)."""
        from ingest import ingest

        report = ingest(settings=self.settings, embedder=self.embedder, progress=False)
        self._open(force=True)
        return report

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        *_, final = self.ask_stream(question, history)
        return final

    def ask_stream(self, question: str, history: list[dict] | None = None) -> Iterator[Answer]:
        """Like ask(), yielding the answer as it grows; the last one yielded is the final answer.

        An answerer with `answer_stream` (an LLM) yields checked sentences as they are written;
        others yield once. Errors in the question are raised before anything is yielded.
        The whole question reads one commit; if newer commits removed it before anything was
        yielded, it is asked once more on the newest.
        """
        for attempt in (1, 2):
            yielded = False
            with contextlib.ExitStack() as uses:
                try:
                    for answer in self._ask_stream(question, history, uses):
                        yielded = True
                        yield answer
                    return
                except IndexChangedError:
                    if yielded or attempt == 2:
                        raise
                    log.info("the index changed during a question; asking again on the newest commit")
            self._open(force=True)

    def _ask_stream(self, question: str, history: list[dict] | None, uses: contextlib.ExitStack) -> Iterator[Answer]:
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 2)
            clock = now

        question = clean_question(question, max_chars=self.settings.max_question_chars)
        messages = clean_history(history)
        retriever = uses.enter_context(self._use())
        lap("load")
        resolved = self.condenser.condense(question, messages, corpus=retriever.corpus)
        if resolved.clarify:  # nobody in the chat fits "he"/"she": ask back instead of guessing
            lap("condense")
            yield clarification(resolved, question, timings)
            return
        about = timeline_topic(resolved.question)
        if about is not None:  # "Timeline of the talks": dated quotes in event order (qa.timeline)
            lap("condense")
            answer = timeline(retriever.corpus, retriever, about)
            lap("timeline")
            timings["total"] = round(sum(timings.values()), 2)
            yield dataclasses.replace(answer, question=question, query=resolved.query, timings_ms=timings)
            return
        evidence = self._evidence(retriever, question, messages, resolved, lap)
        corpus, retrieval, query = evidence.corpus, evidence.retrieval, evidence.query
        retrieved = [
            Retrieved(corpus.paras[h.para].file, corpus.paras[h.para].number,
                      round(h.score, 4), round(h.dense, 4), round(h.lexical, 4))
            for h in retrieval.hits
        ]
        answer = None
        for answer in self.answerer.answer_stream(evidence):
            yield dataclasses.replace(answer, question=question, query=query, retrieved=retrieved)
        lap("answer")
        if self.settings.corroborate and answer.tier == "answered":
            found = corroborate(evidence, answer, self.scorer)  # who else reports it, who differs (qa.corroborate)
            answer = dataclasses.replace(answer, corroboration=found.corroboration, disagreements=found.disagreements,
                                         other_values=found.other_values)
            lap("corroborate")
        timings["total"] = round(sum(timings.values()), 2)
        yield dataclasses.replace(answer, question=question, query=query, retrieved=retrieved, timings_ms=timings)

    def evidence(self, question: str, history: list[dict] | None = None) -> Evidence:
        """What the answerer would read for `question`: retrieval and the sentences ranked by the scorer
        (for evaluation and training; the index must not change while it is read)."""
        question = clean_question(question, max_chars=self.settings.max_question_chars)
        messages = clean_history(history)
        with self._use() as retriever:
            resolved = self.condenser.condense(question, messages, corpus=retriever.corpus)
            return self._evidence(retriever, question, messages, resolved, lambda stage: None)

    def _evidence(self, retriever: Retriever, question: str, messages: list[dict], resolved: Standalone,
                  lap) -> Evidence:
        """analyze -> retrieve -> select -> score the standalone question; `lap(stage)` times each."""
        corpus = retriever.corpus
        query = resolved.query
        analysis = analyze(resolved.question)
        lap("condense")
        retrieval = boilerplate_hits(corpus, analysis,
                                     retriever.retrieve(query, k=max(self.settings.top_k, REPORTED_HITS)),
                                     similarity=lambda texts: _cosines(self.embedder, query, texts),
                                     dense_weight=self.settings.retrieval.dense_weight)
        lap("retrieve")
        sentences = score_sentences(corpus, retrieval.top(self.settings.top_k), resolved.weights, analysis,
                                    self.settings.selection)
        lap("select")
        sentences = rank(sentences, self.scorer, resolved.question, corpus, n=self.settings.scored_candidates)
        lap("score")
        return Evidence(question, query, messages, retrieval, sentences, corpus, analysis,
                        excluded=resolved.excluded, answered=resolved.answered, continues=resolved.continues)


def _cosines(embedder, query: str, texts: list[str]) -> list[float]:
    q = np.asarray(embedder.get_query_embedding(query), dtype=np.float32)
    v = np.asarray(embedder.get_text_embedding_batch(texts), dtype=np.float32)
    return (v @ q / (np.linalg.norm(v, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-9)).tolist()


_pipelines: dict[tuple, Pipeline] = {}
_pipelines_lock = threading.Lock()


def get_pipeline(index_dir: str | Path | None = None, settings: Settings | None = None) -> Pipeline:
    """One shared pipeline per (settings, index folder), so warm calls skip loading."""
    settings = (settings or Settings.from_env()).replace(index_dir=index_dir)
    key = (settings, str(Path(settings.index_dir).resolve()))
    with _pipelines_lock:
        if key not in _pipelines:
            _pipelines[key] = Pipeline(settings)
        return _pipelines[key]


def ask(question: str, *, history: list[dict] | None = None, index_dir: str | Path | None = None) -> Answer:
    """Answer `question` from the articles, with citations to file and paragraph.

    `history` is the chat so far as messages (`{"role": "user"|"assistant", "content": str}`);
    follow-ups are read in its light. With no index yet, the first call builds one from
    the articles folder (see `Settings`).
    """
    return get_pipeline(index_dir).ask(question, history)

