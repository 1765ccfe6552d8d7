"""Write screened rows as CSV, TSV, JSONL or Parquet, atomically: rows go to a temporary file in
the target's directory, renamed over the target only when the run completes. Standard output
(``-``) is written as it goes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kg.screening.columns import OUTPUT_COLUMNS
from kg.screening.readers import ABSENT


class TableWriter:
    """Subclasses write ``rows`` (lists aligned with ``columns``, maybe shorter)."""

    def __init__(self, stream: IO, columns: list[str], source_schema: Any = None) -> None:
        self.stream = stream
        self.columns = columns
        self.source_schema = source_schema

    def write(self, rows: list[list[Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


def csv_line(fields: list[Any], delimiter: str = ",") -> str:
    """One CSV record without its line end. A field holding the delimiter, a quote, CR or LF is
    quoted (the csv module leaves CR, and LF too unless it is the line terminator, unquoted,
    which splits the record for every reader)."""
    out = []
    for value in fields:
        text = value if isinstance(value, str) else "" if value is None else str(value)
        if delimiter in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return delimiter.join(out)


class DelimitedWriter(TableWriter):
    def __init__(self, stream: IO, columns: list[str], source_schema: Any = None,
                 delimiter: str = ",") -> None:
        super().__init__(stream, columns, source_schema)
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        self.width = len(columns)
        self.delimiter = delimiter
        self.nested = False  # values may be JSON objects or arrays (a JSONL input)
        self.text.write(csv_line(columns, delimiter) + "\n")

    def write(self, rows: list[list[Any]]) -> None:
        width = self.width
        fixed = [r if len(r) == width else (r + [""] * width)[:width] for r in rows]
        if self.nested:  # JSON objects and arrays are written as JSON
            fixed = [[_text(v) if isinstance(v, dict | list) else v for v in r] for r in fixed]
        delimiter = self.delimiter
        self.text.write("".join(csv_line(r, delimiter) + "\n" for r in fixed))

    def finish(self) -> None:
        self.text.flush()
        self.text.detach()


class JsonlWriter(TableWriter):
    def __init__(self, stream: IO, columns: list[str], source_schema: Any = None) -> None:
        super().__init__(stream, columns, source_schema)
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=False)

    def write(self, rows: list[list[Any]]) -> None:
        columns = self.columns
        dumps = json.dumps
        self.text.write("".join(
            dumps({k: v for k, v in zip(columns, row) if v is not ABSENT}, ensure_ascii=False,
                  default=str) + "\n" for row in rows
        ))

    def finish(self) -> None:
        self.text.flush()
        self.text.detach()


class ParquetWriter(TableWriter):
    """Input columns keep their Parquet types when the input is Parquet; otherwise strings."""

    def __init__(self, stream: IO, columns: list[str], source_schema: Any = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(stream, columns, source_schema)
        self.pa = pa
        fixed = list(columns)
        fields = []
        for name in fixed:
            if source_schema is not None and name in source_schema.names and name not in OUTPUT_COLUMNS:
                fields.append(source_schema.field(name))
            else:
                fields.append(pa.field(name, pa.string()))
        self.schema = pa.schema(fields)
        self.width = len(fixed)
        self.typed = source_schema is not None
        self.parquet = pq.ParquetWriter(stream, self.schema)

    def write(self, rows: list[list[Any]]) -> None:
        width = self.width
        fixed = [r if len(r) == width else (r + [None] * width)[:width] for r in rows]
        arrays = []
        for i, field in enumerate(self.schema):
            values = [r[i] for r in fixed]
            if field.type == self.pa.string():
                values = [v if isinstance(v, str) else None if v is None or v is ABSENT else _text(v)
                          for v in values]
            arrays.append(self.pa.array(values, type=field.type))
        self.parquet.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def finish(self) -> None:
        self.parquet.close()


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


WRITERS = {"csv": DelimitedWriter, "tsv": DelimitedWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}


def make_writer(fmt: str, stream: IO, columns: list[str], source_schema: Any = None,
                nested: bool = False) -> TableWriter:
    """``nested``: values may be JSON objects or arrays (a JSONL input)."""
    if fmt == "tsv":
        writer: TableWriter = DelimitedWriter(stream, columns, source_schema, delimiter="\t")
    else:
        writer = WRITERS[fmt](stream, columns, source_schema)
    if isinstance(writer, DelimitedWriter):
        writer.nested = nested
    return writer


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[IO[bytes]]:
    """A binary stream for ``path``: a temporary file beside it, renamed over it on success and
    removed on any failure (an exception, Ctrl-C). ``-`` is standard output."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
