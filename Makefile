# Two commands from a fresh machine: `make run` and `make test`. Every step is skipped
# when its result is already there, so a second run goes straight to the point.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RAG := $(VENV)/bin/rag
INSTALLED := $(VENV)/.installed
# llama-cpp-python compiles from source (about 6 minutes on 2 cores). Its default
# -march=native build enables AMX, which this VM's kernel does not grant: generation dies
# with SIGILL in `tilezero`. So we pick the instruction sets ourselves, never AMX: AVX2
# everywhere, AVX-512 with VNNI where /proc/cpuinfo has it (prompt reading measured 58 ->
# 72 tokens/s on 2 cores, which is most of the time to first token). The wheel is built
# once, kept in a cache keyed by version and flags, and installed into every fresh .venv.
LLAMA_VERSION := 0.3.36
CPU_FLAGS := $(shell cat /proc/cpuinfo 2>/dev/null | grep -m1 '^flags')
AVX512 := $(if $(and $(findstring avx512bw,$(CPU_FLAGS)),$(findstring avx512vl,$(CPU_FLAGS)),$(findstring avx512_vnni,$(CPU_FLAGS)),$(findstring avx512_vbmi,$(CPU_FLAGS)),$(findstring avx512_bf16,$(CPU_FLAGS)),$(findstring avx_vnni,$(CPU_FLAGS))),ON,OFF)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX512=$(AVX512) -DGGML_AVX512_VNNI=$(AVX512) -DGGML_AVX512_VBMI=$(AVX512) -DGGML_AVX512_BF16=$(AVX512) \
	-DGGML_AVX_VNNI=$(AVX512) -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_KEY := $(shell printf '%s' '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
WHEELHOUSE ?= $(HOME)/.cache/rag-wheels/llama-cpp-python-$(LLAMA_KEY)
LLAMA_BUILT := $(WHEELHOUSE)/.built
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
# All state (seeds/, vectorstore/, uploads/) lives in this checkout, as it always has.
export RAG_HOME ?= $(CURDIR)

.PHONY: run test setup models test-models browser index serve unit clean-venv

run: index ## set up what is missing, then start the chat UI on http://127.0.0.1:7860
	$(PY) app.py

test: test-models browser ## set up what is missing, then run every test (real models included)
	$(PY) -m pytest

unit: $(INSTALLED) ## only the fast tests, no model weights needed
	$(PY) -m pytest tests/unit

setup: $(INSTALLED)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(LLAMA_BUILT): | $(PY)
	@echo "Building llama-cpp-python $(LLAMA_VERSION) (AVX2, AVX-512 $(AVX512), no AMX; about 6 minutes, once per machine)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel --quiet --no-deps --no-cache-dir \
		-w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

# torch==2.13.0 first: it is a local CPU build here; any other torch request pulls CUDA.
$(INSTALLED): pyproject.toml $(LLAMA_BUILT) | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(PY) -m pip install --quiet -e '.[dev,server,eval]'
	touch $@

models: $(INSTALLED) ## fetch and verify the default LLM and embedder (~2.3 GB the first time)
	$(RAG) models fetch

test-models: $(INSTALLED)
	$(RAG) models fetch --all

# The browser test drives Debian's Chromium (Playwright is told where it is; it downloads no
# browser). Installed here only when missing and we are root; otherwise the test says how.
browser:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium and chromium-driver for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

index: models ## bring vectorstore/ up to date with seeds/ (a no-op when nothing changed)
	$(RAG) ingest --prune

serve: run

clean-venv:
	rm -rf $(VENV)
