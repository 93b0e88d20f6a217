"""Prompt-lookup decoding vs plain greedy decoding on the pipeline's own prompts (issue 17).

Run from the repo root: `.venv/bin/python docs/experiments/prompt_lookup.py 2 4 10` (draft lengths).
Result on 2026-11-23 (2 vCPU EPYC): docs/experiments/prompt_lookup.log.
"""
import json, time, sys
from llama_cpp import Llama
from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
from rag import Assistant
from rag.lang import detect_language
from rag.weights import resolve_llm
a = Assistant()  # the configured index (RAG_* settings)
qs = [json.loads(l)["question"] for l in open("tests/data/questions.jsonl")][:6]
prompts = []
for q in qs:
    lang = detect_language(q); ev = a.answerer.span.evidence(q)
    prompts.append(a.answerer.span.messages(q, lang, ev))
a.close()
path = str(resolve_llm(a.settings))
out = {}
variants = [("plain", {})] + [(f"lookup{n}", {"draft_model": LlamaPromptLookupDecoding(num_pred_tokens=n), "logits_all": True}) for n in map(int, sys.argv[1:])]
for name, kw in variants:
    t0 = time.perf_counter(); ttft = 0.0
    llm = Llama(model_path=path, n_ctx=2048, n_threads=2, verbose=False, seed=0, **kw)
    texts, toks, secs = [], 0, 0.0
    for m in prompts:
        llm.reset(); t1 = time.perf_counter()
        pieces, first = [], None
        for c in llm.create_chat_completion(messages=m, max_tokens=96, temperature=0.0, seed=0, stream=True):
            if p := c["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter(); pieces.append(p)
        ttft += first - t1
        secs += time.perf_counter() - first
        text = "".join(pieces); texts.append(text); toks += len(llm.tokenize(text.encode(), add_bos=False)) - 1
    out[name] = {"s": round(secs, 1), "tokens": toks, "texts": texts, "ttft": round(ttft / len(prompts), 2)}
    print(name, round(secs, 1), "s after the first token,", toks, "tokens", round(toks/secs, 2), "tok/s; mean first token", out[name]["ttft"], "s", flush=True)
    del llm
for k in out:
    print(k, "identical to plain:", sum(a == b for a, b in zip(out["plain"]["texts"], out[k]["texts"])), "of", len(prompts))
json.dump(out, open("prompt_lookup.json", "w"), ensure_ascii=False)
