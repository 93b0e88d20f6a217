"""8 users at once through the real Gradio server (bounded; the tiny LLM keeps it short).

The full run with the default models is `rag load` (figures in the README).
"""

from __future__ import annotations

import shutil

from rag import Assistant, load


def test_eight_concurrent_users_are_all_answered_and_the_server_stays_up(index_dir, tiny_llm_path, tmp_path):
    shutil.copytree(index_dir, tmp_path / "vectorstore")
    assistant = Assistant.load(index_dir=tmp_path / "vectorstore", llm_path=tiny_llm_path)
    app, url = load.serve_locally(assistant, uploads_dir=tmp_path / "uploads")
    try:
        report = load.run(url, users=8, questions_per_user=1, time_limit=600)
        summary = report.summary()
        print(load.format_report(summary))
        assert summary["requests"] == 8 and summary["errors"] == 0, [r.outcome for r in report.errors]
        assert summary["answered"] + summary["refused"] == 8
        # One model: requests take turns, and those waiting are shown their place in the queue.
        assert summary["max_queue_position"] is not None and summary["max_queue_position"] >= 1
        assert summary["server_up_after"]
    finally:
        app.close()
        assistant.close()
