"""Decide what an ingest must change, before any model is loaded.

Comparing content hashes with the index manifest tells which documents are new, changed,
unchanged, duplicated or gone. Only new and changed documents are embedded, so
re-ingesting an unchanged corpus costs a few file reads and no model at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .readers import Article


@dataclass
class SyncPlan:
    add: list[Article] = field(default_factory=list)
    update: list[Article] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # doc_ids
    unchanged: list[Article] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # duplicate path -> doc_id that holds the text

    @property
    def changes_index(self) -> bool:
        return bool(self.add or self.update or self.remove)


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == r or r in p.parents for r in roots)


def plan_sync(indexed: dict[str, dict], scanned: list[Article], roots: list[Path], prune: bool) -> SyncPlan:
    """indexed: the manifest's documents {doc_id: {"sha256", "path", ...}}."""
    plan = SyncPlan()
    by_hash = {info["sha256"]: doc_id for doc_id, info in indexed.items()}
    seen_ids: set[str] = set()
    for article in scanned:
        info = indexed.get(article.doc_id)
        holder = by_hash.get(article.sha256)
        if info is not None and info["sha256"] == article.sha256:
            plan.unchanged.append(article)
        elif holder is not None and holder != article.doc_id:
            plan.duplicates[str(article.path)] = holder  # identical text is stored once
            if info is not None:  # it used to hold other text: that text goes
                plan.remove.append(article.doc_id)
            continue
        elif info is not None:
            plan.update.append(article)
        else:
            plan.add.append(article)
        by_hash[article.sha256] = article.doc_id
        seen_ids.add(article.doc_id)
    if prune:
        resolved = [Path(r).resolve() for r in roots]
        plan.remove += [
            doc_id
            for doc_id, info in indexed.items()
            if doc_id not in seen_ids and doc_id not in plan.remove and _under(info.get("path", ""), resolved)
        ]
    return plan
