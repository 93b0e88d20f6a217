"""`Assistant`: the one object users hold. Question in, cited `Answer` out.

Heavy parts (embedder, LLM, Chroma) load on first use, so constructing an Assistant is
instant and `import rag` stays light; `Assistant.load()` loads everything up front for
servers that should answer their first question without a pause.
"""

from __future__ import annotations

import logging
import re
from array import array
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from . import prompts
from .chunk import chunk_articles
from .cite import adds_nothing, cite, drop_invented_years, has_content, says_not_found, tidy_parentheses, ungrounded_numbers
from .context import Evidence, select_context
from .generate import FirstTokenProbe, GuardedGenerator
from .followup import clean_rewrite, history_messages, needs_rewrite, rewrite_messages
from .errors import EmptyQuestionError, IndexStoreError, InvalidQuestionError, RagError
from .ingest import load_articles
from .lang import detect_language
from .models import DEFAULT_EMBEDDER, REGISTRY, resolve_embedder, resolve_llm
from .retrieve import Passage, retrieve
from .settings import Settings
from .store import ArticleIndex, documents_of, utc_now
from .sync import plan_sync
from .types import Answer, IngestReport

log = logging.getLogger(__name__)

NO_ANSWER = "NO_ANSWER"  # what the prompt asks the model to say when the passages lack the answer
LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
# The prompt's closing line, per answer language. It ends the user message because a small
# model follows the last thing it read best (measured: English answer accuracy 0.33 with
# this in the system prompt, 0.67 here), and it is in English because the model echoed an
# Arabic instruction back as its answer.
ANSWER_INSTRUCTIONS = {
    "ar": "Answer in Arabic and cite the passage number.",
    "en": "Answer in English and cite the passage number. "
    "For a name, give it in English followed by the Arabic spelling from the passage in parentheses.",
}
# Worded as "not found", not "not there": a refusal also covers an answer the articles do
# hold but that retrieval or the small model missed (measured: 9 of the 31 refusals on the
# two held-out sets), and claiming the articles lack it would then be false.
REFUSALS = {
    "ar": "لم أجد إجابة عن هذا السؤال في المقالات المتاحة.",
    "en": "I could not find the answer to this question in the articles.",
}
SENTENCE_CACHE_SIZE = 20_000  # float32 arrays of 768: about 60 MB at most
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(question: str, max_chars: int) -> str:
    """The question as the pipeline should see it, or a clear error."""
    if not isinstance(question, str):
        raise InvalidQuestionError(f"the question must be text, not {type(question).__name__}.")
    # Lone surrogates (from broken clipboards or JSON) cannot be encoded: drop them.
    question = question.encode("utf-8", "ignore").decode("utf-8")
    question = unicodedata.normalize("NFC", _CONTROL.sub(" ", question)).strip()
    if not question:
        raise EmptyQuestionError("the question is empty: type a question about the articles.")
    if len(question) > max_chars:
        raise InvalidQuestionError(
            f"the question is {len(question)} characters long; the limit is {max_chars}. Please shorten it."
        )
    return question


def format_passages(evidence: list[Evidence] | list[str]) -> str:
    texts = [e if isinstance(e, str) else e.text for e in evidence]
    return "\n\n".join(f"[{i}] {t}" for i, t in enumerate(texts, start=1))


def answer_user_message(passages, question: str, language: str) -> dict[str, str]:
    content = prompts.render(
        "answer_user", passages=format_passages(passages), question=question, instruction=ANSWER_INSTRUCTIONS[language]
    )
    return {"role": "user", "content": content}


def example_turns() -> list[dict[str, str]]:
    """Worked examples (prompts/answer_examples.jsonl) as earlier chat turns.

    A 1.5B model copies a shown pattern far better than it follows a described one:
    an English answer that transliterates a name and keeps its Arabic spelling, a short
    Arabic answer, a refusal. The examples are invented, not from the articles. They sit
    right after the system prompt and never change, so llama.cpp keeps them in its KV
    cache: they cost prompt time once per process, not per question.
    """
    turns: list[dict[str, str]] = []
    for ex in prompts.examples("answer_examples"):
        answer = ex["answer"].replace("NO_ANSWER", NO_ANSWER)
        turns += [answer_user_message(ex["passages"], ex["question"], ex["language"]), {"role": "assistant", "content": answer}]
    return turns


