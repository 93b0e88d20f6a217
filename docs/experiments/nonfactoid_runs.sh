#!/usr/bin/env bash
# Issue 39: run the blind non-factoid sets, each over its own collection, into docs/eval-runs/<prefix>-<set>.
# Usage: docs/experiments/nonfactoid_runs.sh PREFIX tuning|heldout
# Each collection gets its own RAG_HOME under /tmp (its index), the models are shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=$1 part=$2
run() {  # name, articles dir, questions file
  home=/tmp/nf-homes/$1; mkdir -p "$home"
  RAG_HOME=$home RAG_SEEDS_DIR=$2 .venv/bin/rag ingest --prune >/dev/null
  RAG_HOME=$home RAG_SEEDS_DIR=$2 .venv/bin/rag eval --questions "$3" --report "docs/eval-runs/$prefix-$1-$part" --json \
    > "/tmp/nf-homes/$1-$part.json"
  echo "$1 $part: $(cat /tmp/nf-homes/$1-$part.json | head -c 400)"
}
run seeds seeds tests/data/nonfactoid/seeds_$part.jsonl
run story-ar tests/data/collections/story-ar tests/data/collections/story-ar/questions_$part.jsonl
run news-en tests/data/collections/news-en tests/data/collections/news-en/questions_nonfactoid_$part.jsonl
run figures-heldout tests/data/collections/figures-heldout tests/data/collections/figures-heldout/questions_nonfactoid_$part.jsonl
