"""essaymap on Spark DataFrames, with ``mapInPandas`` (Arrow batches).

    from pyspark.sql import SparkSession
    import essaymap.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    essays = spark.read.json("essays.jsonl")  # id, title, text
    out = essaymap.spark.analyze(essays, title_col="title")
    out.write.parquet("analyses.parquet")

Each executor's Python worker loads the pipeline once, on its first batch,
and keeps it for every later task (Spark reuses Python workers by default,
``spark.python.worker.reuse``). Work is split as the input DataFrame is
partitioned: one task per partition, Arrow batches of
``spark.sql.execution.arrow.maxRecordsPerBatch`` rows (default 10,000) within
it; repartition a small file into at least as many partitions as cores.
See docs/python.md for running on a cluster.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator, Optional

import pandas as pd

from . import MAX_BYTES, Pipeline
from .pandas import records, results_frame

__all__ = ["analyze", "schema"]

_pipelines: dict = {}
_lock = threading.Lock()


def _pipeline(options: tuple) -> Pipeline:
    """The pipeline of `options` in this process, loaded on first use."""
    with _lock:
        nlp = _pipelines.get(options)
        if nlp is None:
            nlp = _pipelines[options] = Pipeline(**dict(options))
        return nlp


def _spark_type(pd_dtype: Any) -> str:
    name = str(pd_dtype)
    return {"Int64": "bigint", "boolean": "boolean", "Float64": "double"}.get(name, "string")


def schema(pipeline: Optional[Pipeline] = None) -> str:
    """The DDL schema of :func:`analyze`'s result: the summary columns, then
    ``error`` and ``json``. The column types are those of one analysis on the
    driver."""
    nlp = pipeline if pipeline is not None else Pipeline(threads=1)
    sample = "Phones distract pupils. For example, a survey found this. Schools should ban them."
    frame = results_frame(nlp._lines([{"id": "x", "text": sample}]), nlp.summary_columns)
    return ", ".join(f"`{c}` {_spark_type(frame[c].dtype)}" for c in frame.columns)


def _analyze_batches(
    batches: Iterator[pd.DataFrame],
    options: tuple,
    text_col: str,
    id_col: str,
    title_col: Optional[str],
    batch_size: int,
) -> Iterator[pd.DataFrame]:
    nlp = _pipeline(options)
    for pdf in batches:
        lines = nlp._lines(records(pdf, text=text_col, id=id_col, title=title_col), batch_size)
        yield results_frame(lines, nlp.summary_columns).reset_index(drop=True)


def analyze(
    df: Any,
    text_col: str = "text",
    id_col: str = "id",
    title_col: Optional[str] = None,
    model: Optional[str] = None,
    links_model: Optional[str] = None,
    rubric: Optional[str] = None,
    threads_per_task: int = 1,
    max_bytes: int = MAX_BYTES,
    batch_size: int = 256,
) -> Any:
    """Analyses every row of the Spark DataFrame ``df``: a DataFrame with the
    ``essaymap batch --summary`` columns, ``error`` (error kind or null) and
    ``json`` (the line ``essaymap batch`` writes for the row).

    Args:
        df: a DataFrame with an id column and a text column.
        text_col, id_col, title_col: the column names (ids are cast to strings).
        model, links_model, rubric: files as in :class:`essaymap.Pipeline`;
            they must exist at the same path on every executor.
        threads_per_task: threads each Spark task analyses with (Spark runs
            one task per core, so 1 by default; raise it with
            ``spark.task.cpus``).
        max_bytes, batch_size: as in :class:`essaymap.Pipeline`.

    Lazy, like every Spark transformation: nothing runs until an action.
    """
    from pyspark.sql import functions as F

    cols = [F.col(id_col).cast("string").alias("id"), F.col(text_col).alias("text")]
    if title_col is not None:
        cols.append(F.col(title_col).cast("string").alias("title"))
    options = tuple(
        sorted(
            dict(
                model=model,
                links_model=links_model,
                rubric=rubric,
                threads=threads_per_task,
                max_bytes=max_bytes,
            ).items()
        )
    )
    title = "title" if title_col is not None else None

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return _analyze_batches(batches, options, "text", "id", title, batch_size)

    return df.select(*cols).mapInPandas(run, schema=schema())
