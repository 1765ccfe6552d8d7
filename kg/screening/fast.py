"""The vectorised path for CSV in, CSV out (or TSV, TSV): pyarrow and numpy over blocks of
lines, Python only per distinct key.

A block of the file (2 MB, cut at a line end) becomes one pyarrow array of lines (numpy finds
the line ends). For lines without a quote and with the header's number of fields, one regular
expression picks the key fields (procedure and diagnoses as written); a line with a quote or a
wrong number of fields is read by the csv module, as ``readers.DelimitedReader`` reads it (a
quote that opens a field may close on a following line; one that never closes is an error
row), so no row is lost. Each distinct key is decided once and maps to an outcome id; an
outcome's screening columns are CSV-encoded once, and each output line is the input line as
written plus that text.

Excludes1 conflicts need the claim's diagnoses: an outcome carries the conflicts among its own
codes; only a claim whose lines have different diagnosis sets is looked at row by row. The
rows of the last claim of a block wait for the next block, so a claim split by a block
boundary is still one claim. Tests check that the output equals the row path's, byte for byte.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import operator
import re
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kg.screening.columnar import ColumnDecider
from kg.screening.columns import OUTPUT_COLUMNS, ColumnMap, Positions
from kg.screening.decide import Decider, Decision
from kg.screening.readers import MAX_CONTINUATION, UnreadableInputError, _loose
from kg.screening.run import MAX_CLAIM_LINES, with_conflicts
from kg.screening.summary import MAX_ERROR_SAMPLES, Summary
from kg.screening.writers import csv_line

BYTES_PER_ROW = 100  # chunk_size rows -> block size in bytes (2 MB by default)
MAX_OUTCOMES = 100_000  # distinct outcomes (or sets of codes) remembered; past it the table starts afresh
BROKEN_QUOTE = "broken CSV quoting: a quote opens a field that never closes"


def read_header(raw: BinaryIO, delimiter: str) -> tuple[bytes, list[str]]:
    """The first line of ``raw`` as read, and the column names it gives."""
    first = raw.readline()
    if not first.strip():
        raise UnreadableInputError("the input is empty: no header row")
    text = first.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").rstrip("\r\n")
    try:
        names = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        raise UnreadableInputError(f"cannot read the header row: {exc}") from exc
    return first, [f.strip() for f in names]


class _NeedsMore(Exception):
    """A quote opens on this line and the block ends before it could close."""

    def __init__(self, line: int) -> None:
        self.line = line


class Block:
    """The rows of one block: ``lines`` (one per row); the rows read by the csv module
    (``special``: row -> fields, padded or cut to the header's width), and the rows' errors."""

    def __init__(self, lines: pa.Array, special: dict[int, list[str]], errors: dict[int, str]) -> None:
        self.lines, self.special, self.errors = lines, special, errors


class Prepared(NamedTuple):
    """A block with its columnar work done (FastScreener.prepare)."""

    block: Block
    vector: np.ndarray  # rows taken by the vectorised path (not special)
    rows: list[int]  # the special rows, in order
    keys: list[str]  # distinct keys of the vectorised rows (key path)
    indices: np.ndarray  # row -> index into keys
    texts: pa.Array
    claims: pa.Array
    # column path (keys themselves are not kept): distinct procedures as written, key -> index
    procedures: list[str] | None = None
    procedure_indices: np.ndarray | None = None
    # per pointer holding a value in the block: its distinct values as written, key -> index
    pointers: list[tuple[list[str], np.ndarray]] | None = None


def prefetched(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """``items``, computed ahead in a thread (pyarrow and numpy release the GIL, so reading and
    columnar work overlap with the decisions); its errors are raised here, in order."""
    import queue
    import threading

    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def hand_over(item: Any, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                ready.put((item, error), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False  # the consumer has stopped

    def work() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(done)
        except BaseException as exc:  # raised again by the consumer
            hand_over(done, exc)

    thread = threading.Thread(target=work, name="painkg-screen-read", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _join_and_write(write: Callable[[bytes], Any], texts: pa.Array, tails: pa.Array,
                    inverse: np.ndarray) -> None:
    """Write each row's text followed by its tail (``tails[inverse[row]]``)."""
    out = pc.binary_join_element_wise(texts, tails.take(pa.array(inverse)),
                                      pa.scalar("", pa.large_string()))
    offsets = np.frombuffer(out.buffers()[1], np.int64)[out.offset : out.offset + len(texts) + 1]
    write(out.buffers()[2][int(offsets[0]) : int(offsets[-1])])  # the lines, each ending "\n"


class WriteBehind:
    """Runs ``work(write, *item)`` for each item put, in order, in a thread (the joins and the
    writes release the GIL); its first error is raised by the next ``put`` or on leaving."""

    def __init__(self, work: Callable[..., None], write: Callable[[bytes], Any], depth: int = 2) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.work, self.write, self.depth = work, write, depth
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="painkg-screen-write")
        self.pending: list[Any] = []

    def put(self, item: tuple) -> None:
        self.pending.append(self.pool.submit(self.work, self.write, *item))
        while len(self.pending) > self.depth:
            self.pending.pop(0).result()

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        try:
            if kind is None:
                while self.pending:
                    self.pending.pop(0).result()
        finally:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)


