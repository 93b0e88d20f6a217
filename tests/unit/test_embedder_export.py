"""The ONNX export's bookkeeping: a graph is used only for exactly the weights it was made from."""

from __future__ import annotations

import json

from rag.embedder_export import GRAPH, STAMP, current_graph, discard, graph_dir, stamp_for


def _export(models_dir, folder, checksum="abc"):
    out = graph_dir(models_dir, folder)
    out.mkdir(parents=True)
    (out / GRAPH).write_bytes(b"graph")
    (out / STAMP).write_text(json.dumps(stamp_for(folder, checksum)))
    return out


def test_a_graph_is_found_only_for_its_own_weights(tmp_path):
    folder = tmp_path / "embedder"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    models = tmp_path / "models"
    assert current_graph(models, folder, "abc") is None  # nothing exported yet
    out = _export(models, folder)
    assert current_graph(models, folder, "abc") == out / GRAPH
    assert current_graph(models, folder, "other") is None  # other registry weights
    (folder / "model.safetensors").write_bytes(b"weights v2, longer")  # the user's folder changed
    assert current_graph(models, folder, "abc") is None


def test_a_broken_stamp_or_missing_graph_means_export_again(tmp_path):
    folder = tmp_path / "embedder"
    folder.mkdir()
    models = tmp_path / "models"
    out = _export(models, folder)
    (out / STAMP).write_text("{not json")
    assert current_graph(models, folder, "abc") is None
    (out / STAMP).write_text(json.dumps(stamp_for(folder, "abc")))
    (out / GRAPH).unlink()
    assert current_graph(models, folder, "abc") is None
    discard(models, folder)
    assert not out.exists()
