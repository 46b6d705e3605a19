"""essaymap.pandas.analyze_frame against `essaymap batch --summary`."""

import json

import pandas as pd
import pytest

import essaymap
import essaymap.pandas
from conftest import read_jsonl


def test_analyze_frame_equals_batch(corpus, corpus_batch):
    lines, rows = corpus_batch
    df = pd.DataFrame(read_jsonl(corpus))
    df.index = [f"row{i}" for i in range(len(df))]
    out = essaymap.pandas.analyze_frame(df, title="title")
    header = rows[0]
    assert list(out.columns) == header + ["error", "json"]
    assert list(out.index) == list(df.index)
    assert list(out["json"]) == lines
    assert out["error"].isna().all()
    for (_, got), want in zip(out[header].iterrows(), rows[1:]):
        assert [str(v).lower() for v in got] == want
    assert str(out["sentences"].dtype) == "Int64" and str(out["thesis_found"].dtype) == "boolean"


def test_analyze_frame_without_title_or_id_column(corpus):
    recs = read_jsonl(corpus)[:20]
    df = pd.DataFrame({"essay": [r["text"] for r in recs]}, index=range(100, 120))
    out = essaymap.pandas.analyze_frame(df, text="essay", pipeline=essaymap.Pipeline(threads=1))
    assert list(out["id"]) == [str(i) for i in range(100, 120)]
    want = [essaymap.analyze(r["text"], id=str(100 + i)) for i, r in enumerate(recs)]
    assert [json.loads(j) for j in out["json"]] == want


def test_analyze_frame_bad_rows_are_error_rows():
    good = "Phones distract pupils. For example, a survey found this. Schools should ban them."
    df = pd.DataFrame(
        {"id": ["1", 2, "3", "4", None], "text": [good, None, float("nan"), 17, good]}
    )
    out = essaymap.pandas.analyze_frame(df)
    assert out["error"].tolist() == [pd.NA, "bad_record", "bad_record", "bad_record", pd.NA]
    assert list(out["id"]) == ["1", "2", "3", "4", "4"]
    assert out["sentences"].isna().tolist() == [False, True, True, True, False]
    assert "must be a string, not null" in json.loads(out["json"][1])["error"]["message"]
    with pytest.raises(KeyError, match="no column 'body'"):
        essaymap.pandas.analyze_frame(df, text="body")
