"""Stream an input file as chunks of rows: CSV, TSV, JSONL or Parquet (pyarrow, imported lazily).

A reader gives ``columns`` and ``chunks()``: lists of (values, error) with one entry per input
row, in order. A row the reader cannot parse (a broken quote, a bad JSON line, a wrong number
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

Chunk = list[tuple[list[Any], str]]


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


def open_reader(path: str, fmt: str, chunk_size: int = CHUNK) -> TableReader:
    try:
        if fmt == "parquet":
            return ParquetReader(path, chunk_size)
        stream = _text_stream(path)
        if fmt == "jsonl":
            return JsonlReader(stream, chunk_size)
        return DelimitedReader(stream, "\t" if fmt == "tsv" else ",", chunk_size)
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _text_stream(path: str) -> io.TextIOBase:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
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
    closes with the right number of fields. A quote that never closes is an error row."""

    def __init__(self, stream: io.TextIOBase, delimiter: str, chunk_size: int) -> None:
        self.stream, self.delimiter, self.chunk_size = stream, delimiter, chunk_size
        self.lines = iter(stream)
        self.pending: list[str] = []  # lines pushed back after a broken quote
        header = self._next_record()
        if header is None:
            raise UnreadableInputError("the input is empty: no header row")
        fields, error = header
        if error:
            raise UnreadableInputError(f"cannot read the header row: {error}")
        self.columns = [f.strip() for f in fields]
        self.width = len(self.columns)

    def close(self) -> None:
        self.stream.close()

    def _line(self) -> str | None:
        if self.pending:
            return self.pending.pop()
        return next(self.lines, None)

    def _parse(self, text: str) -> list[str]:
        return next(csv.reader([text], delimiter=self.delimiter, strict=True), [])

    def _next_record(self) -> tuple[list[str], str] | None:
        line = self._line()
        if line is None:
            return None
        if line.count('"') % 2 == 0:
            try:
                return self._parse(line), ""
            except csv.Error as exc:
                return _loose(line, self.delimiter), f"broken CSV quoting ({exc})"
        # an open quote: try to close it on the next lines
        taken = [line]
        while len(taken) <= MAX_CONTINUATION:
            more = self._line()
            if more is None:
                break
            taken.append(more)
            if "".join(taken).count('"') % 2 == 0:
                try:
                    fields = self._parse("".join(taken))
                except csv.Error:
                    break
                if not hasattr(self, "width") or len(fields) == self.width:
                    return fields, ""
                break
        self.pending.extend(reversed(taken[1:]))
        return _loose(line, self.delimiter), "broken CSV quoting: a quote opens a field that never closes"

    def chunks(self) -> Iterator[Chunk]:
        while chunk := self._chunk():
            yield chunk

    def _chunk(self) -> Chunk:
        """Runs of lines with balanced quotes go through one csv.reader pass; a line with an
        unbalanced quote is read on its own (it may continue on the next lines, or be broken)."""
        out: Chunk = []
        size = self.chunk_size
        while len(out) < size:
            run: list[str] = []
            while len(out) + len(run) < size:
                line = self._line()
                if line is None:
                    break
                if line.count('"') % 2:
                    self.pending.append(line)
                    break
                run.append(line)
            if run:
                out.extend(self._parse_run(run))
                if len(out) >= size:
                    break
            record = self._next_record()
            if record is None:
                break
            fields, error = record
            out.append((fields, error or self._width_check(fields)))
        return out

    def _parse_run(self, lines: list[str]) -> Chunk:
        try:
            records = list(csv.reader(lines, delimiter=self.delimiter))
        except csv.Error:  # e.g. a NUL byte
            records = []
        if len(records) == len(lines):
            return [(fields, self._width_check(fields)) for fields in records]
        out: Chunk = []  # a quote inside a field swallowed a line, or a bad byte: one by one
        for line in lines:
            try:
                fields = self._parse(line)
            except csv.Error as exc:
                out.append((_loose(line, self.delimiter), f"broken CSV quoting ({exc})"))
            else:
                out.append((fields, self._width_check(fields)))
        return out

    def _width_check(self, fields: list[str]) -> str:
        return "" if len(fields) == self.width else self._width_error(fields)

    def _width_error(self, fields: list[str]) -> str:
        if not fields:
            return "empty line"
        return f"expected {self.width} fields, found {len(fields)}"


def _loose(line: str, delimiter: str) -> list[str]:
    """Best-effort fields of a line whose quoting is broken: split on the delimiter."""
    return [f.strip().strip('"') for f in line.rstrip("\r\n").split(delimiter)]


class JsonlReader(TableReader):
    """One JSON object per line; the columns are the keys of the first chunk, in order seen.
    Keys first seen later are kept for JSONL output and dropped by tabular writers."""

    def __init__(self, stream: io.TextIOBase, chunk_size: int) -> None:
        self.stream, self.chunk_size = stream, chunk_size
        self.columns = []
        self._first = self._read(chunk_size)
        seen: dict[str, None] = {}
        for record, _ in self._first:
            seen.update(dict.fromkeys(record))
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
        batch = self._first
        columns = self.columns
        known = set(columns)
        while batch:
            chunk: Chunk = []
            for record, error in batch:
                for key in record:
                    if key not in known:  # a late key: rows before it are shorter (padded on write)
                        known.add(key)
                        columns.append(key)
                chunk.append(([record.get(c) for c in columns], error))
            yield chunk
            batch = self._read(self.chunk_size)


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
            yield [(list(values), "") for values in zip(*cols)]