class Assistant:
    """Answers questions about the indexed articles, citing the passages it used."""

    def __init__(self, settings: Settings | None = None, *, generator=None, embeddings=None, **overrides):
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        self.settings = settings
        self._generator = generator
        self._embeddings = embeddings
        self._index: ArticleIndex | None = None
        self._index_checked = False  # the manifest matched the settings once: no need to re-read it per question
        # Sentence vectors for picking the prompt's sentences: embedding them costs ~30 ms each
        # on CPU, and the same passages come back question after question.
        self._sentence_vectors: dict[str, array] = {}

    # --- named constructors -------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings | None = None, **overrides) -> "Assistant":
        """An Assistant with models and index loaded now (index built if missing)."""
        assistant = cls(settings, **overrides)
        assistant.ensure_index()
        assistant.index.store()  # loads the embedder and opens Chroma
        assistant.generator  # noqa: B018 - loading is the point
        return assistant

    @classmethod
    def from_index(cls, index_dir: str | Path, **overrides) -> "Assistant":
        """An Assistant over an index kept somewhere else than the default vectorstore/."""
        return cls(index_dir=Path(index_dir), **overrides)

    # --- the heavy parts, loaded on first use ---------------------------------------
    @property
    def embeddings(self):
        if self._embeddings is None:
            from .embed import SentenceTransformerEmbeddings

            self._embeddings = SentenceTransformerEmbeddings(resolve_embedder(self.settings))
        return self._embeddings

    @property
    def generator(self):
        if self._generator is None:
            from .generate import LlamaCppGenerator, OpenAICompatibleGenerator

            s = self.settings
            if s.llm_url:  # an LLM server (RAG_LLM_URL) instead of the in-process model
                self._generator = OpenAICompatibleGenerator(s.llm_url, model=s.llm_model, timeout=s.llm_timeout, seed=s.seed)
            else:
                self._generator = LlamaCppGenerator(resolve_llm(s), n_ctx=s.n_ctx, n_threads=s.n_threads, seed=s.seed)
        if not isinstance(self._generator, GuardedGenerator):
            # A model failing mid-answer becomes a GenerationError the UI and CLI can show.
            self._generator = GuardedGenerator(self._generator)
        return self._generator

    @property
    def index(self) -> ArticleIndex:
        if self._index is None:
            self._index = ArticleIndex(self.settings.index_dir, self.embeddings, self.settings.chroma_url)
        return self._index

    def _manifest_reader(self) -> ArticleIndex:
        """The index without its embedder: enough to read the manifest, loads no model."""
        return ArticleIndex(self.settings.index_dir, None, self.settings.chroma_url)

    @property
    def embedder_name(self) -> str:
        return self.settings.embedder or DEFAULT_EMBEDDER

    def _expected_manifest(self) -> dict:
        s = self.settings
        checksum = None if s.embedder else REGISTRY[DEFAULT_EMBEDDER].check_sha256
        return ArticleIndex.expected_manifest(self.embedder_name, checksum, s.chunk_size, s.chunk_overlap)

    # --- indexing -------------------------------------------------------------------
    def _stale_reason(self) -> str | None:
        """Why the index must be (re)built, or None; reads only the manifest, no model."""
        reader = self._manifest_reader()
        return reader.mismatch(self._expected_manifest(), reader.read_manifest())

    def ensure_index(self) -> None:
        """Build the index when it is missing or was made with other settings (checked once)."""
        if not self._index_checked:
            if self._stale_reason():
                self.ingest(rebuild=True)
            self._index_checked = True

    def documents(self) -> dict[str, dict]:
        """What is indexed: {doc_id: {title, path, chunks, ingested_at, ...}}."""
        return self._manifest_reader().documents()

    def ingest(self, paths=None, *, rebuild: bool = False, prune: bool = False, progress: bool = True) -> IngestReport:
        """Bring the index up to date with files and folders (default: settings.seeds_dir).

        New and changed files are embedded, unchanged ones skipped by content hash, files
        with text already indexed are recorded as duplicates, and with `prune` documents
        whose file is gone from the given folders are removed. An index built with other
        settings is rebuilt from every file it held, plus the given ones.
        """
        started = time.perf_counter()
        roots = [Path(p) for p in (paths or [self.settings.seeds_dir])]
        reader = self._manifest_reader()
        try:
            found = reader.read_manifest()
        except IndexStoreError:
            if not rebuild:
                raise
            found = None  # a rebuild is the cure for an unreadable manifest
        reason = reader.mismatch(self._expected_manifest(), found)
        held = documents_of(found)
        if reason and found is not None:
            log.warning("rebuilding the index in %s: %s", reader.location, reason)
        rebuild = rebuild or reason is not None
        if rebuild:
            roots += [Path(d["path"]) for d in held.values() if Path(d.get("path", "")).is_file()]
        indexed = {} if rebuild else held
        articles = load_articles(roots, self.settings.max_file_mb)
        if rebuild and not articles:
            raise RagError(f"no readable documents in {', '.join(map(str, roots))}: nothing to index.")
        plan = plan_sync(indexed, articles, roots, prune)
        if not plan.changes_index and not rebuild:
            return self._report(plan, indexed, started, rebuilt=False)
        s = self.settings
        chunks_by_doc = {a.doc_id: chunk_articles([a], s.chunk_size, s.chunk_overlap) for a in plan.add + plan.update}
        documents = {doc_id: info for doc_id, info in indexed.items() if doc_id not in plan.remove}
        now = utc_now()
        for a in plan.add + plan.update:
            documents[a.doc_id] = {
                "title": a.title, "path": str(a.path), "sha256": a.sha256,
                "chunks": len(chunks_by_doc[a.doc_id]), "ingested_at": now,
            }
        for path, holder in plan.duplicates.items():
            if holder in documents:
                dups = documents[holder].setdefault("duplicates", [])
                if path not in dups:
                    dups.append(path)
        from tqdm import tqdm

        total = sum(len(c) for c in chunks_by_doc.values())
        with tqdm(total=total, desc=f"embedding {len(chunks_by_doc)} documents", unit="chunk",
                  disable=None if progress else True) as bar:
            # Removing documents needs no embedder: load the model only when there is text to embed.
            index = self.index if chunks_by_doc else reader
            index.update(chunks_by_doc, plan.remove, documents, self._expected_manifest(),
                         rebuild=rebuild, progress=bar.update)
        self._index_checked = True
        return self._report(plan, documents, started, rebuilt=rebuild)

    @staticmethod
    def _report(plan, documents: dict, started: float, rebuilt: bool) -> IngestReport:
        return IngestReport(
            added=len(plan.add), updated=len(plan.update), removed=len(plan.remove), unchanged=len(plan.unchanged),
            duplicates=len(plan.duplicates), documents=len(documents),
            chunks=sum(d.get("chunks", 0) for d in documents.values()),
            seconds=round(time.perf_counter() - started, 2), rebuilt=rebuilt,
        )

    # --- answering ------------------------------------------------------------------
    def retrieve(self, question: str, k: int | None = None, *, vector: list[float] | None = None) -> list[Passage]:
        question = clean_question(question, self.settings.max_question_chars)
        self.ensure_index()
        return retrieve(self.index, question, k or self.settings.top_k, hybrid=self.settings.hybrid, vector=vector)

    def stream(self, question: str, history=None) -> Iterator[str | Answer]:
        """Yield the answer text piece by piece as it is generated, then the final `Answer`.

        `history`: earlier turns, as {"role", "content"} dicts or (user, assistant) pairs; a
        follow-up that refers back to them is rewritten into a standalone question first.
        The final Answer's text is authoritative: markers are cleaned there, and a refusal
        replaces whatever was streamed.
        """
        question = clean_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        turns = history_messages(history)
        if needs_rewrite(question, turns):
            question = self._standalone(question, turns)
        yield from self._answer_from(question, language, self._evidence(question))

    def _answer_from(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str | Answer]:
        """Stream the answer to a (standalone, cleaned) question from the given sentences.

        `stream` passes what retrieval and sentence selection chose; `rag eval --oracle`
        passes the sentences that hold the answer, to measure the model's reading alone.
        """
        if not evidence:
            # Nothing in the articles is even close: refusing here is both honest and instant.
            yield from self._refusal(language)
            return
        s = self.settings
        probe = FirstTokenProbe(NO_ANSWER, NO_ANSWER.capitalize())
        pieces: list[str] = []
        undecided = True  # text is held back while it could still be the NO_ANSWER sentinel
        stream = self.generator.stream_chat(
            self._messages(question, language, evidence), max_tokens=s.max_tokens, temperature=s.temperature, probe=probe
        )
        try:
            for piece in stream:
                if (probe.probability or 0.0) >= s.refuse_probability:
                    # The model itself leans towards "not in the passages": trust that, and stop now.
                    log.info("refusing: P(no answer) = %.2f", probe.probability)
                    yield from self._refusal(language)
                    return
                pieces.append(piece)
                if undecided:
                    so_far = "".join(pieces).lstrip()
                    if NO_ANSWER.startswith(so_far.upper()):
                        continue
                    undecided = False
                    yield so_far
                else:
                    yield piece
        finally:
            stream.close()  # releases the model's lock at once, also when we stop early
        shown = [e.text for e in evidence]
        raw = tidy_parentheses("".join(pieces).strip(), language, shown)
        sources = [*shown, question]
        raw = drop_invented_years(raw, sources)
        unfounded = ungrounded_numbers(raw, sources)
        log.info("raw answer %r; P(no answer) %.2f; ungrounded numbers %s", raw, probe.probability or 0.0, unfounded)
        if (
            NO_ANSWER in raw.upper() or says_not_found(raw) or not has_content(raw) or unfounded
            or adds_nothing(raw, question)
        ):
            # The model said the passages lack the answer (as NO_ANSWER or in a sentence),
            # produced nothing but markers, stated a number no passage gives (the commonest
            # hallucination of a small model), or only echoed the question back: none of
            # these is an answer from the articles.
            yield from self._refusal(language)
            return
        text, citations = cite(raw, [e.passage for e in evidence], shown, support=self._support, question=question)
        if not citations and language == detect_language(" ".join(shown)):
            # Same language as the passages, yet no passage shares its words: not from the
            # articles. (Across languages only the embedder can judge, and on a short answer
            # such as a transliterated name its similarity is too weak to refuse on.)
            log.info("refusing: no passage supports %r", text)
            yield from self._refusal(language)
            return
        yield Answer(text=text, refused=False, language=language, citations=citations)

    def ask(self, question: str, history=None) -> Answer:
        """Answer `question` from the articles, or refuse when they do not hold the answer."""
        answer = None
        for item in self.stream(question, history):
            answer = item
        assert isinstance(answer, Answer)  # stream() always ends with one
        return answer

    def _standalone(self, question: str, turns: list[dict[str, str]]) -> str:
        messages = rewrite_messages(question, turns, LANGUAGE_NAMES[detect_language(question)])
        reply = "".join(self.generator.stream_chat(messages, max_tokens=64, temperature=0.0))
        standalone = clean_rewrite(reply, question, turns)
        log.info("follow-up rewritten: %r -> %r", question, standalone)
        return standalone

    def _evidence(self, question: str) -> list[Evidence]:
        """The sentences the LLM will read, or [] when no passage is close enough to try."""
        self.ensure_index()
        vector = self.embeddings.embed_query(question)  # once: for retrieval and for picking sentences
        passages = self.retrieve(question, vector=vector)
        if not passages or max(p.score for p in passages) < self.settings.min_score:
            return []
        s = self.settings
        return select_context(
            question, vector, passages, self._embed_sentences, budget_chars=s.context_chars,
            max_passages=s.context_passages,
        )

    def _embed_sentences(self, texts: list[str]) -> list[array]:
        """Document vectors of passage sentences, from a bounded in-memory cache when seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._sentence_vectors))
        if missing:
            if len(self._sentence_vectors) + len(missing) > SENTENCE_CACHE_SIZE:
                self._sentence_vectors.clear()  # simple and bounded; refilled by the next questions
            vectors = self.embeddings.embed_documents(missing)
            self._sentence_vectors.update((t, array("f", v)) for t, v in zip(missing, vectors))
        return [self._sentence_vectors[t] for t in texts]

    def _support(self, sentences: list[str], shown: list[str]) -> list[list[float]]:
        """Dense similarity of each answer sentence to each shown passage text (for citation repair)."""
        answer_vecs = self.embeddings.embed_documents(list(sentences))
        passage_vecs = self._embed_sentences(list(shown))
        return [[sum(a * b for a, b in zip(av, pv)) for pv in passage_vecs] for av in answer_vecs]

    def _messages(self, question: str, language: str, evidence: list[Evidence]) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": prompts.render("answer_system", no_answer=NO_ANSWER)},
            *example_turns(),
            answer_user_message(evidence, question, language),
        ]

    @staticmethod
    def _refusal(language: str) -> Iterator[str | Answer]:
        text = REFUSALS[language]
        yield text
        yield Answer(text=text, refused=True, language=language, citations=[])

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
