"""A bounded load test of the chat server: N simulated users asking at once, over loopback.

Each user is a thread with its own `gradio_client.Client`; it submits its questions one
after another to the chat endpoint (`/chat`, what the page uses) and watches the job:
its queue position while it waits (`Job.status().rank`), when the first streamed piece
arrives, and when the final message is there. Everything is bounded: a fixed number of
questions, and a deadline after which unfinished jobs are cancelled and counted as errors.

Only loopback servers are accepted: this is a measurement of this machine, not a tool to
load someone else's server. With no URL, the app is started in this process on a free
loopback port (as `rag serve` would, with the given Assistant).

    rag load                      # 8 users x 2 questions against a server it starts
    rag load --users 8 --questions 3 --url http://127.0.0.1:7860/
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from ..errors import RagError

# Questions about the seeds, Arabic and English, answerable and not: what users ask.
QUESTIONS = [
    "من هو وزير خارجية أذربيجان؟",
    "How many tons of food and detergents did the emergency ministry deliver?",
    "ماذا قال باشينيان عن بقاء الأرمن في قره باغ؟",
    "When did the 2020 war end?",
    "بناء على طلب أي دولة عقدت جلسة مجلس الأمن بشأن قره باغ؟",
    "Who is the foreign minister of Azerbaijan?",
    "أين انطلقت المحادثات بين باكو وممثلي الأرمن؟",
    "Who won the 2022 FIFA World Cup?",
]


@dataclass
class Request:
    user: int
    question: str
    latency: float | None = None  # submit -> final message (s)
    first_output: float | None = None  # submit -> first streamed piece (s)
    max_rank: int | None = None  # highest queue position this request was shown (0 = next)
    outcome: str = "pending"  # answered | unsure | refused | error: <why>


@dataclass
class LoadReport:
    users: int
    questions_per_user: int
    wall_s: float
    requests: list[Request] = field(default_factory=list)
    server_up_after: bool = False

    @property
    def errors(self) -> list[Request]:
        return [r for r in self.requests if r.outcome.startswith("error")]

    def summary(self) -> dict:
        done = sorted(r.latency for r in self.requests if r.latency is not None and not r.outcome.startswith("error"))
        firsts = sorted(r.first_output for r in self.requests if r.first_output is not None)
        ranks = [r.max_rank for r in self.requests if r.max_rank is not None]
        return {
            "users": self.users,
            "questions_per_user": self.questions_per_user,
            "requests": len(self.requests),
            "answered": sum(r.outcome == "answered" for r in self.requests),
            "refused": sum(r.outcome == "refused" for r in self.requests),
            "unsure": sum(r.outcome == "unsure" for r in self.requests),
            "errors": len(self.errors),
            "wall_s": round(self.wall_s, 1),
            "throughput_per_min": round(60 * len(done) / self.wall_s, 2) if self.wall_s else 0.0,
            "latency_p50_s": _pct(done, 50),
            "latency_p95_s": _pct(done, 95),
            "latency_max_s": round(done[-1], 1) if done else None,
            "first_output_p50_s": _pct(firsts, 50),
            "first_output_p95_s": _pct(firsts, 95),
            "max_queue_position": max(ranks) if ranks else None,
            "requests_shown_a_queue_position": len(ranks),
            "server_up_after": self.server_up_after,
        }


def _pct(values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile of sorted values."""
    if not values:
        return None
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 1)


def require_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if not (host in ("localhost", "::1") or host.startswith("127.")):
        raise RagError(f"the load test only runs against this machine (127.0.0.1 / localhost), not {host or url!r}.")


def _one_user(url: str, user: int, questions: list[str], deadline: float, out: list[Request], lock) -> None:
    from gradio_client import Client
    from gradio_client.utils import Status

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - every failure is a counted error, never a crash
        with lock:
            out.extend(Request(user, q, outcome=f"error: cannot connect ({exc})") for q in questions)
        return
    for question in questions:
        req = Request(user, question)
        with lock:
            out.append(req)
        started = time.perf_counter()
        try:
            job = client.submit(question, api_name="/chat")
            while not job.done():
                if time.time() > deadline:
                    job.cancel()
                    raise TimeoutError("the load test's deadline passed")
                status = job.status()
                if status.code == Status.IN_QUEUE and status.rank is not None:
                    req.max_rank = max(req.max_rank or 0, status.rank)
                if req.first_output is None and job.outputs():
                    req.first_output = time.perf_counter() - started
                time.sleep(0.05)
            final = job.result(timeout=5)
            req.latency = time.perf_counter() - started
            if req.first_output is None:
                req.first_output = req.latency
            text = final if isinstance(final, str) else str(final)
            if "rag-error" in text:
                req.outcome = "error: the page showed an error message"
            elif "rag-refusal" in text:
                req.outcome = "refused"
            elif "rag-answer" in text:
                req.outcome = "answered"
            elif "rag-unsure" in text:
                req.outcome = "unsure"
            else:
                req.outcome = f"error: unexpected reply {text[:80]!r}"
        except Exception as exc:  # noqa: BLE001
            req.outcome = f"error: {type(exc).__name__}: {exc}"
    try:
        client.close()
    except Exception:  # noqa: BLE001 - older clients have no close()
        pass


def run(url: str, users: int = 8, questions_per_user: int = 2, questions: list[str] | None = None,
        time_limit: float = 900.0) -> LoadReport:
    """`users` threads ask `questions_per_user` questions each, all starting together."""
    require_loopback(url)
    if not 1 <= users <= 64 or not 1 <= questions_per_user <= 10:
        raise RagError("the load test is bounded: 1-64 users, 1-10 questions each.")
    pool = questions or QUESTIONS
    deadline = time.time() + time_limit
    out: list[Request] = []
    lock = threading.Lock()
    barrier = threading.Barrier(users)

    def user(i: int):
        asked = [pool[(i + j * users) % len(pool)] for j in range(questions_per_user)]
        barrier.wait(timeout=60)
        _one_user(url, i, asked, deadline, out, lock)

    threads = [threading.Thread(target=user, args=(i,), daemon=True, name=f"load-user-{i}") for i in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.time()) + 30)
    report = LoadReport(users, questions_per_user, time.perf_counter() - started, sorted(out, key=lambda r: r.user))
    report.server_up_after = _server_answers(url)
    return report


def _server_answers(url: str) -> bool:
    """The server still answers a question after the load (through /ask)."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
        try:
            result = client.predict("من هو وزير خارجية أذربيجان؟", api_name="/ask")
        finally:
            client.close()  # left open, it holds the server's shutdown for its 2 s grace
        return isinstance(result, dict) and "answer" in result
    except Exception:  # noqa: BLE001
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_locally(assistant=None, uploads_dir=None):
    """The chat app served in this process on a free loopback port: (app, url)."""
    from ..assistant import Assistant
    from ..web.app import build_app
    from ..web.server import serve

    app = build_app(assistant or Assistant.load(), uploads_dir=uploads_dir)
    port = free_port()
    serve(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    return app, f"http://127.0.0.1:{port}/"


def format_report(summary: dict) -> str:
    return "\n".join(f"{key:34} {value}" for key, value in summary.items())
