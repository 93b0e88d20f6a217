"""Syndicated copies: stored once, listed with the article they copy, cited as "also published by"."""

from __future__ import annotations

from dataclasses import replace

from rag.indexing.copies import COPY_JACCARD, find_copies, shingles, signature
from rag.indexing.readers import load_articles


def repost(article, changed: int, doc_id: str = "copy"):
    """The article with a new first line and `changed - 1` closing paragraphs replaced."""
    lines = list(article.lines)
    lines[0] = "AFP - خبر عاجل عن الاجتماع الذي عقد اليوم في العاصمة وسط حضور كبير من الصحفيين"
    for i in range(1, changed):
        lines[-i] = f"تابعونا على مواقع التواصل الاجتماعي لمزيد من الأخبار والتقارير رقم {i}"
    return replace(article, doc_id=doc_id, lines=tuple(lines))


def exact(a, b) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_two_articles_on_one_event_are_not_copies(seeds_copy):
    a, b = load_articles(seeds_copy)
    assert exact(a, b) < 0.15 and signature(a).jaccard(signature(b)) < COPY_JACCARD - 0.3
    copies, stored = find_copies([a, b], {})
    assert copies == {} and set(stored) == {a.doc_id, b.doc_id}


def test_a_repost_with_its_own_opening_and_sign_off_is_a_copy(seeds_copy):
    a, _ = load_articles(seeds_copy)
    for changed in (1, 2, 4):
        assert exact(a, repost(a, changed)) >= COPY_JACCARD + 0.15
    copies, _ = find_copies([a, repost(a, 4)], {})
    assert copies == {"copy": a.doc_id}
    # Against the stored signature of an article ingested earlier, too.
    _, held = find_copies([a], {})
    assert find_copies([repost(a, 2)], held)[0] == {"copy": a.doc_id}


def test_copies_are_stored_once_and_cited_as_also_published(tmp_path, seeds_copy, make_assistant):
    a, _ = load_articles(seeds_copy)
    wire = tmp_path / "wire"
    wire.mkdir()
    body = "\n".join(repost(a, 3).lines)
    (wire / "bbc.txt").write_text(f"---\nsource: BBC\ndate: 2023-09-21\n---\n{body}\n", encoding="utf-8")
    (wire / "cnn.txt").write_text(f"---\nsource: CNN\n---\n{body}\nآخر سطر مختلف.\n", encoding="utf-8")
    assistant = make_assistant()
    first = assistant.ingest(progress=False)
    assert first.copies == 0 and first.documents == 2
    report = assistant.ingest([wire], progress=False)
    assert report.copies == 2 and report.added == 0 and report.documents == 2, report.summary()
    held = assistant.documents()[a.doc_id]
    assert {c["source"] for c in held["copies"]} == {"BBC", "CNN"}
    again = assistant.ingest([wire], progress=False)
    assert not again.changed and again.copies == 0  # recorded copies are not looked at again
    passages = assistant.retrieve(a.lines[3], k=3)
    mine = [p for p in passages if p.doc_id == a.doc_id]
    assert mine and set(mine[0].also_published_by) == {"BBC", "CNN"}
    assert all(p.doc_id not in ("bbc", "cnn") for p in passages)  # never stored, so never retrieved


def test_an_updated_article_keeps_its_copies(tmp_path, seeds_copy, make_assistant):
    a, _ = load_articles(seeds_copy)
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "bbc.txt").write_text("---\nsource: BBC\n---\n" + "\n".join(repost(a, 2).lines) + "\n", encoding="utf-8")
    assistant = make_assistant()
    assistant.ingest(progress=False)
    assert assistant.ingest([wire], progress=False).copies == 1
    original = seeds_copy / f"{a.doc_id}.txt"
    original.write_text(original.read_text(encoding="utf-8") + "\nسطر أضيف لاحقا إلى المقال.\n", encoding="utf-8")
    report = assistant.ingest(progress=False)
    assert report.updated == 1
    assert [c["source"] for c in assistant.documents()[a.doc_id]["copies"]] == ["BBC"]
    mine = [p for p in assistant.retrieve(a.lines[3], k=3) if p.doc_id == a.doc_id]
    assert mine and mine[0].also_published_by == ("BBC",)
