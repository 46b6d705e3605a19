"""essaymap: read argumentative essays and map how they argue.

The Python face of the essaymap Rust library: the same pipeline, models and
JSON as the ``essaymap`` command-line tool.

>>> import essaymap
>>> a = essaymap.analyze("Phones distract pupils. Schools should ban them.",
...                      title="Should schools ban phones?")
>>> [s["label"] for s in a["sentences"]]  # doctest: +SKIP
['evidence', 'claim']

Many essays: make one :class:`Pipeline` and stream them through
:meth:`Pipeline.pipe` (parallel, in input order, GIL released). For pandas see
:mod:`essaymap.pandas`, for Spark :mod:`essaymap.spark`.

Errors are :class:`EssaymapError` subclasses named after the library's error
kinds; ``err.kind`` is the code ``essaymap batch`` writes in error records.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

from ._essaymap import (
    BadRecordError,
    Engine as _Engine,
    EssaymapError,
    InvalidJsonError,
    InvalidUtf8Error,
    IoError,
    ModelError,
    ModelMismatchError,
    RubricError,
    TooLargeError,
    UnavailableError,
    __version__,
)
from ._essaymap import segment as _segment

__all__ = [
    "analyze",
    "segment",
    "Pipeline",
    "SUMMARY_COLUMNS",
    "FORMATS",
    "EssaymapError",
    "IoError",
    "InvalidUtf8Error",
    "InvalidJsonError",
    "BadRecordError",
    "TooLargeError",
    "ModelError",
    "RubricError",
    "ModelMismatchError",
    "UnavailableError",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]
Text = Union[str, bytes]
Item = Union[str, bytes, Mapping[str, Any]]

#: Formats of :meth:`Pipeline.render`, as ``essaymap analyze --format``.
FORMATS = ("html", "aif", "dot", "mermaid", "text", "json", "jsonl")

#: ``batch`` refuses texts over this many bytes (UTF-8), and so does the package.
MAX_BYTES = 5 * 1024 * 1024


def _path(p: Optional[PathLike]) -> Optional[str]:
    return None if p is None else os.fspath(p)


class Pipeline:
    """Every stage of essaymap, loaded once: segmenter, role model, link model
    and grader.

    Args:
        model: a role-model file (``essaymap train``); default the built-in one.
        links_model: a link-model file; default the built-in one.
        rubric: a rubric TOML file for the suggested scores (as ``--rubric``).
        threads: worker threads of this pipeline's own pool; default all
            cores (rayon's global pool, shared by every pipeline).
        max_bytes: texts longer than this (UTF-8 bytes) are refused, as by
            ``essaymap batch``.

    Raises:
        ModelError, ModelMismatchError, RubricError, IoError: a file that does
            not load.

    >>> nlp = essaymap.Pipeline(threads=2)                    # doctest: +SKIP
    >>> for a in nlp.pipe(["First essay ...", {"id": "e2", "text": "..."}]):
    ...     print(a["id"], a.get("error"))                    # doctest: +SKIP

    A pipeline is thread-safe; it pickles as its options (the models are
    loaded again where it is unpickled).
    """

    def __init__(
        self,
        model: Optional[PathLike] = None,
        links_model: Optional[PathLike] = None,
        rubric: Optional[PathLike] = None,
        threads: Optional[int] = None,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._options = dict(
            model=_path(model),
            links_model=_path(links_model),
            rubric=_path(rubric),
            threads=threads,
            max_bytes=max_bytes,
        )
        self._engine = _Engine(**self._options)

    def __reduce__(self):
        return (_from_options, (self._options,))

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._options.items() if v is not None)
        return f"essaymap.Pipeline({opts})"

    @property
    def summary_columns(self) -> list[str]:
        """The columns of ``essaymap batch --summary``, in order."""
        return self._engine.summary_columns

    def analyze(self, text: Text, title: Optional[str] = None, id: Optional[str] = None) -> dict:
        """Analyses one essay: the object ``essaymap analyze --format json`` writes.

        Args:
            text: the essay (``str``, or ``bytes`` in UTF-8).
            title: the prompt or title it answers (helps find the thesis).
            id: the essay's id, written as ``"id"``.

        Returns:
            A dict with ``id``, ``title``, ``paragraphs``, ``sentences`` (each
            with ``label``, probabilities and ``thesis``), ``map`` and
            ``assessment`` (metrics, feedback, rubric suggestion).

        Raises:
            TypeError: ``text`` is not str or bytes.
            InvalidUtf8Error: ``bytes`` that are not UTF-8.
            TooLargeError: a text over ``max_bytes``.

        >>> nlp = essaymap.Pipeline()
        >>> a = nlp.analyze("Phones distract pupils. Schools should ban them.", id="e1")
        >>> a["id"], len(a["sentences"])
        ('e1', 2)
        """
        return json.loads(self._engine.analyze(text, title, id))

    def pipe(
        self, items: Iterable[Item], batch_size: int = 256, as_json: bool = False
    ) -> Iterator[Any]:
        """Analyses many essays in parallel; yields one dict per item, in input order.

        Items are texts (``str`` or UTF-8 ``bytes``; the id is the item's
        0-based position as a string) or dicts read as ``essaymap batch`` reads
        a JSONL line: ``"id"`` (or ``"essay_id"``; default the position),
        ``"text"`` (or ``"full_text"``/``"essay"``), ``"title"`` (or
        ``"prompt"``), other keys passed through under ``"meta"``.

        Each result is the object ``batch`` writes for that record; a record
        that cannot be analysed (not text, empty, over ``max_bytes``, bad
        UTF-8) yields ``{"id": ..., "error": {"kind": ..., "message": ...}}``
        and the stream goes on.

        ``batch_size`` items are analysed at a time on the pipeline's threads,
        with the next batch queued, while the previous batch's results are
        handed out, so memory stays bounded by about three batches whatever
        the input's length.

        With ``as_json=True`` it yields each result's JSON text instead, the
        very line ``batch`` writes: much faster when the results go to a file
        or a table, as Python then builds no dicts.

        >>> nlp = essaymap.Pipeline()
        >>> out = list(nlp.pipe(["Phones distract pupils.", {"id": "b", "text": ""}]))
        >>> out[0]["id"], out[1]["error"]["kind"]
        ('0', 'bad_record')
        """
        for line in self._batches(items, batch_size, rows=False):
            yield line if as_json else json.loads(line)

    def _lines(self, items: Iterable[Item], batch_size: int = 256) -> Iterator[tuple]:
        """As :meth:`pipe`, unparsed: ``(json line, summary row or None)``,
        the row's values as strings in :attr:`summary_columns` order."""
        return self._batches(items, batch_size, rows=True)

    def _batches(self, items: Iterable[Item], batch_size: int, rows: bool) -> Iterator[Any]:
        """The output lines of ``items`` (with their rows if ``rows``), in
        input order, analysed ``batch_size`` at a time."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")
        it = iter(items)
        stream = self._engine.stream(rows)
        start = 0

        def feed() -> int:
            nonlocal start
            chunk = list(itertools.islice(it, batch_size))
            if chunk:
                stream.feed(chunk, start)
                start += len(chunk)
            return 1 if chunk else 0

        # One batch is analysed and the next waits in the stream's queue
        # while this generator hands out the previous one's results.
        pending = feed() + feed()
        while pending:
            done = stream.take()
            pending += feed() - 1
            yield from done

    def render(self, analysis: Union[Mapping[str, Any], str], format: str = "html") -> str:
        """Renders an analysis (a dict from :meth:`analyze` or :meth:`pipe`, or
        its JSON text) as ``format``: one of :data:`FORMATS`, as
        ``essaymap analyze --format``.

        Raises:
            ValueError: an unknown format, or an object that is not an analysis
                (an error record, say).

        >>> nlp = essaymap.Pipeline()
        >>> a = nlp.analyze("Phones distract pupils. Schools should ban them.")
        >>> nlp.render(a, "mermaid").startswith("flowchart")
        True
        """
        text = analysis if isinstance(analysis, str) else json.dumps(analysis)
        return self._engine.render(text, format)


def _from_options(options: dict) -> Pipeline:
    return Pipeline(**options)


_default: Optional[Pipeline] = None
_default_lock = threading.Lock()


def _default_pipeline() -> Pipeline:
    global _default
    with _default_lock:
        if _default is None:
            _default = Pipeline()
        return _default


#: The columns of ``essaymap batch --summary`` (per-essay metrics), in order.
SUMMARY_COLUMNS: tuple = tuple(_default_pipeline().summary_columns)


def analyze(
    text: Text,
    title: Optional[str] = None,
    id: Optional[str] = None,
    rubric: Optional[PathLike] = None,
) -> dict:
    """Analyses one essay with the built-in models: the object
    ``essaymap analyze --format json`` writes (see :meth:`Pipeline.analyze`).

    ``rubric`` is a rubric TOML file (as ``--rubric``); it is read on every
    call, so for many essays make a ``Pipeline(rubric=...)`` once.

    >>> a = essaymap.analyze("Phones distract pupils. Schools should ban them.")
    >>> sorted(a)[:4]
    ['assessment', 'map', 'paragraphs', 'sentences']
    """
    nlp = _default_pipeline() if rubric is None else Pipeline(rubric=rubric)
    return nlp.analyze(text, title=title, id=id)


def segment(text: Text, id: Optional[str] = None) -> dict:
    """Splits an essay into paragraphs and sentences, unlabelled: the object
    ``essaymap segment --format json`` writes. Offsets are Unicode code points
    (Python ``str`` indices), end-exclusive.

    >>> d = essaymap.segment("One sentence. Another one.\\n\\nA new paragraph.")
    >>> [s["text"] for s in d["sentences"]]
    ['One sentence.', 'Another one.', 'A new paragraph.']
    """
    return json.loads(_segment(text, id))
