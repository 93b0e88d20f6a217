"""The `rag` command: ask, ingest, models, serve.

Every failure a user can cause or fix (empty question, missing model, damaged index)
ends with one line on stderr saying what to do and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from .errors import RagError
from .settings import Settings

CHECKOUT_QUESTIONS = Path("tests") / "data" / "questions.jsonl"  # the tuning set, under RAG_HOME in a checkout


def default_questions(settings: Settings) -> Path:
    """The question file `rag eval` uses without --questions, or an error saying to give one."""
    if settings.eval_questions:
        return Path(settings.eval_questions)
    candidate = Path(settings.home) / CHECKOUT_QUESTIONS
    if candidate.is_file():
        return candidate
    raise RagError(
        "no question set given: pass --questions FILE (JSONL: id, question, lang, answers, evidence) "
        "or set RAG_EVAL_QUESTIONS."
    )


def _cmd_ask(args: argparse.Namespace) -> int:
    from .answering.question import clean_question
    from .answering.scope import Scope
    from .assistant import Assistant

    settings = Settings()
    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading models
    scope = Scope.of(args.since, args.until, args.source)  # a bad date fails here too
    limits = {"since": scope.since, "until": scope.until, "sources": scope.sources}
    assistant = Assistant(settings)
    if args.json:
        print(json.dumps(assistant.ask(args.question, **limits).to_dict(), ensure_ascii=False, indent=2))
        return 0
    # On a terminal the answer streams as it is generated; piped, only the final text is printed.
    live = sys.stdout.isatty()
    streamed, answer = "", None
    for item in assistant.stream(args.question, **limits):
        if isinstance(item, str):
            streamed += item
            if live:
                print(item, end="", flush=True)
        else:
            answer = item
    if live:
        print()
    if not live or (streamed.strip() != answer.text and (answer.status != "answered" or answer.quotes
                                                        or streamed.rstrip().endswith("…"))):
        # A quoted answer streams its quotes and gains its lead at the end: shown whole, as the other cases.
        # A refusal, an unsure answer or an English answer after its Arabic quote replaces what streamed: say it in full.
        print(answer.text)
    if answer.refused:
        print(f"  (refused: {answer.reason})", file=sys.stderr)
    elif answer.status == "unsure":
        score = "" if answer.confidence is None else f"; confidence {answer.confidence:.2f}"  # a quoted answer has none
        print(f"  (unsure: {answer.reason}{score})", file=sys.stderr)
        if answer.sentence and answer.sentence not in answer.text:
            print(f"  sentence: {answer.sentence}", file=sys.stderr)
    for c in answer.citations:
        published = ", ".join(x for x in (c.source, c.date) if x)
        published = f" ({published})" if published else ""
        if c.also_published_by:
            published += f" [also published by {', '.join(c.also_published_by)}]"
        print(f"  [{c.n}] {c.doc_id}{published} ¶{c.paragraph + 1} (score {c.score:.2f}): {c.text[:160]}")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    report = Assistant().ingest(args.paths or None, rebuild=args.rebuild, prune=args.prune)
    print(report.summary())
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    docs = Assistant().documents()
    if args.json:
        print(json.dumps(docs, ensure_ascii=False, indent=2))
        return 0
    if not docs:
        print("the index is empty or missing: run `rag ingest`")
        return 0
    print(f"{'doc_id':28} {'chunks':>6}  {'date':10}  {'source':20}  title")
    for doc_id, info in sorted(docs.items()):
        print(f"{doc_id:28} {info.get('chunks', 0):>6}  {info.get('date', '-'):10}  "
              f"{info.get('source', '-')[:20]:20}  {info.get('title', '')}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    print(Assistant().remove(args.doc_ids).summary())
    return 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    from .devtools.feedback import export
    from .web.feedback import FEEDBACK_FILE

    source = args.feedback or Path(Settings().home) / FEEDBACK_FILE
    counts = export(source, args.out)
    print(f"{counts['questions']} questions written to {args.out} (from {source}); "
          f"{counts['skipped']} thumbs-down without a correction left out, {counts['superseded']} superseded by a later "
          f"judgement of the same question, {counts['unreadable']} unreadable lines. Score it: rag eval --questions {args.out}")
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from . import weights as models

    settings = Settings()
    wanted = list(models.REGISTRY.values())
    if args.action == "fetch" and not args.all:
        wanted = [models.REGISTRY[models.DEFAULT_LLM], models.REGISTRY[models.DEFAULT_EMBEDDER]]
    for spec in wanted:
        if args.action == "fetch":
            models.fetch(spec, settings.models_dir, progress=not args.quiet)
        elif args.action == "verify" and models.status(spec, settings.models_dir) == "unverified":
            models.ensure(spec, settings.models_dir)  # re-hashes; a mismatch is an error naming the file
        state = models.status(spec, settings.models_dir)
        print(f"{spec.name:40} {state:10} {spec.description}")
    if args.action == "fetch" and settings.embedder_backend != "torch" and not settings.embedder:
        from .embedder_export import ensure_graph

        folder = models.ensure(models.REGISTRY[models.DEFAULT_EMBEDDER], settings.models_dir)
        graph = ensure_graph(settings.models_dir, folder, models.REGISTRY[models.DEFAULT_EMBEDDER].check_sha256, log=print)
        print(f"{'embedder ONNX graph':40} {'ready':10} {graph}")
    print(f"cache: {settings.models_dir}")
    if settings.llm_path or settings.embedder:
        print(f"overrides: RAG_LLM_PATH={settings.llm_path or '-'} RAG_EMBEDDER={settings.embedder or '-'}")
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from .devtools import calibrate, evaluate

    paths = args.questions or [default_questions(Settings())]
    rows = []
    for path in args.rows or []:
        if path.exists():
            rows += calibrate.load_rows(path)
    for path in args.answerability_rows or []:
        # Another collection whose answer keys are not trusted to judge candidates (ARCD's are whole
        # clauses): it calibrates answerability only.
        rows += [{**r, "correctness": False} for r in calibrate.load_rows(path)]
    if not rows:
        from .assistant import Assistant

        # Every threshold at 0: every candidate is shown, so every candidate is judged.
        assistant = Assistant(Settings(answer_at=0.0, unsure_at=0.0))
        for path in paths:
            rows += calibrate.collect(assistant, evaluate.load_questions(path), source=path.name,
                                      collection=args.collection)
        if args.rows:
            calibrate.save_rows(rows, args.rows[0])
    if args.out is None:
        return 0
    sets = sorted({r.get("set") or "?" for r in rows})
    if args.each_collection and len(calibrate.collections(rows)) < 2:
        print("rag calibrate: --each-collection with rows of one collection (rows without `collection` count as "
              "seeds): the requirement is the pooled one", file=sys.stderr)
    fitted = calibrate.calibrate(
        rows, fitted_on=f"answer_mode={Settings().answer_mode}, cross_mode={Settings().cross_mode}: " + ", ".join(sets),
        max_confident_wrong=args.max_confident_wrong, min_refusal=args.min_refusal, each_collection=args.each_collection,
    )
    args.out.write_text(fitted.to_json(), encoding="utf-8")
    print(json.dumps({"answerable_at": fitted.answerable_at, "answer_at": fitted.answer_at, **fitted.metrics}))
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .devtools import evaluate

    settings = Settings()
    args.questions = args.questions or default_questions(settings)
    questions = evaluate.load_questions(args.questions)[: args.limit or None]
    assistant = Assistant(settings)
    started = time.perf_counter()
    records = evaluate.run(assistant, questions, progress=not args.json, oracle=args.oracle)
    overall, per_lang = evaluate.metrics(records), evaluate.by_language(records)
    if args.report:
        from .devtools.report import write_report

        meta = {
            "questions": str(args.questions), "n": len(records), "llm": str(assistant.settings.llm_path or "default"),
            "embedder": assistant.embedder_name, "top_k": assistant.settings.top_k,
            "wall_s": round(time.perf_counter() - started, 1),
        }
        if args.oracle:
            meta["evidence"] = "oracle (the sentences holding each answer, not retrieval's choice)"
        path = write_report(args.report, overall, per_lang, records, meta)
        print(f"report: {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(overall))
        return 0
    langs = list(per_lang)
    print(f"{'metric':20}{'all':>10}" + "".join(f"{lang:>10}" for lang in langs))
    for key, value in overall.items():
        row = [value] + [per_lang[lang][key] for lang in langs]
        print(f"{key:20}" + "".join(f"{'–' if v is None else v:>10}" for v in row))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from .devtools import bench

    progress = (lambda msg: None) if args.json else (lambda msg: print(msg, file=sys.stderr))
    if args.scale:
        from .devtools import scale

        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else scale.SIZES
        results = scale.run(sizes=sizes, report=args.report, progress=progress)
    else:
        results = bench.run(quick=args.quick, progress=progress)
    if args.json:
        print(json.dumps(results))
        return 0
    targets = results.pop("targets")
    for key, value in results.items():
        print(f"{key:32} {value}")
    print("targets:")
    for key, verdict in targets.items():
        print(f"  {key:30} {verdict}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import launch, parse_auth

    parse_auth(args.auth)  # a malformed --auth fails before the models load
    launch(host=args.host, port=args.port, auth=args.auth, watch=args.watch)
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    import threading

    from .assistant import Assistant
    from .indexing.feeds import FeedList, FeedPoller
    from .indexing.watch import FolderWatcher

    settings = Settings()
    folders = args.paths or settings.watch
    if not folders:
        raise RagError("give the folders to watch: rag watch FOLDER … (or set RAG_WATCH)")
    assistant = Assistant(settings)
    lane = threading.Lock()  # the watcher and the feed poller change the index in turn

    def say(text: str) -> None:
        print(text, flush=True)

    watcher = FolderWatcher(assistant, folders, rescan_s=settings.watch_rescan_s, lane=lane, on_event=say)
    feeds = FeedList(settings)
    FeedPoller(feeds, assistant, lane=lane, on_event=say).start()
    say(f"watching {', '.join(map(str, watcher.folders))} (and {len(feeds.list())} feeds); Ctrl-C stops")
    watcher.run()
    return 0


def _cmd_feeds(args: argparse.Namespace) -> int:
    from .indexing.feeds import FeedList

    feeds = FeedList(Settings())
    if args.action in ("add", "remove") and not args.urls:
        raise RagError(f"give the feed's URL: rag feeds {args.action} URL")
    if args.action == "add":
        for url in args.urls:
            feed = feeds.add(url)
            print(f"added {feed.url}; `rag feeds poll` fetches it now, `rag serve` and `rag watch` every "
                  f"{feeds.every_s / 60:g} min")
        return 0
    if args.action == "remove":
        for url in args.urls:
            feeds.remove(url)
            print(f"removed {url} (its articles stay in the library; `rag remove DOC_ID` takes one out)")
        return 0
    if args.action == "poll":
        from .assistant import Assistant

        known = [f.url for f in feeds.list()]
        unknown = [u for u in args.urls if u not in known]
        if unknown:
            raise RagError(f"not a feed of this library: {', '.join(unknown)} (add it first: rag feeds add URL)")
        report = feeds.poll(Assistant(), args.urls or None)
        print(report.summary())
        return 1 if report.errors and len(report.errors) == report.feeds else 0
    listed = feeds.list()
    if args.json:
        print(json.dumps([f.to_dict() for f in listed], ensure_ascii=False, indent=2))
        return 0
    if not listed:
        print("no feeds: rag feeds add URL")
    for f in listed:
        state = f"error: {f.last_error}" if f.failures else "ok" if f.last_ok else "not polled yet"
        print(f"{f.url}\n  {f.title or '-'} · last poll {f.last_poll or 'never'} · {f.items_added} articles added · {state}")
    return 0


def _cmd_mcp(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .web.mcp_tools import build_mcp

    # stdout is the protocol's channel: everything else this process says goes to stderr.
    build_mcp(Assistant(Settings())).run("stdio")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    from .devtools import loadtest as load

    app = None
    url = args.url
    if url:
        load.require_loopback(url)
    else:
        print("Loading the models and starting the app on loopback …", file=sys.stderr, flush=True)
        app, url = load.serve_locally()
    try:
        print(f"{args.users} users x {args.questions} questions against {url}", file=sys.stderr, flush=True)
        report = load.run(url, users=args.users, questions_per_user=args.questions, time_limit=args.time_limit)
    finally:
        if app is not None:
            app.close()
    summary = report.summary()
    if args.json:
        print(json.dumps({**summary, "failures": [r.outcome for r in report.errors]}, ensure_ascii=False))
    else:
        print(load.format_report(summary))
        for r in report.errors:
            print(f"  user {r.user}: {r.question[:40]!r}: {r.outcome}")
    return 0 if not report.errors and report.server_up_after else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Answer questions about the articles, with citations.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress logs")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object: answer, refused, status, confidence, quote, language, citations; a quoted answer's kind, lead and quotes")
    ask.add_argument("--since", metavar="YYYY-MM-DD", help="only articles published on or after this date")
    ask.add_argument("--until", metavar="YYYY-MM-DD", help="only articles published on or before this date")
    ask.add_argument("--source", action="append", metavar="NAME",
                     help="only articles from this source (as `rag docs` lists it); repeat for several")
    ask.set_defaults(func=_cmd_ask)

    ingest = sub.add_parser("ingest", help="bring the index up to date with files and folders (default: seeds/)")
    ingest.add_argument("paths", nargs="*", type=Path, help=".txt .md .html .pdf files or folders")
    ingest.add_argument("--rebuild", action="store_true", help="re-embed everything, even unchanged files")
    ingest.add_argument("--prune", action="store_true", help="remove documents whose file is gone from these folders")
    ingest.set_defaults(func=_cmd_ingest)

    docs = sub.add_parser("docs", help="list the indexed documents")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(func=_cmd_docs)

    rm = sub.add_parser("remove", help="take articles out of the index (by doc_id, as `rag docs` lists them)")
    rm.add_argument("doc_ids", nargs="+")
    rm.set_defaults(func=_cmd_remove)

    fb = sub.add_parser("feedback", help="the chat page's thumbs and corrections")
    fb.add_argument("action", choices=["export"], help="export: write them as a `rag eval` question set")
    fb.add_argument("--out", type=Path, required=True, help="the question file to write (JSONL)")
    fb.add_argument("--feedback", type=Path, default=None, help="default: $RAG_HOME/feedback.jsonl")
    fb.set_defaults(func=_cmd_feedback)

    mdl = sub.add_parser("models", help="list, fetch or verify the model weights")
    mdl.add_argument("action", nargs="?", choices=["list", "fetch", "verify"], default="list")
    mdl.add_argument("--all", action="store_true", help="fetch the tiny test LLM too")
    mdl.add_argument("--quiet", action="store_true", help="no progress bar")
    mdl.set_defaults(func=_cmd_models)

    ev = sub.add_parser("eval", help="score the assistant on a question set")
    ev.add_argument("--questions", type=Path, default=None,
                    help="JSONL question file (default: $RAG_EVAL_QUESTIONS, else the checkout's tests/data/questions.jsonl)")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ev.add_argument("--report", type=Path, metavar="DIR", help="write report.md and metrics.png into DIR")
    ev.add_argument("--limit", type=int, default=0, help="only the first N questions")
    ev.add_argument(
        "--oracle", action="store_true",
        help="answer from the sentences that hold each answer (the model's reading alone, without retrieval's misses)",
    )
    ev.set_defaults(func=_cmd_eval)

    cal = sub.add_parser("calibrate", help="fit the two decisions (answerability, correctness) on tuning questions (never on held-out ones)")
    cal.add_argument("--questions", type=Path, action="append", default=None,
                     help="JSONL tuning question file (repeatable; default: as for eval)")
    cal.add_argument("--rows", type=Path, action="append", default=None,
                     help="signals file (repeatable): fitted from when they exist (no answering again), else the first is written")
    cal.add_argument("--answerability-rows", type=Path, action="append", default=None,
                     help="signals file (repeatable) of another collection that calibrates answerability only")
    cal.add_argument("--collection", default="seeds",
                     help="name of the indexed collection the questions are asked of (RAG_HOME's articles), kept in "
                          "each collected row")
    cal.add_argument("--each-collection", action="store_true",
                     help="min-refusal must hold in each collection on its own, not pooled (measured, not the default)")
    cal.add_argument("--out", type=Path, default=None, help="where to write the fitted decision.json (without: only collect rows)")
    cal.add_argument("--max-confident-wrong", type=float, default=0.03)
    from .devtools.calibrate import MIN_REFUSAL

    cal.add_argument("--min-refusal", type=float, default=MIN_REFUSAL,
                     help="share of the tuning unanswerables the answerability threshold must refuse (the rest go to "
                          "correctness, which keeps them unsure; measured on collections left out, issue 32)")
    cal.set_defaults(func=_cmd_calibrate)

    bn = sub.add_parser("bench", help="speed and memory against the raw engines")
    bn.add_argument("--json", action="store_true")
    bn.add_argument("--quick", action="store_true", help="smaller synthetic index, fewer repetitions")
    bn.add_argument("--scale", action="store_true",
                    help="collections of 1,000 to 100,000 passages, local and on a Chroma server: how each figure grows")
    bn.add_argument("--sizes", help="with --scale: comma-separated passage counts (default 1000,10000,100000)")
    bn.add_argument("--report", type=Path, help="with --scale: write report.md, scale.json and growth.png here")
    bn.set_defaults(func=_cmd_bench)

    ld = sub.add_parser("load", help="bounded load test: N users asking at once through the chat server (loopback only)")
    ld.add_argument("--url", default=None, help="a running server on this machine (default: start one with the default models)")
    ld.add_argument("--users", type=int, default=8)
    ld.add_argument("--questions", type=int, default=2, help="questions per user")
    ld.add_argument("--time-limit", type=float, default=900.0, help="seconds before unfinished requests are cancelled")
    ld.add_argument("--json", action="store_true")
    ld.set_defaults(func=_cmd_load)

    serve = sub.add_parser("serve", help="start the chat UI (same as `python app.py`)")
    serve.add_argument("--host", default=None,
                       help="interface to bind (default: $RAG_HOST, else 127.0.0.1, this machine only); "
                            "0.0.0.0 serves the network: use --auth then")
    serve.add_argument("--port", type=int, default=None, help="default: $RAG_PORT, else 7860")
    serve.add_argument("--auth", metavar="USER:PASS", default=None,
                       help="require this login (default: $RAG_UI_AUTH, else none)")
    serve.add_argument("--watch", action="append", type=Path, default=None, metavar="FOLDER",
                       help="keep the index in step with this folder (repeatable; default: $RAG_WATCH)")
    serve.set_defaults(func=_cmd_serve)

    wt = sub.add_parser("watch", help="keep the index in step with folders (new, changed, deleted files) and poll the feeds")
    wt.add_argument("paths", nargs="*", type=Path, help="folders to watch (default: $RAG_WATCH)")
    wt.set_defaults(func=_cmd_watch)

    fd = sub.add_parser("feeds", help="RSS/Atom feeds whose new items become articles: add, list, remove, poll")
    fd.add_argument("action", nargs="?", choices=["list", "add", "remove", "poll"], default="list")
    fd.add_argument("urls", nargs="*", help="feed URLs (add, remove: one or more; poll: default every feed)")
    fd.add_argument("--json", action="store_true", help="list: one JSON array")
    fd.set_defaults(func=_cmd_feeds)

    mc = sub.add_parser("mcp", help="serve the library to an MCP client over stdio (ask, search, list_articles, get_article)")
    mc.set_defaults(func=_cmd_mcp)
    return parser


def version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.func(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`rag docs --json | head`): not an error of ours. Point stdout
        # at devnull so that Python's own flush at exit does not raise a second time.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
