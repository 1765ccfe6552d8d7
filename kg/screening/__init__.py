"""Batch screening of claim lines (`painkg screen`, `kg.screen`).

Each line gets the verdict and necessity of `painkg check` for its procedure and diagnoses, the
mechanism, a one-line reason, flags (bad codes, Excludes1 conflicts on the claim, red flags,
investigational / non-covered procedure, region mismatch) and an error when the row is unusable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kg.screening.columns import OUTPUT_COLUMNS, ColumnMap
from kg.screening.decide import Decider
from kg.screening.run import Screener
from kg.screening.summary import Summary

__all__ = ["OUTPUT_COLUMNS", "ColumnMap", "Summary", "screen", "screen_file"]


def screen_file(input_path: str, output_path: str = "-", *, input_format: str | None = None,
                output_format: str | None = None, column_map: ColumnMap | None = None,
                kg: Any = None, progress: bool = True, chunk_size: int = 20_000,
                fast: bool = True) -> Summary:
    """Screen a file (or ``-``) into ``output_path`` (atomically); return the summary.

    CSV to CSV and TSV to TSV take the vectorised path (kg.screening.fast) when pyarrow and
    numpy are installed; ``fast=False`` forces the row path, which every other format takes."""
    from kg.screening.readers import format_of, open_reader
    from kg.screening.run import tty_progress
    from kg.screening.writers import atomic_output, make_writer

    in_fmt = format_of(input_path, input_format)
    stdout_fmt = "csv" if in_fmt == "parquet" else in_fmt
    out_fmt = output_format or (stdout_fmt if output_path == "-" else format_of(output_path, None))
    read = b""
    if in_fmt == out_fmt and in_fmt in ("csv", "tsv") and fast and _vectorised():
        summary = _screen_delimited(input_path, output_path, "\t" if in_fmt == "tsv" else ",",
                                    column_map, kg, progress, chunk_size)
        if isinstance(summary, Summary):
            return summary
        read = summary
    reader = open_reader(input_path, in_fmt, chunk_size, read)
    try:
        decider = Decider(kg)
        screener = Screener(reader.columns, column_map, decider, chunk_size=chunk_size,
                            text_rows=in_fmt in ("csv", "tsv"))
        total = reader.file.metadata.num_rows if in_fmt == "parquet" else None  # type: ignore[attr-defined]
        show = tty_progress(total) if progress else None
        with atomic_output(output_path) as stream:
            writer = make_writer(out_fmt, stream, screener.out_columns, reader.source_schema,
                                 nested=in_fmt == "jsonl")
            for rows in screener.run(reader.chunks(), show):
                writer.write(rows)
            writer.finish()
        if show:
            import sys

            sys.stderr.write("\n")
    finally:
        reader.close()
    return screener.summary


def _vectorised() -> bool:
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _screen_delimited(input_path: str, output_path: str, delimiter: str,
                      column_map: ColumnMap | None, kg: Any, progress: bool,
                      chunk_size: int) -> Summary | bytes:
    """The vectorised path; when the input already has screening columns (a screened file
    screened again), nothing is written and the bytes read from standard input are returned."""
    import sys

    from kg.screening.fast import FastScreener, read_header, screen_csv
    from kg.screening.readers import binary_stream
    from kg.screening.run import tty_progress
    from kg.screening.writers import atomic_output

    raw = binary_stream(input_path)
    try:
        first, columns = read_header(raw, delimiter)
        if not FastScreener.usable(columns):
            return first if input_path == "-" else b""
        (column_map or ColumnMap()).resolve(columns)  # missing columns: fail before any output
        show = tty_progress(None) if progress else None
        decider = Decider(kg)
        with atomic_output(output_path) as stream:
            summary = screen_csv(raw, columns, stream, delimiter, column_map, decider,
                                 chunk_size, show)
        if show:
            sys.stderr.write("\n")
    finally:
        if input_path != "-":
            raw.close()
    return summary


def screen(data: Any, *, kg: Any = None, column_map: ColumnMap | None = None,
           chunk_size: int = 10_000, **mapping: str) -> Any:
    """Screen records (an iterable of dicts) or a pandas DataFrame, for notebooks.

    Returns a list of dicts (each input record plus the screening columns) or, for a
    DataFrame, a copy with the screening columns added. Column names can be mapped with
    keywords, e.g. ``procedure="cpt"``. ``screen.last_summary`` holds the run's summary.
    """
    column_map = column_map or ColumnMap(**mapping)
    if _is_dataframe(data):
        columns = [str(c) for c in data.columns]
        rows = (list(values) for values in data.itertuples(index=False, name=None))
        screener = Screener(columns, column_map, Decider(kg), chunk_size=chunk_size)
        out = [row for chunk in screener.run(_chunked(rows, chunk_size)) for row in chunk]
        result = data.copy()
        for name, slot in zip(OUTPUT_COLUMNS, screener.slots):
            result[name] = [row[slot] for row in out]
        screen.last_summary = screener.summary  # type: ignore[attr-defined]
        return result
    records = [dict(r) for r in data] if not isinstance(data, list) else data
    columns = list(dict.fromkeys(k for r in records for k in _keys(r)))
    screener = Screener(columns, column_map, Decider(kg), chunk_size=chunk_size)
    rows = ([r.get(c) for c in columns] for r in records)
    out_columns = screener.out_columns
    result = [dict(zip(out_columns, row)) for chunk in screener.run(_chunked(rows, chunk_size))
              for row in chunk]
    screen.last_summary = screener.summary  # type: ignore[attr-defined]
    return result


def _keys(record: Mapping) -> Iterable[str]:
    return record.keys()


def _chunked(rows: Iterable[list[Any]], size: int) -> Iterable[tuple[list[list[Any]], dict[int, str]]]:
    chunk: list[list[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk, {}
            chunk = []
    if chunk:
        yield chunk, {}


def _is_dataframe(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "itertuples")
