"""Prompts are data files (prompts/, shipped in the package as `rag.prompts`), rendered strictly.

Keeping prompts out of the code lets them be read, diffed and tuned on their own.
Rendering is strict both ways: a missing value and an unexpected value are errors,
so a renamed placeholder cannot silently produce a prompt with a hole in it. Files are
read through `importlib.resources`, so an installed wheel finds them wherever it lives;
a missing file is a `PromptError` naming it, not a traceback.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import PromptError

PACKAGE = "rag.prompts"


def _read(name: str, prompts_dir: Path | None) -> str:
    try:
        if prompts_dir is not None:
            return (Path(prompts_dir) / name).read_text(encoding="utf-8")
        return resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        where = prompts_dir or f"the installed package ({PACKAGE})"
        raise PromptError(f"the prompt file {name} is missing from {where}: reinstall the package.") from exc


@lru_cache(maxsize=None)
def _template(name: str, prompts_dir: Path | None):
    from langchain_core.prompts import PromptTemplate

    return PromptTemplate.from_template(_read(name, prompts_dir))


def render(name: str, prompts_dir: Path | None = None, **values: str) -> str:
    template = _template(f"{name}.txt", Path(prompts_dir) if prompts_dir else None)
    expected, given = set(template.input_variables), set(values)
    if expected != given:
        raise PromptError(
            f"prompt '{name}' takes {sorted(expected)}; got {sorted(given)} "
            f"(missing {sorted(expected - given)}, unexpected {sorted(given - expected)})"
        )
    return template.format(**values).strip()


def examples(name: str, prompts_dir: Path | None = None) -> list[dict]:
    """Worked examples for a prompt, one JSON object a line in prompts/<name>.jsonl."""
    text = _read(f"{name}.jsonl", Path(prompts_dir) if prompts_dir else None)
    return [json.loads(line) for line in text.splitlines() if line.strip()]
