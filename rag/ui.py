"""The Gradio chat UI. `build_app()` returns it unlaunched so tests can build and serve it.

Answers stream as they are generated; when the answer is complete, the message is
replaced by its final form: cleaned citation markers and, under it, the cited passages.
Passage text comes from articles we do not control, so it is escaped before display.
"""

from __future__ import annotations

import html
import logging
import re

from .assistant import Assistant
from .errors import RagError
from .types import Answer

log = logging.getLogger(__name__)

TITLE = "Karabakh news assistant · مساعد أخبار قره باغ"
DESCRIPTION = (
    "Ask in Arabic or English about the indexed articles. Answers cite the passages they use; "
    "when the articles do not hold the answer, the assistant says so."
)
EXAMPLES = [
    "من هو وزير خارجية أذربيجان؟",
    "How many tons of aid did the Azerbaijani emergency ministry deliver?",
    "ماذا قال باشينيان عن بقاء الأرمن في قره باغ؟",
    "When did Azerbaijan launch its operation in Karabakh?",
]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|>~])")


def escape_passage(text: str) -> str:
    """Show article text literally: no HTML, no markdown links or emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def render_answer(answer: Answer) -> str:
    if answer.refused:
        return f"{answer.text}\n\n_(not covered by the indexed articles)_"
    lines = [answer.text, "", "**Sources**" if answer.language == "en" else "**المصادر**"]
    for c in answer.citations:
        # Title and passage on lines of their own: mixing Latin labels into an Arabic line scrambles it.
        also = f" · also in {', '.join(c.also_in)}" if c.also_in else ""
        lines += ["", f"**[{c.n}]** {escape_passage(c.title)} (¶{c.paragraph + 1}{also})", "", f"> {escape_passage(c.text)}"]
    return "\n".join(lines)


def build_app(assistant: Assistant | None = None):
    import gradio as gr

    assistant = assistant or Assistant()

    def respond(message: str, history: list):
        text = ""
        try:
            for item in assistant.stream(message, history):  # follow-ups are resolved against the chat
                if isinstance(item, Answer):
                    yield render_answer(item)
                else:
                    text += item
                    yield text
        except RagError as exc:
            yield f"⚠️ {exc}"
        except Exception:  # the chat must stay usable whatever failed underneath
            log.exception("answering failed")
            yield "⚠️ Something went wrong while answering; please try again."

    with gr.Blocks(title="Karabakh news assistant", analytics_enabled=False) as app:
        gr.ChatInterface(
            respond,
            title=TITLE,
            description=DESCRIPTION,
            examples=EXAMPLES,
            cache_examples=False,
            analytics_enabled=False,
            api_name="chat",
        )
    return app


def launch(host: str = "127.0.0.1", port: int = 7860, assistant: Assistant | None = None) -> None:
    print("Loading the models and the index …", flush=True)
    assistant = assistant or Assistant.load()
    app = build_app(assistant)
    app.queue(default_concurrency_limit=1)  # one llama.cpp context: answers take turns
    # ssr_mode=False: server-side rendering would start a Node process we do not need.
    app.launch(server_name=host, server_port=port, ssr_mode=False, show_error=False)