class LineReader:
    """Blocks of rows from a binary CSV/TSV stream whose header was read."""

    def __init__(self, raw: BinaryIO, delimiter: str, width: int, block_bytes: int) -> None:
        self.raw, self.delimiter, self.width = raw, delimiter, width
        self.block_bytes = max(block_bytes, 1 << 12)

    def blocks(self) -> Iterator[Block]:
        carry = b""
        eof = False
        while not eof:
            data = self.raw.read(self.block_bytes)
            eof = not data
            buf = carry + data
            carry = b""
            if not eof:
                cut = buf.rfind(b"\n")
                if cut < 0:
                    carry = buf
                    continue
                buf, carry = buf[: cut + 1], buf[cut + 1 :]
            if not buf:
                return
            block, rest = self._block(buf, eof)
            carry = rest + carry
            if block is not None:
                yield block

    def _block(self, buf: bytes, eof: bool) -> tuple[Block | None, bytes]:
        """The block's rows, and the bytes of the lines left for the next block."""
        try:
            buf.decode("utf-8")
        except UnicodeDecodeError:
            buf = buf.decode("utf-8", "replace").encode("utf-8")
        if b"\r" in buf and b"\n" not in buf:  # bare CR line ends: universal newlines
            buf = buf.replace(b"\r", b"\n")
        if not buf.endswith(b"\n"):
            buf += b"\n"
        ends = np.flatnonzero(np.frombuffer(buf, np.uint8) == 10)
        offsets = np.empty(len(ends) + 1, np.int64)
        offsets[0] = 0
        offsets[1:] = ends + 1
        # the lines as read (a CRLF's CR kept: quoted values keep their line ends as written),
        # and without it (the rows' text)
        raw = pc.utf8_rtrim(pa.LargeStringArray.from_buffers(
            len(ends), pa.py_buffer(offsets), pa.py_buffer(buf)), characters="\n")
        lines = pc.replace_substring_regex(raw, "\r$", "") if b"\r" in buf else raw
        quotes = np.flatnonzero(np.frombuffer(buf, np.uint8) == 34)  # lines with a quote
        quoted = np.unique(np.searchsorted(ends, quotes)) if len(quotes) else quotes
        try:
            return self._rows(lines, raw, quoted, eof), b""
        except _NeedsMore as more:
            if more.line == 0:
                return None, buf  # one quoted field longer than the block: read more
            rest = ("\n".join(raw.slice(more.line).to_pylist()) + "\n").encode("utf-8")
            return self._rows(lines.slice(0, more.line), raw.slice(0, more.line),
                              quoted[quoted < more.line], True), rest

    def _rows(self, lines: pa.Array, raw: pa.Array, quoted: np.ndarray, eof: bool) -> Block:
        n, width, delimiter = len(lines), self.width, self.delimiter
        special: dict[int, list[str]] = {}  # line -> fields
        errors: dict[int, str] = {}
        consumed: list[int] = []  # continuation lines of a quoted field
        if len(quoted):
            texts = raw.take(pa.array(quoted)).to_pylist()
            skip_until = -1
            at = quoted.tolist()
            for p, (i, line) in enumerate(zip(at, texts)):
                if i <= skip_until:
                    continue
                if line.count('"') % 2 == 0:
                    try:
                        special[i] = next(csv.reader([line], delimiter=delimiter), [])
                    except csv.Error as exc:
                        special[i], errors[i] = (_loose(line.removesuffix("\r"), delimiter),
                                                 f"broken CSV quoting ({exc})")
                    continue
                if p + 1 < len(at) and at[p + 1] <= i + MAX_CONTINUATION:
                    end, fields = self._quoted(raw, i, eof)
                elif not eof and i + MAX_CONTINUATION >= n:  # a quote may close past the block
                    raise _NeedsMore(i)
                else:  # no other quote within reach: it never closes
                    end, fields = i, None
                if fields is None:
                    special[i], errors[i] = _loose(line.removesuffix("\r"), delimiter), BROKEN_QUOTE
                else:
                    special[i] = fields
                    consumed.extend(range(i + 1, end + 1))
                    skip_until = end
        counts = _numpy(pc.count_substring(lines, delimiter)) + 1
        for i in np.flatnonzero(counts != width).tolist():
            if i not in special:
                line = lines[i].as_py()
                special[i] = line.split(delimiter) if line else []
        for i, fields in special.items():
            if len(fields) != width:
                if i not in errors:
                    errors[i] = f"expected {width} fields, found {len(fields)}" if fields else "empty line"
                special[i] = (fields + [""] * width)[:width]
        if consumed:  # rows are the lines without the continuation lines
            keep = np.ones(n, dtype=bool)
            keep[consumed] = False
            mask = pa.array(keep)
            lines = lines.filter(mask)
            row_of = np.cumsum(keep) - 1
            special = {int(row_of[i]): f for i, f in special.items() if keep[i]}
            errors = {int(row_of[i]): e for i, e in errors.items() if keep[i]}
        return Block(lines, special, errors)

    def _quoted(self, lines: pa.Array, i: int, eof: bool) -> tuple[int, list[str] | None]:
        """Line ``i`` opens a quote: join the next lines until it closes; the record must have
        the header's width. Returns the last line used and the fields (None: never closes)."""
        following = lines.slice(i, MAX_CONTINUATION + 1).to_pylist()
        for end in range(1, len(following)):
            joined = "\n".join(following[: end + 1])
            if joined.count('"') % 2 == 0:
                try:
                    fields = next(csv.reader([joined], delimiter=self.delimiter, strict=True), [])
                except csv.Error:
                    return i, None
                return (i + end, fields) if len(fields) == self.width else (i, None)
        if not eof and len(following) < MAX_CONTINUATION + 1:
            raise _NeedsMore(i)
        return i, None


