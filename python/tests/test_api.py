"""essaymap.analyze / segment / Pipeline against the CLI's output."""

import doctest
import json
import pickle
import threading

import pytest

import essaymap
from conftest import EXAMPLES, ROOT, batch, read_jsonl, run


def rel(p):
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_analyze_equals_cli_json(cli, path):
    text = path.read_text(encoding="utf-8")
    want = json.loads(run(cli, "analyze", rel(path), "--format", "json"))
    assert essaymap.analyze(text, id=rel(path)) == want
    titled = json.loads(run(cli, "analyze", rel(path), "--title", "Should phones be banned?"))
    assert essaymap.analyze(text, title="Should phones be banned?", id=rel(path)) == titled


def test_analyze_without_id_has_none(cli):
    text = EXAMPLES[0].read_text(encoding="utf-8")
    want = json.loads(run(cli, "analyze", rel(EXAMPLES[0])))
    got = essaymap.analyze(text.encode("utf-8"))
    assert got.get("id") is None and want["id"] == rel(EXAMPLES[0])
    want.pop("id")
    assert got == want


def test_analyze_on_generated_corpus_equals_cli(cli, corpus, tmp_path):
    for rec in read_jsonl(corpus)[:12]:
        path = tmp_path / f"{rec['id']}.txt"
        path.write_text(rec["text"], encoding="utf-8")
        want = json.loads(run(cli, "analyze", str(path), "--title", rec["title"]))
        assert essaymap.analyze(rec["text"], title=rec["title"], id=str(path)) == want


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_segment_equals_cli(cli, path):
    want = json.loads(run(cli, "segment", rel(path), "--format", "json"))
    assert essaymap.segment(path.read_text(encoding="utf-8"), id=rel(path)) == want


@pytest.mark.parametrize("fmt", ["html", "aif", "dot", "mermaid", "text", "json"])
def test_render_equals_cli(cli, fmt):
    nlp = essaymap.Pipeline()
    for path in EXAMPLES:
        a = nlp.analyze(path.read_bytes(), id=rel(path))
        want = run(cli, "analyze", rel(path), "--format", fmt)
        assert nlp.render(a, format=fmt) == want
        assert nlp.render(json.dumps(a), format=fmt) == want


def test_rubric_equals_cli(cli, tmp_path):
    default = run(cli, "report", "--print-default-rubric")
    custom = default.replace("max = 4", "max = 10").replace("labels = [", "# labels = [")
    assert custom != default
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(custom, encoding="utf-8")
    path = EXAMPLES[0]
    want = json.loads(run(cli, "analyze", rel(path), "--rubric", str(rubric)))
    text = path.read_text(encoding="utf-8")
    got = essaymap.analyze(text, id=rel(path), rubric=rubric)
    assert got == want
    assert got["assessment"] != essaymap.analyze(text, id=rel(path))["assessment"]
    assert essaymap.Pipeline(rubric=str(rubric)).analyze(text, id=rel(path)) == want


def test_model_files_equal_the_embedded_models():
    nlp = essaymap.Pipeline(model=ROOT / "models" / "roles.bin", links_model=ROOT / "models" / "links.bin")
    text = EXAMPLES[0].read_text(encoding="utf-8")
    assert nlp.analyze(text) == essaymap.analyze(text)


def test_pipe_equals_batch_on_generated_corpus(corpus, corpus_batch):
    lines, rows = corpus_batch
    records = read_jsonl(corpus)
    for threads in (1, 2):
        nlp = essaymap.Pipeline(threads=threads)
        for size in (1, 7, 256):
            got = list(nlp._lines(records[:40] if size == 1 else records, batch_size=size))
            assert [line for line, _ in got] == lines[: len(got)]
            assert [row for _, row in got] == rows[1 : len(got) + 1]
        assert list(nlp.pipe(iter(records))) == [json.loads(line) for line in lines]
        assert list(nlp.pipe(records, batch_size=100, as_json=True)) == lines
    assert rows[0] == list(essaymap.SUMMARY_COLUMNS)


def test_pipe_texts_are_ids_by_position(cli):
    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    out = list(essaymap.Pipeline().pipe(texts, batch_size=2))
    assert [a["id"] for a in out] == [str(i) for i in range(len(texts))]
    for a, text in zip(out, texts):
        assert a == essaymap.analyze(text, id=a["id"])


