"""The Python side of scripts/bench/bench_transformer.sh: runs the SAME network as
essaymap's transformer backend (all-MiniLM-L6-v2 with our fine-tuned top layers
and heads, same inputs, same truncation, same length-sorted batches of 16) in
PyTorch, on the sentences of an `essaymap batch` output file, and prints
sentences/s. It times only tokenization and the network, not reading, the
embedded model, the map or JSON: essaymap's figure includes all of those.

usage: bench_transformer.py BASE_DIR WEIGHTS.safetensors BATCH_OUT.jsonl [THREADS]
"""
import json
import sys
import time

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import BertModel

base, weights, batch_out = sys.argv[1:4]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
torch.set_num_threads(threads)


def segments(doc):
    """Mirror of src/classify/transformer/input.rs."""
    sents = doc["sentences"]
    last_para = sents[-1]["paragraph"] if sents else 0
    counts = {}
    for s in sents:
        counts[s["paragraph"]] = counts.get(s["paragraph"], 0) + 1
    out = []
    for i, s in enumerate(sents):
        p, k, n = s["paragraph"], s["position_in_paragraph"], counts[s["paragraph"]]
        intro, concl = p == 0, p == last_para and last_para > 0
        para = "only" if intro and last_para == 0 else "introduction" if intro else "conclusion" if concl else "body"
        sent = "only" if n == 1 else "first" if k == 0 else "last" if k + 1 == n else "middle"
        prev = sents[i - 1]["text"].strip() if i > 0 and sents[i - 1]["paragraph"] == p else ""
        nxt = sents[i + 1]["text"].strip() if i + 1 < len(sents) and sents[i + 1]["paragraph"] == p else ""
        pos = [float(intro), float(not intro and not concl), float(concl), float(k == 0), float(k + 1 == n),
               p / last_para if last_para > 0 else 0.0, k / (n - 1) if n > 1 else 0.0, min(n, 10) / 10]
        out.append((f"{para} paragraph, {sent} sentence. {s['text'].strip()}", f"{prev} | {nxt}", pos))
    return out


model = BertModel.from_pretrained(base, add_pooling_layer=False).eval()
tuned = {k: v.float() for k, v in load_file(weights).items()}
missing = model.load_state_dict({k: v for k, v in tuned.items() if not k.startswith("head.")}, strict=False)
assert not missing.unexpected_keys, missing.unexpected_keys
role_w, role_b = tuned["head.role.weight"], tuned["head.role.bias"]
th_w, th_b = tuned["head.thesis.weight"], tuned["head.thesis.bias"]

tok = Tokenizer.from_file(f"{base}/tokenizer.json")
tok.no_padding()
tok.enable_truncation(128, strategy="longest_first")

inputs = []
for line in open(batch_out, encoding="utf-8"):
    rec = json.loads(line)
    if "sentences" in rec:
        inputs.extend(segments(rec))

t0 = time.perf_counter()
encs = tok.encode_batch([(a, b) for a, b, _ in inputs])
order = sorted(range(len(encs)), key=lambda i: -len(encs[i].ids))
labels = [0] * len(encs)
with torch.inference_mode():
    for start in range(0, len(order), 16):
        idx = order[start:start + 16]
        t = max(len(encs[i].ids) for i in idx)
        ids = torch.zeros(len(idx), t, dtype=torch.long)
        types = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for r, i in enumerate(idx):
            e = encs[i]
            ids[r, :len(e.ids)] = torch.tensor(e.ids)
            types[r, :len(e.ids)] = torch.tensor(e.type_ids)
            mask[r, :len(e.ids)] = 1
        h = model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        w = (mask * (types == 0)).unsqueeze(-1).float()
        pooled = (h * w).sum(1) / w.sum(1).clamp(min=1)
        x = torch.cat([pooled, torch.tensor([inputs[i][2] for i in idx])], 1)
        role = x @ role_w.T + role_b
        _thesis = x @ th_w.T + th_b
        for r, i in enumerate(idx):
            labels[i] = int(role[r].argmax())
dt = time.perf_counter() - t0
print(f"python (torch {torch.__version__}, {threads} threads): {len(inputs)} sentences in {dt:.1f}s = {len(inputs) / dt:.1f} sentences/s")
