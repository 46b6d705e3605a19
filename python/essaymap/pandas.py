"""essaymap on pandas DataFrames.

>>> import pandas as pd, essaymap.pandas
>>> df = pd.DataFrame({"id": ["a", "b"], "text": ["Phones distract pupils.", ""]})
>>> out = essaymap.pandas.analyze_frame(df)
>>> list(out.columns[:3]), out.loc[1, "error"]
(['id', 'paragraphs', 'sentences'], 'bad_record')
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Iterator, Optional

import pandas as pd

from . import Pipeline, _default_pipeline

__all__ = ["analyze_frame", "results_frame"]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def records(
    df: pd.DataFrame, text: str = "text", id: Optional[str] = "id", title: Optional[str] = None
) -> Iterator[dict]:
    """The rows of ``df`` as ``batch`` records: ``{"id", "text", "title"?}``.

    Ids are strings (the ``id`` column's values, else the row's index label);
    a missing text becomes ``None`` (an error record), a missing title none.
    """
    for col in (text, id, title):
        if col is not None and col not in df.columns:
            raise KeyError(f"no column {col!r} in the DataFrame (columns: {list(df.columns)})")
    ids: Iterable[Any] = df[id] if id is not None else df.index
    titles: Iterable[Any] = df[title] if title is not None else [None] * len(df)
    for i, (key, t, ttl) in enumerate(zip(ids, df[text], titles)):
        rec = {"id": str(key) if not _missing(key) else str(i), "text": None if _missing(t) else t}
        if not _missing(ttl):
            rec["title"] = str(ttl)
        yield rec


def _value(v: str) -> Any:
    if v == "":
        return None
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


def results_frame(lines: Iterable[tuple], columns: list[str], index: Any = None) -> pd.DataFrame:
    """A DataFrame of ``(json line, summary row or None)`` pairs: the summary
    columns (nullable dtypes, null on error rows), ``error`` (the error kind,
    else null) and ``json`` (the line ``batch`` writes)."""
    import json

    data: dict[str, list] = {c: [] for c in columns}
    errors: list = []
    lines_out: list = []
    for line, row in lines:
        lines_out.append(line)
        if row is None:
            rec = json.loads(line)
            errors.append(rec["error"]["kind"])
            for c in columns:
                data[c].append(rec.get("id") if c == "id" else None)
        else:
            errors.append(None)
            for c, v in zip(columns, row):
                data[c].append(v if c == "id" else _value(v))
    out = {}
    for c, vals in data.items():
        present = [v for v in vals if v is not None]
        if c == "id" or not present:
            out[c] = pd.array(vals, dtype="string")
        elif all(isinstance(v, bool) for v in present):
            out[c] = pd.array(vals, dtype="boolean")
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            out[c] = pd.array(vals, dtype="Int64")
        elif all(isinstance(v, (int, float)) for v in present):
            out[c] = pd.array(vals, dtype="Float64")
        else:
            out[c] = pd.array(vals, dtype="string")
    out["error"] = pd.array(errors, dtype="string")
    out["json"] = pd.array(lines_out, dtype="string")
    return pd.DataFrame(out, index=index)


def analyze_frame(
    df: pd.DataFrame,
    text: str = "text",
    id: Optional[str] = "id",
    title: Optional[str] = None,
    pipeline: Optional[Pipeline] = None,
    batch_size: int = 256,
) -> pd.DataFrame:
    """Analyses every row of ``df``; returns one row per input row, same index.

    Args:
        df: the essays.
        text: the column of essay texts.
        id: the column of ids; ``None`` (or the default ``"id"`` when ``df``
            has no such column) uses the index labels.
        title: the column of titles or prompts, if any.
        pipeline: the :class:`essaymap.Pipeline` to use (models, rubric,
            threads); default the built-in one.
        batch_size: as :meth:`essaymap.Pipeline.pipe`.

    Returns:
        The ``essaymap batch --summary`` columns (``id``, ``paragraphs``,
        ``sentences``, ``claims``, ..., nullable dtypes), ``error`` (the error
        kind of a row that could not be analysed, else null) and ``json``
        (the full analysis, the line ``batch`` writes; parse with
        ``json.loads``).
    """
    if id == "id" and "id" not in df.columns:
        id = None
    nlp = pipeline if pipeline is not None else _default_pipeline()
    lines = nlp._lines(records(df, text=text, id=id, title=title), batch_size)
    return results_frame(lines, nlp.summary_columns, index=df.index)
