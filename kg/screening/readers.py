"""Stream an input file as chunks of rows: CSV, TSV, JSONL or Parquet (pyarrow, imported lazily).

A reader gives ``columns`` and ``chunks()``: (rows, errors) with one row (a list of values) per
input row, in order, and ``errors`` mapping a row's index in the chunk to what went wrong. A row the reader cannot parse (a broken quote, a bad JSON line, a wrong number
of fields) keeps what could be read and carries an error, so no row is ever lost.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from kg.errors import InputError

CHUNK = 10_000
FORMATS = ("csv", "tsv", "jsonl", "parquet")
EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
              ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
MAX_CONTINUATION = 20  # physical lines a quoted field may span before the quote is called broken

Chunk = tuple[list[list[Any]], dict[int, str]]


class UnreadableInputError(InputError):
    code = "unreadable-input"


def format_of(path: str, given: str | None, default: str = "csv") -> str:
    if given:
        return given
    if path == "-":
        return default
    name = path.lower().removesuffix(".gz")
    fmt = EXTENSIONS.get(Path(name).suffix)
    if fmt is None:
        raise InputError(f"cannot tell the format of {path!r} from its extension; pass "
                         f"--input-format ({', '.join(FORMATS)})")
    return fmt


def open_reader(path: str, fmt: str, chunk_size: int = CHUNK, read: bytes = b"") -> TableReader:
    """``read``: bytes of standard input already read, to be read first."""
    try:
        if fmt == "parquet":
            return ParquetReader(path, chunk_size)
        stream = _text_stream(path, read)
        if fmt == "jsonl":
            if path == "-":
                stream = _spooled(stream)
            return JsonlReader(stream, chunk_size)
        return DelimitedReader(stream, "\t" if fmt == "tsv" else ",", chunk_size)
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def binary_stream(path: str) -> BinaryIO:
    """The raw bytes of ``path`` (``-``: standard input; ``.gz``: decompressed)."""
    try:
        if path == "-":
            return sys.stdin.buffer
        if path.endswith(".gz"):
            import gzip

            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _spooled(stream: io.TextIOBase) -> io.TextIOBase:
    """A copy of ``stream`` in a temporary file, to be read twice."""
    import shutil
    import tempfile

    copy = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (returned open)
    shutil.copyfileobj(stream, copy, 1 << 20)
    copy.seek(0)
    return copy  # type: ignore[return-value]


class _Prefixed(io.RawIOBase):
    """``prefix`` then the rest of ``raw``."""

    def __init__(self, prefix: bytes, raw: BinaryIO) -> None:
        self.prefix, self.raw = prefix, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.prefix[: len(buffer)] if self.prefix else self.raw.read1(len(buffer))  # type: ignore[attr-defined]
        self.prefix = self.prefix[len(data):]
        buffer[: len(data)] = data
        return len(data)


def _text_stream(path: str, read: bytes = b"") -> io.TextIOBase:
    if path == "-":
        source = io.BufferedReader(_Prefixed(read, sys.stdin.buffer)) if read else sys.stdin.buffer
        return io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace", newline="")
    if path.endswith(".gz"):
        import gzip

        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


class TableReader:
    columns: list[str]
    source_schema: Any = None  # a pyarrow schema when the input is Parquet

    def chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DelimitedReader(TableReader):
    """CSV/TSV with one row per physical line, except a quoted field that spans lines and
    closes with the right number of fields. A quote that never closes is an error row, and
    the lines after it are read normally."""

    def __init__(self, stream: io.TextIOBase, delimiter: str, chunk_size: int) -> None:
        self.stream, self.delimiter, self.chunk_size = stream, delimiter, chunk_size
        self.lines = iter(stream)
        self.pending: list[str] = []  # lines read ahead, to be read first
        first = next(self.lines, None)
        if first is None:
            raise UnreadableInputError("the input is empty: no header row")
        try:
            header = self._parse(first)
        except csv.Error as exc:
            raise UnreadableInputError(f"cannot read the header row: {exc}") from exc
        self.columns = [f.strip() for f in header]
        self.width = len(self.columns)

    def close(self) -> None:
        self.stream.close()

    def _parse(self, text: str) -> list[str]:
        return next(csv.reader([text], delimiter=self.delimiter, strict=True), [])

    def chunks(self) -> Iterator[Chunk]:
        while True:
            lines = self.pending + list(islice(self.lines, self.chunk_size - len(self.pending)))
            self.pending = []
            if not lines:
                return
            yield self._chunk(lines)

    def _chunk(self, lines: list[str]) -> Chunk:
        """Runs of lines with balanced quotes go through one csv.reader pass; a line with an
        unbalanced quote is read with the lines that may close it, or is an error row."""
        rows: list[list[str]] = []
        errors: dict[int, str] = {}
        size = len(lines)
        odd = [i for i, line in enumerate(lines) if '"' in line and line.count('"') % 2]
        start = 0
        for i in odd:
            if i < start:  # already read as the continuation of a quoted field
                continue
            self._run(lines[start:i], rows, errors)
            start, fields, error = self._quoted(lines, i)
            if error:
                errors[len(rows)] = error
            rows.append(fields)
        self._run(lines[start:size], rows, errors)
        self.pending = lines[max(start, size):]  # read ahead past the chunk and not used
        return rows, errors

    def _quoted(self, lines: list[str], i: int) -> tuple[int, list[str], str]:
        """Line ``i`` opens a quote: join the next lines until it closes (reading ahead when
        needed); the joined record must have the header's width. Returns the next index."""
        for end in range(i + 1, i + 1 + MAX_CONTINUATION):
            if end >= len(lines):
                more = next(self.lines, None)
                if more is None:
                    break
                lines.append(more)
            text = "".join(lines[i : end + 1])
            if text.count('"') % 2 == 0:
                try:
                    fields = self._parse(text)
                except csv.Error:
                    break
                if len(fields) == self.width:
                    return end + 1, fields, ""
                break
        return i + 1, _loose(lines[i], self.delimiter), (
            "broken CSV quoting: a quote opens a field that never closes")

    def _run(self, lines: list[str], rows: list[list[str]], errors: dict[int, str]) -> None:
        if not lines:
            return
        base = len(rows)
        try:
            records = list(csv.reader(lines, delimiter=self.delimiter))
        except csv.Error:  # e.g. a NUL byte
            records = []
        if len(records) != len(lines):  # a quote inside a field swallowed a line: one by one
            records = []
            for n, line in enumerate(lines):
                try:
                    records.append(self._parse(line))
                except csv.Error as exc:
                    records.append(_loose(line, self.delimiter))
                    errors[base + n] = f"broken CSV quoting ({exc})"
        width = self.width
        for n in [n for n, fields in enumerate(records) if len(fields) != width]:
            if base + n not in errors:
                errors[base + n] = (f"expected {width} fields, found {len(records[n])}"
                                    if records[n] else "empty line")
        rows.extend(records)


