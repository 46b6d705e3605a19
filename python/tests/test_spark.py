"""essaymap.spark in PySpark local mode against `essaymap batch`.

Skips without pyspark or Java, unless ESSAYMAP_REQUIRE_SPARK is set (CI).
"""

import csv
import os
import shutil
import sys

import pytest

from conftest import batch, gen_corpus

REQUIRED = bool(os.environ.get("ESSAYMAP_REQUIRE_SPARK"))


def need(condition, why):
    if not condition:
        if REQUIRED:
            pytest.fail(why + " (ESSAYMAP_REQUIRE_SPARK is set)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        need(False, "pyspark is not installed")
    need(shutil.which("java") or os.environ.get("JAVA_HOME"), "no Java for Spark")
    from pyspark.sql import SparkSession

    # The workers must run this interpreter, the one essaymap is installed in,
    # not whatever `python3` is first on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("essaymap-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_local_gives_the_records_of_batch(spark, cli, tmp_path):
    import essaymap.spark

    corpus = gen_corpus(3000, tmp_path / "spark.jsonl", seed=7)
    lines, rows = batch(cli, corpus, tmp_path)
    df = spark.read.json(str(corpus)).repartition(6)
    out = essaymap.spark.analyze(df, text_col="text", id_col="id", title_col="title")
    got = out.collect()
    assert len(got) == len(lines) == 3000
    by_id = {r["id"]: r for r in got}
    header = rows[0]
    assert out.columns == header + ["error", "json"]
    for line, row in zip(lines, rows[1:]):
        r = by_id[row[0]]
        assert r["json"] == line
        assert r["error"] is None
        assert [str(r[c]).lower() for c in header] == row


def test_spark_bad_rows_are_error_records(spark):
    import essaymap.spark

    good = "Phones distract pupils. For example, a survey found this. Schools should ban them."
    df = spark.createDataFrame(
        [("a", good), ("b", None), ("c", ""), ("d", "x" * 600)], "id string, text string"
    )
    got = {r["id"]: r for r in essaymap.spark.analyze(df, max_bytes=500).collect()}
    assert got["a"]["error"] is None and got["a"]["sentences"] == 3
    assert got["b"]["error"] == "bad_record" and got["b"]["sentences"] is None
    assert got["c"]["error"] == "bad_record"
    assert got["d"]["error"] == "too_large"
