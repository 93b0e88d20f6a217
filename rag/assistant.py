"""`Assistant`: the one object users hold. Question in, cited `Answer` out.

A thin facade over two pipelines: `Indexer` (read -> chunk -> sync -> store) and
`Answerer` (retrieve -> select -> prompt -> generate -> guard -> cite). Heavy parts
(embedder, LLM, Chroma) load on first use, so constructing an Assistant is instant and
`import rag` stays light; `Assistant.load()` loads everything up front for servers that
should answer their first question without a pause.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .answering.pipeline import Answerer
from .answering.retrieve import Passage
from .answering.scope import Scope
from .indexing.pipeline import Indexer
from .settings import Settings
from .types import Answer, IngestReport, Stage


class Assistant:
    """Answers questions about the indexed articles, citing the passages it used.

    `llm` and `embeddings` replace the backends the settings would choose (any object with
    the `rag.llm.LLM` interface, any LangChain `Embeddings`); `generator` is the old name of `llm`.
    """

    def __init__(self, settings: Settings | None = None, *, llm=None, embeddings=None, generator=None, **overrides):
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        self.settings = settings
        self._llm = llm if llm is not None else generator
        self._embeddings = embeddings
        self.indexer = Indexer(settings, lambda: self.embeddings)
        self._answerer: Answerer | None = None

    # --- named constructors -------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings | None = None, **overrides) -> "Assistant":
        """An Assistant with models and index loaded now (index built if missing).

        The LLM loads in a second thread while the embedder and Chroma load in this one:
        llama.cpp's loading (2.3 s with its openings) runs in C without the GIL, so it
        overlaps the embedder and index (2.0 s); a warm start is 3.7-4.5 s
        (docs/performance.md).
        """
        return cls(settings, **overrides).preload()

    def preload(self) -> "Assistant":
        """Load the models and open the index now (see `load`); returns self."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-load-llm") as pool:
            llm = pool.submit(lambda: self.llm)
            self.ensure_index()
            self.indexer.index.store()  # loads the embedder and opens Chroma
            llm.result()  # raises here what loading the model raised
        return self

    @classmethod
    def from_index(cls, index_dir: str | Path, **overrides) -> "Assistant":
        """An Assistant over an index kept somewhere else than the default vectorstore/."""
        return cls(index_dir=Path(index_dir), **overrides)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Assistant":
        """An Assistant configured by a `Settings` object (e.g. one read from another environment)."""
        return cls(settings)

    # --- the heavy parts, loaded on first use ---------------------------------------
    @property
    def embeddings(self):
        if self._embeddings is None:
            from .embedder import load_embeddings

            self._embeddings = load_embeddings(self.settings)
        return self._embeddings

    @property
    def llm(self):
        """The language model backend (`rag.llm.LLM`), its failures turned into `GenerationError`.

        On first use the prompt's fixed openings are read ahead (or restored from the model
        cache), so the first question costs what a later one does.
        """
        from .answering.pipeline import openings
        from .llm import GuardedLLM, make_llm

        if self._llm is None or not isinstance(self._llm, GuardedLLM):
            self._llm = make_llm(self.settings) if self._llm is None else GuardedLLM(self._llm)
            self._llm.prepare(openings(self.settings.answer_mode, self.settings.kind_fallback), self.settings.models_dir / "prompt-states")
        return self._llm

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            self._answerer = Answerer(self.settings, self.indexer, self.embeddings, lambda: self.llm)
        return self._answerer

    @property
    def embedder_name(self) -> str:
        return self.indexer.embedder_name

    # --- indexing -------------------------------------------------------------------
    def ensure_index(self) -> None:
        """Build the index when it is missing or was made with other settings (checked once)."""
        self.indexer.ensure_index()

    def documents(self) -> dict[str, dict]:
        """What is indexed: {doc_id: {title, path, chunks, ingested_at, ...}}."""
        return self.indexer.documents()

    def ingest(self, paths=None, *, rebuild: bool = False, prune: bool = False, progress: bool = True) -> IngestReport:
        """Bring the index up to date with files and folders (default: settings.seeds_dir); see `Indexer.ingest`."""
        return self.indexer.ingest(paths, rebuild=rebuild, prune=prune, progress=progress)

    def remove(self, doc_ids) -> IngestReport:
        """Take articles out of the index by doc_id (a str or a list); their files stay where they are."""
        return self.indexer.remove([doc_ids] if isinstance(doc_ids, str) else list(doc_ids))

    def article(self, doc_id: str) -> list[str]:
        """One indexed article as its passages in reading order (what a citation's preview shows)."""
        return [text for _, text in self.indexer.index.article(doc_id)]

    # --- answering ------------------------------------------------------------------
    def retrieve(
        self, question: str, k: int | None = None, *, vector: list[float] | None = None,
        since=None, until=None, sources=None,
    ) -> list[Passage]:
        """The k best distinct passages for the question (hybrid dense + keyword), best first."""
        return self.answerer.retrieve(question, k, vector=vector, scope=Scope.of(since, until, sources))

    def as_retriever(self, k: int | None = None, *, since=None, until=None, sources=None):
        """This hybrid search as a LangChain `BaseRetriever` (rag.retriever.NewsRetriever) of `k` passages."""
        from .retriever import NewsRetriever

        return NewsRetriever(assistant=self, k=k or self.settings.top_k, since=since, until=until,
                             sources=list(sources) if sources else None)

    def stream(self, question: str, history=None, *, since=None, until=None, sources=None,
               stages: bool = False) -> Iterator[str | Stage | Answer]:
        """Yield the answer text piece by piece as it is generated, then the final `Answer`.

        `history`: earlier turns, as {"role", "content"} dicts or (user, assistant) pairs; a
        follow-up that refers back to them is rewritten into a standalone question first.
        The final Answer's text is authoritative: markers are cleaned there, and a refusal
        replaces whatever was streamed. An English answer over Arabic articles first streams its
        verbatim Arabic quote, ending " …", while its English is written (issue 32); the final
        Answer's text then replaces it, so join the pieces only for display as they come.

        `since`, `until` (dates, or 'YYYY-MM-DD', inclusive) and `sources` (publisher names, as
        `documents()` lists them) limit the articles the answer may come from.

        `stages=True` also yields a `Stage` before each step (searching, reading n passages, writing, quoting),
        for a reader to see what happens before the first words. After a "writing" stage the pieces are a
        draft that may still be withdrawn: the page shows the stage, not them, until the final Answer.
        """
        yield from self.answerer.stream(question, history, Scope.of(since, until, sources), stages=stages)

    def ask(self, question: str, history=None, *, since=None, until=None, sources=None) -> Answer:
        """Answer `question` from the articles, or refuse when they do not hold the answer.

        `since`/`until`/`sources`: see `stream`.
        """
        answer = None
        for item in self.stream(question, history, since=since, until=until, sources=sources):
            answer = item
        assert isinstance(answer, Answer)  # stream() always ends with one
        return answer

    def close(self) -> None:
        self.indexer.close()