def _loose(line: str, delimiter: str) -> list[str]:
    """Best-effort fields of a line whose quoting is broken: split on the delimiter."""
    return [f.strip().strip('"') for f in line.rstrip("\r\n").split(delimiter)]


class _Absent:
    """The value of a column that a JSON record does not have (falsy, written as "")."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


class JsonlReader(TableReader):
    """One JSON object per line. The columns are every key of the input, in order of first
    appearance: a first pass reads the keys (standard input is first copied to a temporary
    file), so no key is ever dropped. A record without a key has ``ABSENT`` there: JSONL
    output leaves the key out (each record keeps its own keys), CSV writes "", Parquet null."""

    def __init__(self, stream: io.TextIOBase, chunk_size: int) -> None:
        self.stream, self.chunk_size = stream, chunk_size
        seen: dict[str, None] = {}
        for line in stream:
            if "{" in line:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and not seen.keys() >= record.keys():
                    seen.update(dict.fromkeys(record))
        stream.seek(0)
        self.columns = list(seen)

    def close(self) -> None:
        self.stream.close()

    def _read(self, n: int) -> list[tuple[dict, str]]:
        out = []
        for line in islice(self.stream, n):
            if not line.strip():
                out.append(({}, "empty line"))
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                out.append(({}, f"invalid JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(record, dict):
                out.append(({}, "a JSON line must be an object"))
                continue
            out.append((record, ""))
        return out

    def chunks(self) -> Iterator[Chunk]:
        columns = self.columns
        while batch := self._read(self.chunk_size):
            rows: list[list[Any]] = []
            errors: dict[int, str] = {}
            for record, error in batch:
                if error:
                    errors[len(rows)] = error
                rows.append([record.get(c, ABSENT) for c in columns])
            yield rows, errors


class ParquetReader(TableReader):
    def __init__(self, path: str, chunk_size: int) -> None:
        import pyarrow.parquet as pq

        source: str | BinaryIO = sys.stdin.buffer if path == "-" else path
        if path == "-":
            source = io.BytesIO(sys.stdin.buffer.read())  # Parquet needs a seekable file
        try:
            self.file = pq.ParquetFile(source)
        except Exception as exc:  # pyarrow raises ArrowInvalid and friends
            raise UnreadableInputError(f"cannot read {path} as Parquet: {exc}") from exc
        self.source_schema = self.file.schema_arrow
        self.columns = list(self.source_schema.names)
        self.chunk_size = chunk_size

    def chunks(self) -> Iterator[Chunk]:
        columns = self.columns
        for batch in self.file.iter_batches(batch_size=self.chunk_size):
            data = batch.to_pydict()
            cols = [data[c] for c in columns]
            yield [list(values) for values in zip(*cols)], {}