def test_bad_records_are_written_as_batch_writes_them(cli, tmp_path):
    """Dict records whose JSON batch can read give the same lines as batch;
    the rest give error records too, and the stream goes on."""
    good = EXAMPLES[0].read_text(encoding="utf-8")
    as_json = [
        {"id": "empty", "text": ""},
        {"id": "blank", "text": "  \n "},
        {"id": "none", "text": None},
        {"id": "number", "text": 5},
        {"id": "list", "text": ["a"]},
        {"id": "notext", "title": "t"},
        {"id": "huge", "text": "word " * (1024 * 1024 + 1)},
        {"id": 7, "text": good},
        {"essay_id": "e", "full_text": good, "prompt": "P?"},
        {"id": "meta", "text": good, "grade": 5, "tags": ["a", 1.5, None], "x": {"y": True}},
    ]
    inp = tmp_path / "bad.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in as_json), encoding="utf-8")
    lines, _ = batch(cli, inp, tmp_path)
    nlp = essaymap.Pipeline()
    assert [line for line, _ in nlp._lines(as_json, batch_size=3)] == lines

    odd = [None, 42, b"\xff\xfe bad", "\ud800 lone surrogate", object(), good, {1: "x"},
           {"id": "m", "text": good, "when": object()}, {"id": "b", "text": b"caf\xc3\xa9 is open."},
           {"id": True, "text": good}]
    out = list(nlp.pipe(odd, batch_size=4))
    kinds = [a.get("error", {}).get("kind") for a in out]
    assert kinds == ["bad_record", "bad_record", "invalid_utf8", "bad_record", "bad_record",
                     None, "bad_record", "bad_record", None, None]
    assert [a["id"] for a in out] == ["0", "1", "2", "3", "4", "5", "6", "m", "b", "9"]
    assert out[9]["meta"] == {"id": True}
    assert "NoneType" in out[0]["error"]["message"]
    assert "byte offset 0" in out[2]["error"]["message"]
    assert out[5] == essaymap.analyze(good, id="5")


def test_bad_arguments_raise_clear_exceptions(tmp_path):
    for bad in (None, 42, ["text"]):
        with pytest.raises(TypeError, match="text must be str or bytes"):
            essaymap.analyze(bad)
    with pytest.raises(essaymap.InvalidUtf8Error) as e:
        essaymap.analyze(b"ok \xff", id="x")
    assert e.value.kind == "invalid_utf8" and isinstance(e.value, essaymap.EssaymapError)
    with pytest.raises(UnicodeEncodeError):
        essaymap.analyze("\ud800")
    with pytest.raises(essaymap.TooLargeError) as e:
        essaymap.Pipeline(max_bytes=10).analyze("This essay is longer than ten bytes.")
    assert e.value.kind == "too_large" and "over the limit of 10 bytes" in e.value.message
    with pytest.raises(essaymap.TooLargeError):
        essaymap.analyze("a" * (essaymap.MAX_BYTES + 1))
    with pytest.raises(essaymap.IoError) as e:
        essaymap.Pipeline(rubric=tmp_path / "missing.toml")
    assert e.value.kind == "io"
    (tmp_path / "bad.toml").write_text("this is = not [ toml", encoding="utf-8")
    with pytest.raises(essaymap.RubricError):
        essaymap.Pipeline(rubric=tmp_path / "bad.toml")
    (tmp_path / "bad.bin").write_bytes(b"not a model")
    with pytest.raises(essaymap.EssaymapError) as e:
        essaymap.Pipeline(model=tmp_path / "bad.bin")
    assert e.value.kind in ("model", "model_mismatch")
    with pytest.raises(ValueError, match="threads"):
        essaymap.Pipeline(threads=0)
    nlp = essaymap.Pipeline()
    a = nlp.analyze("Phones distract pupils. Schools should ban them.")
    with pytest.raises(ValueError, match="unknown format"):
        nlp.render(a, "pdf")
    with pytest.raises(ValueError, match="not an essaymap analysis"):
        nlp.render({"id": "x", "error": {"kind": "bad_record", "message": "m"}})
    with pytest.raises(ValueError, match="batch_size"):
        list(nlp.pipe(["x"], batch_size=0))
    assert essaymap.analyze("")["sentences"] == []


def test_pipe_releases_the_gil():
    """Another Python thread runs while a batch is analysed."""
    nlp = essaymap.Pipeline()
    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES] * 150
    ticks, stop = [0], threading.Event()

    def count():
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        before = ticks[0]
        stream = nlp._engine.stream(False)
        stream.feed(texts, 0)
        assert len(stream.take()) == len(texts)
        during = ticks[0] - before
    finally:
        stop.set()
        t.join()
    assert during > 1000


def test_pipelines_pickle_as_their_options(tmp_path):
    nlp = essaymap.Pipeline(threads=1, max_bytes=1000)
    copy = pickle.loads(pickle.dumps(nlp))
    assert repr(copy) == repr(nlp) == "essaymap.Pipeline(threads=1, max_bytes=1000)"
    text = EXAMPLES[0].read_text(encoding="utf-8")[:900]
    assert copy.analyze(text) == nlp.analyze(text)


def test_docstring_examples_run():
    import essaymap.pandas

    for module in (essaymap, essaymap.pandas):
        result = doctest.testmod(module, extraglobs={"essaymap": essaymap}, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0
