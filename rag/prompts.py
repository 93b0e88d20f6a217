"""Prompts are data files in prompts/, rendered strictly.

Keeping prompts out of the code lets them be read, diffed and tuned on their own.
Rendering is strict both ways: a missing value and an unexpected value are errors,
so a renamed placeholder cannot silently produce a prompt with a hole in it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .settings import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"


@lru_cache(maxsize=None)
def _template(path: Path):
    from langchain_core.prompts import PromptTemplate

    return PromptTemplate.from_template(path.read_text(encoding="utf-8"))


def render(name: str, prompts_dir: Path = PROMPTS_DIR, **values: str) -> str:
    template = _template(Path(prompts_dir) / f"{name}.txt")
    expected, given = set(template.input_variables), set(values)
    if expected != given:
        raise ValueError(
            f"prompt '{name}' takes {sorted(expected)}; got {sorted(given)} "
            f"(missing {sorted(expected - given)}, unexpected {sorted(given - expected)})"
        )
    return template.format(**values).strip()


def examples(name: str, prompts_dir: Path = PROMPTS_DIR) -> list[dict]:
    """Worked examples for a prompt, one JSON object a line in prompts/<name>.jsonl."""
    import json

    path = Path(prompts_dir) / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
