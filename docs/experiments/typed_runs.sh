#!/usr/bin/env bash
# Issue 40: run a question set over its own collection with the code in CODE_DIR (a checkout: the baseline or
# this one), into docs/eval-runs/<name>. The models and the venv are this checkout's; each collection gets its
# own RAG_HOME under /tmp (its index), so runs of different code over one collection share nothing.
# Usage: docs/experiments/typed_runs.sh CODE_DIR NAME COLLECTION_DIR QUESTIONS.jsonl
set -euo pipefail
cd "$(dirname "$0")/../.."
code=$(realpath "$1") name=$2 collection=$(realpath "$3") questions=$(realpath "$4")
home=/tmp/typed-homes/$(basename "$collection"); mkdir -p "$home"
here=$(pwd) python=$(pwd)/.venv/bin/python
export RAG_HOME=$home RAG_SEEDS_DIR=$collection
if [ "$code" != "$here" ]; then  # an older checkout reads no figure kinds ("kind": "money"): drop them for it
  "$python" -c 'import json,sys; [print(json.dumps({k: v for k, v in json.loads(l).items() if k != "kind"}, ensure_ascii=False)) for l in open(sys.argv[1]) if l.strip()]' \
    "$questions" > "/tmp/typed-homes/$name.questions.jsonl"
  questions=/tmp/typed-homes/$name.questions.jsonl
fi
# `python -m` puts the working folder first on sys.path: run from CODE_DIR, so its `rag` is the one imported.
(cd "$code" && "$python" -m rag.cli ingest --prune >/dev/null)
(cd "$code" && "$python" -m rag.cli eval --questions "$questions" --report "$here/docs/eval-runs/$name" --json) \
  > "/tmp/typed-homes/$name.json"
echo "$name: $(head -c 600 /tmp/typed-homes/$name.json)"