class Outcomes:
    """Outcome ids: a decision with the Excludes1 conflicts of its claim, and its CSV suffix.
    Rows whose diagnoses differ only by codes that change nothing share an outcome; each row
    also carries the id of its own set of codes (``set_id``), for the claim-level Excludes1."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.decisions: list[Decision] = []  # id -> the decision with its conflicts
        self.base: list[Decision] = []  # id -> the decision without them
        self.hits: list[tuple] = []  # id -> the conflicts
        self.suffix: list[str] = []  # id -> delimiter, the screening columns as CSV, line end
        self.counts = np.zeros(0, np.int64)  # id -> rows, until fold()
        self.errors: list[bool] = []
        self.set_codes: list[tuple[str, ...]] = []  # set id -> its codes
        self._index: dict[Any, int] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._texts: dict[tuple[str, ...], str] = {}  # screening values -> suffix
        self._sets: dict[tuple[str, ...], int] = {}

    def set_id(self, codes: tuple[str, ...]) -> int:
        found = self._sets.get(codes)
        if found is None:
            found = self._sets[codes] = len(self.set_codes)
            self.set_codes.append(codes)
        return found

    def __len__(self) -> int:
        return len(self.decisions)

    def id(self, base: Decision, hits: tuple = ()) -> int:
        key = (id(base), hits) if hits else id(base)  # ``base`` stays alive in self.base
        found = self._index.get(key)
        if found is None:
            d = with_conflicts(base, list(hits)) if hits else base
            found = self._index[key] = len(self.decisions)
            self.decisions.append(d)
            self.base.append(base)
            self.hits.append(hits)
            self.errors.append(bool(d.error))
        return found

    def column(self, name: str) -> np.ndarray:
        """``errors`` as a numpy array (extended as ids are added)."""
        values = getattr(self, name)
        have = self._arrays.get(name)
        if have is None or len(have) < len(values):
            new = np.asarray(values[0 if have is None else len(have):], dtype=np.int64)
            have = self._arrays[name] = new if have is None else np.concatenate([have, new])
        return have

    def suffixes(self) -> list[str]:
        """id -> the screening columns as CSV, after a delimiter and before a line end. Lines
        that differ only by a diagnosis that changes nothing share one text."""
        new = self.decisions[len(self.suffix):]
        if new:
            shared = self._texts
            keys = [(d.verdict, d.necessity, d.mechanism, d.reason, d.flags_text, d.error) for d in new]
            delimiter = self.delimiter
            for k in dict.fromkeys(k for k in keys if k not in shared):
                shared[k] = delimiter + csv_line(k, delimiter) + "\n"
            self.suffix.extend(shared[k] for k in keys)
        return self.suffix

    def counted(self, ids: np.ndarray) -> None:
        """Add the rows of ``ids`` to the counts per id."""
        found = np.bincount(ids, minlength=len(self.decisions))
        if len(self.counts) < len(found):
            self.counts = np.concatenate([self.counts, np.zeros(len(found) - len(self.counts), np.int64)])
        self.counts += found

    def fold(self, summary: Summary) -> None:
        """Move the counts per id into ``summary``."""
        decisions = self.decisions
        for i in np.flatnonzero(self.counts).tolist():
            summary.add(decisions[i], int(self.counts[i]))
        self.counts = np.zeros(0, np.int64)


class FastScreener:
    """Screen blocks of rows into output bytes, in input order."""

    def __init__(self, columns: list[str], column_map: ColumnMap | None, decider: Decider,
                 summary: Summary | None = None, delimiter: str = ",") -> None:
        self.columns, self.delimiter = columns, delimiter
        self.positions: Positions = (column_map or ColumnMap()).resolve(columns)
        pos = self.positions
        self.key_columns = [pos.procedure, *pos.pointers] + ([pos.joined] if pos.joined is not None else [])
        self._sorted = sorted(set(self.key_columns))
        self._pattern, self._replacement = _key_pattern(self._sorted, len(columns), delimiter)
        self.out_columns = list(columns) + list(OUTPUT_COLUMNS)
        self.decider = decider
        self.summary = summary or Summary()
        self.outcomes = Outcomes(delimiter)
        self._keys: dict[str, int] = {}  # raw key -> outcome id (with the decision's own conflicts)
        self._errors: dict[str, int] = {}  # parse error -> outcome id
        self._held: tuple[pa.Array, np.ndarray, np.ndarray, pa.Array] | None = None
        # rows decided from their columns (the dxN pointers); a joined diagnoses column: by key
        self.columnar = (ColumnDecider(decider, len(self.positions.pointers))
                         if self.positions.joined is None else None)
        self.done = 0

    @staticmethod
    def usable(columns: list[str]) -> bool:
        """The vectorised path appends the screening columns; an input that has them already
        (a screened file screened again) takes the row path."""
        return not set(OUTPUT_COLUMNS) & set(columns)

    def header(self) -> bytes:
        return (csv_line(self.out_columns, self.delimiter) + "\n").encode("utf-8")

    def run(self, blocks: Iterator[Block], write: Callable[[bytes], Any],
            progress: Callable[[int], None] | None = None) -> None:
        with WriteBehind(_join_and_write, write) as behind:
            for prepared in prefetched(map(self.prepare, blocks)):
                if len(self.outcomes) > MAX_OUTCOMES or len(self.outcomes.set_codes) > MAX_OUTCOMES:
                    self._forget()
                self._emit(*self._screen(prepared), behind.put)
                if progress:
                    progress(self.done)
            if self._held is not None:
                held, self._held = self._held, None
                self._emit(*held, behind.put, final=True)
        self.outcomes.fold(self.summary)
        self.summary.distinct_keys = len(self.decider._decisions)

    # -- one block ------------------------------------------------------------------------
    def prepare(self, block: Block) -> Prepared:
        """The block's columnar work, which needs no decision (it runs ahead, in a thread):
        the rows' keys, dictionary-encoded, the output text before the screening columns and
        the claim ids."""
        lines, special = block.lines, block.special
        n = len(lines)
        vector = np.ones(n, dtype=bool)
        rows = sorted(special)
        plain = lines
        if special:
            vector[rows] = False
            plain = lines.filter(pa.array(vector))
        texts = lines.cast(pa.large_string())
        claim_at = self.positions.claim_id
        if claim_at is None:
            claims = pa.nulls(n, pa.large_string())
        else:
            claims = pc.list_element(pc.split_pattern(plain, self.delimiter, max_splits=claim_at + 1),
                                     claim_at).cast(pa.large_string())
        if special:
            texts = _merge(texts.filter(pa.array(vector)), [csv_line(special[i], self.delimiter) for i in rows], vector)
            if claim_at is not None:
                claims = _merge(claims, [special[i][claim_at] for i in rows], vector)
        encoded = pc.dictionary_encode(self._key(plain))
        indices = _numpy(encoded.indices)
        if self.columnar is None:
            return Prepared(block, vector, rows, encoded.dictionary.to_pylist(), indices, texts, claims)
        # the columns of the distinct keys: procedure, and each pointer holding a value
        parts = pc.split_pattern(encoded.dictionary, self.delimiter)
        at = {c: i for i, c in enumerate(self._sorted)}
        pos = self.positions
        columns = []
        for c in pos.pointers:
            column = pc.dictionary_encode(pc.list_element(parts, at[c]))
            values = column.dictionary.to_pylist()
            if values not in ([""], []):
                columns.append((values, _numpy(column.indices)))
        procedures = pc.dictionary_encode(pc.list_element(parts, at[pos.procedure]))
        return Prepared(block, vector, rows, [], indices, texts, claims,
                        procedures.dictionary.to_pylist(), _numpy(procedures.indices), columns)

    def _screen(self, prepared: Prepared) -> tuple[pa.Array, np.ndarray, np.ndarray, pa.Array]:
        """The rows' output text before the screening columns, their outcome ids, the ids of
        their sets of codes, and their claim ids."""
        block, vector, uniq = prepared.block, prepared.vector, prepared.keys
        ids = np.zeros(len(block.lines), dtype=np.int64)
        sets = np.zeros(len(block.lines), dtype=np.int64)
        if prepared.procedures:
            written, pointers = self.columnar.written_ids(prepared.procedures,
                                                          [v for v, _ in prepared.pointers])
            written = written[prepared.procedure_indices]
            values = np.empty((len(written), len(pointers)), np.int64)
            for j, (_, indices) in enumerate(prepared.pointers):
                values[:, j] = pointers[j][indices]
            decided, their_sets = self.columnar.decide(written, values, self.outcomes,
                                                       self._own_conflicts)
            ids[vector] = decided[prepared.indices]
            sets[vector] = their_sets[prepared.indices]
        elif uniq:
            get = self._keys.get
            found = [get(k) for k in uniq]
            new = [i for i, f in enumerate(found) if f is None]
            if new:
                for i, outcome in zip(new, self._decide_keys([uniq[i] for i in new])):
                    found[i] = outcome
            pairs = np.array(found, dtype=np.int64).reshape(len(found), 2)
            ids[vector] = pairs[:, 0][prepared.indices]
            sets[vector] = pairs[:, 1][prepared.indices]
        special, errors = block.special, block.errors
        for i in prepared.rows:
            ids[i], sets[i] = self._special(special[i], errors.get(i))
        return prepared.texts, ids, sets, prepared.claims

    def _key(self, plain: pa.Array) -> pa.Array:
        """The key fields of rows without quotes, joined by the delimiter (no field holds it)."""
        if self._pattern:
            return pc.replace_substring_regex(plain, self._pattern, self._replacement)
        parts = pc.split_pattern(plain, self.delimiter)
        return pc.binary_join_element_wise(*[pc.list_element(parts, i) for i in self._sorted],
                                           pa.scalar(self.delimiter, pa.large_string()))

    def _decide_keys(self, keys: list[str]) -> list[tuple[int, int]]:
        """Decide new keys; their outcome ids and set ids."""
        pos, at = self.positions, {c: i for i, c in enumerate(self._sorted)}
        proc_at, dx_at = at[pos.procedure], [at[c] for c in pos.pointers]
        joined_at = at[pos.joined] if pos.joined is not None else None
        delimiter, separator = self.delimiter, pos.separator
        pick = operator.itemgetter(*dx_at) if len(dx_at) > 1 else (
            (lambda fields: (fields[dx_at[0]],)) if dx_at else (lambda fields: ()))
        parsed = []
        for k in keys:
            fields = k.split(delimiter)
            dx = tuple(filter(None, pick(fields)))
            if joined_at is not None:
                dx += tuple(filter(None, fields[joined_at].split(separator)))
            parsed.append((fields[proc_at], dx))
        outcomes, known = self.outcomes, self._keys
        ids = []
        for k, d in zip(keys, self.decider.decide_many(parsed)):
            ids.append((outcomes.id(d, self._own_conflicts(d)), outcomes.set_id(d.diagnoses)))
            known[k] = ids[-1]
        return ids

    def _own_conflicts(self, d: Decision) -> tuple:
        return tuple(self.decider.excludes1(d.diagnoses)) if len(d.diagnoses) > 1 else ()

    def _special(self, fields: list[str], error: str | None) -> tuple[int, int]:
        """A row read by the csv module (or not at all: ``error``): outcome id and set id."""
        outcomes = self.outcomes
        if error:
            found = self._errors.get(error)
            if found is None:
                found = self._errors[error] = outcomes.id(Decision(error=error))
            return found, outcomes.set_id(())
        pos = self.positions
        d = self.decider.decide(fields[pos.procedure], pos.diagnoses(fields))
        return outcomes.id(d, self._own_conflicts(d)), outcomes.set_id(d.diagnoses)

    # -- claims and output ----------------------------------------------------------------
    def _emit(self, texts: pa.Array, ids: np.ndarray, sets: np.ndarray, claims: pa.Array,
              put: Callable[[tuple], Any], final: bool = False) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            texts = pa.concat_arrays([held[0], texts])
            ids = np.concatenate([held[1], ids])
            sets = np.concatenate([held[2], sets])
            claims = pa.concat_arrays([held[3], claims])
        n = len(ids)
        if not n:
            return
        starts = _claim_starts(claims, n)
        if not final:  # the last claim may go on in the next block: it waits (<= MAX_CLAIM_LINES rows)
            last = int(np.flatnonzero(starts)[-1])
            self._held = (texts.slice(last), ids[last:].copy(), sets[last:].copy(), claims.slice(last))
            if not last:
                return
            texts, ids, sets, starts, n = texts.slice(0, last), ids[:last], sets[:last], starts[:last], last
        self._claim_conflicts(ids, sets, starts)
        self._count(ids)
        uniq, inverse = np.unique(ids, return_inverse=True)
        suffix = self.outcomes.suffixes()
        put((texts, pa.array([suffix[i] for i in uniq.tolist()], pa.large_string()), inverse))
        self.done += n

    def _claim_conflicts(self, ids: np.ndarray, sets: np.ndarray, starts: np.ndarray) -> None:
        """A claim whose lines have different diagnosis sets: conflicts across its lines."""
        if len(ids) < 2:
            return
        differs = (sets[1:] != sets[:-1]) & ~starts[1:]
        if not differs.any():
            return
        first = np.flatnonzero(starts)
        run = np.cumsum(starts) - 1
        outcomes, excludes1, codes_of = self.outcomes, self.decider.excludes1, self.outcomes.set_codes
        for g in np.unique(run[1:][differs]).tolist():
            lo = int(first[g])
            hi = int(first[g + 1]) if g + 1 < len(first) else len(ids)
            mine = [codes_of[s] for s in sets[lo:hi].tolist()]
            codes = tuple(sorted({c for line in mine for c in line}))
            conflicts = excludes1(codes) if len(codes) > 1 else []
            for r, line in enumerate(mine, lo):
                ids[r] = outcomes.id(outcomes.base[ids[r]],
                                     tuple(c for c in conflicts if c[0] in line or c[1] in line))

    def _count(self, ids: np.ndarray) -> None:
        self.outcomes.counted(ids)
        summary = self.summary
        if len(summary.error_samples) < MAX_ERROR_SAMPLES:
            errors = self.outcomes.column("errors")[ids] != 0
            decisions = self.outcomes.decisions
            for r in np.flatnonzero(errors)[:MAX_ERROR_SAMPLES].tolist():
                summary.note_error(self.done + r + 1, decisions[ids[r]].error)

    def _forget(self) -> None:
        """Bounded memory: start the outcome table afresh (the held rows keep their outcomes)."""
        old, held = self.outcomes, self._held
        old.fold(self.summary)
        self.outcomes = Outcomes(self.delimiter)
        if self.columnar is not None:
            self.columnar.forget_outcomes()
        self._keys, self._errors = {}, {}
        if held is not None:
            ids = [self.outcomes.id(old.base[i], old.hits[i]) for i in held[1].tolist()]
            sets = [self.outcomes.set_id(old.set_codes[s]) for s in held[2].tolist()]
            self._held = (held[0], np.array(ids, dtype=np.int64), np.array(sets, dtype=np.int64),
                          held[3])


def _claim_starts(claims: pa.Array, n: int) -> np.ndarray:
    """Where each claim starts: a new or empty claim id, or after MAX_CLAIM_LINES rows of one."""
    starts = np.ones(n, dtype=bool)
    if n > 1 and claims.null_count < n:
        same = pc.and_(pc.equal(claims.slice(1), claims.slice(0, n - 1)),
                       pc.not_equal(claims.slice(1), ""))
        starts[1:] = _numpy(same.fill_null(False).cast(pa.int8())) == 0
        run = np.cumsum(starts) - 1
        first = np.flatnonzero(starts)
        starts |= (np.arange(n) - first[run]) % MAX_CLAIM_LINES == 0
    return starts


def _numpy(values: pa.Array) -> np.ndarray:
    """A numpy view of an integer array without nulls (Array.to_numpy would import pandas)."""
    dtype = np.dtype(values.type.to_pandas_dtype())
    return np.frombuffer(values.buffers()[1], dtype)[values.offset : values.offset + len(values)]


def _key_pattern(columns: list[int], width: int, delimiter: str) -> tuple[str, str]:
    """A regular expression over a line of ``width`` fields whose replacement is the fields
    ``columns`` joined by the delimiter; ("", "") past 9 runs of adjacent columns."""
    runs: list[list[int]] = []
    for c in columns:
        if runs and runs[-1][-1] == c - 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    if len(runs) > 9:
        return "", ""
    sep = "\\t" if delimiter == "\t" else re.escape(delimiter)
    starts, ends = {r[0] for r in runs}, {r[-1] for r in runs}
    field = f"[^{sep}]*"
    tokens = [("(" if c in starts else "") + field + (")" if c in ends else "") for c in range(width)]
    return "^" + sep.join(tokens) + "$", delimiter.join(f"\\{i}" for i in range(1, len(runs) + 1))


def _merge(vector_values: pa.Array, special_values: list[str], vector: np.ndarray) -> pa.Array:
    """One array in row order from the values of the vector rows and those of the others."""
    n = len(vector)
    order = np.empty(n, dtype=np.int64)
    order[vector] = np.arange(len(vector_values))
    order[~vector] = np.arange(len(vector_values), n)
    return pa.concat_arrays([vector_values.cast(pa.large_string()),
                             pa.array(special_values, pa.large_string())]).take(pa.array(order))


def screen_csv(raw: BinaryIO, columns: list[str], stream: IO[bytes], delimiter: str,
               column_map: ColumnMap | None, decider: Decider, chunk_size: int,
               progress: Callable[[int], None] | None = None) -> Summary:
    """Screen the rows of a CSV/TSV byte stream (header read: ``columns``) into ``stream``."""
    screener = FastScreener(columns, column_map, decider, delimiter=delimiter)
    stream.write(screener.header())
    reader = LineReader(raw, delimiter, len(columns), chunk_size * BYTES_PER_ROW)
    start = time.perf_counter()
    paused = gc.isenabled()
    gc.disable()  # no cycles are made; collections over the growing tables cost seconds
    pool = pa.default_memory_pool()
    with contextlib.suppress(NotImplementedError, AttributeError):
        # blocks are made in the read-ahead thread and freed in this one: mimalloc's per-thread
        # heaps then hold ~50 MB more than jemalloc's
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    try:
        screener.run(reader.blocks(), stream.write, progress)
    finally:
        pa.set_memory_pool(pool)
        if paused:
            gc.enable()
    screener.summary.seconds = time.perf_counter() - start
    return screener.summary
