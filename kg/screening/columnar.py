"""Decide a block's rows from their columns, with numpy, instead of one key at a time.

A row's answer depends on its procedure and the *set* of codes its diagnoses resolve to, not on
how they were written (case, order, a missing dot, repeats): each distinct raw value is resolved
once and each row becomes (procedure, set of code ids). For the (procedure, set) pairs never seen
before, numpy finds the *core*, the codes that count (``Decider._compose``'s rule: a misaligned
diagnosis that flags nothing changes nothing), and ``Decider.decide_resolved`` composes each
distinct core once, exactly as `painkg check` would; rows share their core's outcome. Rows with a
bad code (or no code) are decided by ``Decider.decide`` from their values as written, once per
distinct row. The vectorised path's tests compare its bytes with the row path's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from kg.screening.decide import Decider
    from kg.screening.fast import Outcomes

MAX_ENTRIES = 100_000  # per table; past it the table starts afresh (bounded memory)
ERROR = -1  # code id of a value that is not a usable code
UNKNOWN = -9  # rank of a (procedure, code) pair not decided yet


class ColumnDecider:
    def __init__(self, decider: Decider, width: int) -> None:
        self.decider = decider
        self.width = width  # diagnosis pointers of the file: the width of a set's row
        self.sets: dict[bytes, int] = {}  # a set's row (sorted code ids) -> set id
        self.set_codes: list[tuple[str, ...]] = []
        self.set_rows: list[np.ndarray] = []
        self.shared_set: list[int] = []  # set id -> Outcomes.set_id of its codes (-1: not yet)
        self.rank = np.full((0, 0), UNKNOWN, np.int8)  # (procedure id, code id) -> verdict rank
        self.keep = np.zeros((0, 0), bool)  # ... -> the pair flags or blocks something
        self.red = np.zeros(0, bool)  # code id -> a red flag
        self.set_hits: list[tuple] = []  # set id -> its Excludes1 conflicts
        self.codes: list[str] = [""]  # code id -> code (at most every ICD-10-CM code)
        self._code_ids: dict[str, int] = {}
        self.procedure_codes: list[str] = []  # procedure id -> code
        self._procedure_ids: dict[str, int] = {}
        self._start_written()

    def _start_written(self) -> None:
        """Tables of values as written (bounded: they start afresh past MAX_ENTRIES)."""
        self.procedures: dict[str, int] = {}  # procedure as written -> written id
        self.procedure_written: list[str] = []
        self.procedure_id: list[int] = []  # written id -> procedure id (-1: bad)
        self.values: dict[str, int] = {"": 0}  # diagnosis as written -> value id (0: empty)
        self.value_written: list[str] = [""]
        self.value_code: list[int] = [0]  # value id -> code id (0: none, ERROR: bad)
        self.error_outcome_of: dict[bytes, tuple[int, int]] = {}  # bad row -> (outcome, set) ids
        self.outcome_of: dict[int, int] = {}  # procedure id << 32 | set id -> outcome id

    def forget_outcomes(self) -> None:
        """The outcome table started afresh: its outcome and set ids are no longer valid."""
        self.outcome_of.clear()
        self.error_outcome_of.clear()
        self.shared_set[:] = [-1] * len(self.shared_set)

    # -- values -> ids ----------------------------------------------------------------------
    def written_ids(self, procedures: list[str], pointers: list[list[str]]
                    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Ids of a block's distinct procedures and, per pointer column, diagnosis values."""
        if (len(self.procedures) + len(procedures) > MAX_ENTRIES
                or len(self.values) + sum(map(len, pointers)) > MAX_ENTRIES):
            self._start_written()
        return (np.fromiter(map(self._procedure, procedures), np.int64, len(procedures)),
                [np.fromiter(map(self._value, values), np.int64, len(values)) for values in pointers])

    def _procedure(self, raw: str) -> int:
        found = self.procedures.get(raw)
        if found is None:
            code, error, _ = self.decider.procedure(raw)
            number = -1
            if not error:
                number = self._procedure_ids.get(code, -1)
                if number < 0:
                    number = self._procedure_ids[code] = len(self.procedure_codes)
                    self.procedure_codes.append(code)
            found = self.procedures[raw] = len(self.procedure_written)
            self.procedure_written.append(raw)
            self.procedure_id.append(number)
        return found

    def _value(self, raw: str) -> int:
        found = self.values.get(raw)
        if found is None:
            found = self.values[raw] = len(self.value_written)
            self.value_written.append(raw)
            self.value_code.append(self._code_id(raw))
        return found

    def _code_id(self, raw: str) -> int:
        if raw.isspace():
            return 0  # written but blank: not a diagnosis (as Decider.diagnosis_set)
        code, error, _ = self.decider.diagnosis(raw)
        if error:
            return ERROR
        found = self._code_ids.get(code)
        if found is None:
            found = self._code_ids[code] = len(self.codes)
            self.codes.append(code)
        return found

    # -- a block ----------------------------------------------------------------------------
    def decide(self, written_procedures: np.ndarray, values: np.ndarray, outcomes: Outcomes,
               own_conflicts: Any) -> tuple[np.ndarray, np.ndarray]:
        """Outcome ids and set ids (``outcomes.set_id``) of rows given the written ids of their
        procedure (n,) and of their diagnosis values (n, k: the pointers holding a value in the
        block), from ``written_ids``."""
        n = len(written_procedures)
        ids = np.empty(n, np.int64)
        sets = np.empty(n, np.int64)
        procedures = np.asarray(self.procedure_id, np.int64)[written_procedures]
        codes = np.asarray(self.value_code, np.int64)[values]
        bad = (procedures < 0) | (codes == ERROR).any(axis=1) | ~(codes > 0).any(axis=1)
        good = np.flatnonzero(~bad)
        if len(good):
            ids[good], sets[good] = self._decide_good(procedures[good], codes[good], outcomes)
        wrong = np.flatnonzero(bad)
        if len(wrong):
            ids[wrong], sets[wrong] = self._decide_bad(written_procedures[wrong], values[wrong],
                                                       outcomes, own_conflicts)
        return ids, sets

    def _decide_good(self, procedures: np.ndarray, codes: np.ndarray,
                     outcomes: Outcomes) -> tuple[np.ndarray, np.ndarray]:
        if len(self.sets) + len(codes) > MAX_ENTRIES:  # between blocks: this block's ids stay valid
            self.sets.clear()
            self.set_codes.clear()
            self.set_rows.clear()
            self.set_hits.clear()
            self.shared_set.clear()
            self.outcome_of.clear()
        codes = _distinct_sorted(codes, self.width)
        rows, inverse, keys = unique_rows(codes)
        known = self.sets.get
        set_ids = [known(key, -1) for key in keys]
        for i in [i for i, found in enumerate(set_ids) if found < 0]:
            set_ids[i] = self._set_id(keys[i], rows[i])
        shared = self.shared_set
        for i in [i for i, s in enumerate(set_ids) if shared[s] < 0]:
            shared[set_ids[i]] = outcomes.set_id(self.set_codes[set_ids[i]])
        row_sets = np.asarray(set_ids, np.int64)[inverse]
        pairs, inverse = np.unique((procedures << 32) | row_sets, return_inverse=True)
        found = self.outcome_of
        out = np.fromiter((found.get(key, -1) for key in pairs.tolist()), np.int64, len(pairs))
        new = np.flatnonzero(out < 0)
        if len(new):
            out[new] = self._decide_sets(pairs[new] >> 32, pairs[new] & 0xFFFFFFFF, outcomes)
            found.update(zip(pairs[new].tolist(), out[new].tolist()))
        return out[inverse], np.asarray(shared, np.int64)[row_sets]

    def _decide_sets(self, procedures: np.ndarray, sets: np.ndarray, outcomes: Outcomes) -> np.ndarray:
        """Outcome ids of new (procedure, set of codes) pairs. A diagnosis that is misaligned and
        flags nothing changes nothing when another one is not misaligned (Decider._compose):
        each pair takes the outcome of its core, the codes that count, so `check` composes once
        per distinct core and the rows of a core share its outcome (with their own set's
        Excludes1 conflicts)."""
        codes = np.stack([self.set_rows[s] for s in sets.tolist()])
        self._know_pairs(procedures, codes)
        present = codes > 0
        rank = np.where(present, self.rank[procedures[:, None], codes], -1)
        top = rank.max(axis=1)
        counts = (rank == top[:, None]) | self.keep[procedures[:, None], codes] | self.red[codes]
        reduce = (present.sum(axis=1) > 1) & (top > 0)
        core = np.sort(np.where(reduce[:, None] & ~counts, 0, codes), axis=1)
        decide, hits_of = self.decider.decide_resolved, self.set_hits
        procedure_codes, names = self.procedure_codes, self.codes
        out = np.empty(len(sets), np.int64)
        for i, (p, s, row) in enumerate(zip(procedures.tolist(), sets.tolist(), core.tolist())):
            base = decide(procedure_codes[p], tuple(sorted(names[c] for c in row if c)))
            out[i] = outcomes.id(base, hits_of[s])
        return out

    def _know_pairs(self, procedures: np.ndarray, codes: np.ndarray) -> None:
        """Rank and keep of every (procedure, code) pair of these rows in the tables."""
        p_need, c_need = len(self.procedure_codes), len(self.codes)
        if self.rank.shape[0] < p_need or self.rank.shape[1] < c_need:
            shape = (max(p_need, 2 * self.rank.shape[0]), max(c_need, 2 * self.rank.shape[1]))
            rank = np.full(shape, UNKNOWN, np.int8)
            keep = np.zeros(shape, bool)
            rank[: self.rank.shape[0], : self.rank.shape[1]] = self.rank
            keep[: self.keep.shape[0], : self.keep.shape[1]] = self.keep
            self.rank, self.keep = rank, keep
        if len(self.red) < c_need:
            self.red = np.array([c in self.decider._red for c in self.codes] + [False] * c_need, bool)
        rows = np.broadcast_to(procedures[:, None], codes.shape)
        unknown = (codes > 0) & (self.rank[rows, codes] == UNKNOWN)
        if unknown.any():
            wanted = np.unique((rows[unknown] << 32) | codes[unknown])
            for key in wanted.tolist():
                p, c = key >> 32, key & 0xFFFFFFFF
                pair = self.decider.pair(self.procedure_codes[p], self.codes[c])
                self.rank[p, c], self.keep[p, c] = pair.rank, pair.keep

    def _set_id(self, key: bytes, row: np.ndarray) -> int:
        found = self.sets.get(key)
        if found is None:
            found = self.sets[key] = len(self.set_codes)
            codes = tuple(sorted(self.codes[c] for c in row.tolist() if c))
            self.set_codes.append(codes)
            self.set_rows.append(row.copy())
            self.set_hits.append(tuple(self.decider.excludes1(codes)) if len(codes) > 1 else ())
            self.shared_set.append(-1)
        return found

    def _decide_bad(self, procedures: np.ndarray, values: np.ndarray, outcomes: Outcomes,
                    own_conflicts: Any) -> tuple[np.ndarray, np.ndarray]:
        """Rows with a bad procedure or diagnosis, decided from their values as written."""
        rows = np.concatenate([procedures[:, None], values], axis=1)
        uniq, inverse, _ = unique_rows(rows)
        out = np.empty((len(uniq), 2), np.int64)
        found, written = self.error_outcome_of, self.value_written
        for i, row in enumerate(uniq):
            key = row.tobytes()
            outcome = found.get(key)
            if outcome is None:
                number, *dx = row.tolist()
                d = self.decider.decide(self.procedure_written[number],
                                        tuple(filter(None, (written[v] for v in dx))))
                outcome = found[key] = (outcomes.id(d, own_conflicts(d)), outcomes.set_id(d.diagnoses))
            out[i] = outcome
        return out[inverse, 0], out[inverse, 1]


def unique_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """The distinct rows of an int64 matrix, in order of first appearance, each row's index
    among them, and their bytes: hashed by pyarrow (numpy's unique(axis=0) sorts the rows,
    ~10x slower here)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.int64)
    n, k = matrix.shape
    if not k:
        return np.zeros((min(n, 1), 0), np.int64), np.zeros(n, np.int64), [b""][: min(n, 1)]
    rows = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8 * k), n, [None, pa.py_buffer(matrix)])
    encoded = pc.dictionary_encode(rows)
    distinct = encoded.dictionary
    values = np.frombuffer(distinct.buffers()[1], np.int64)[distinct.offset * k : (distinct.offset + len(distinct)) * k]
    indices = encoded.indices
    return (values.reshape(len(distinct), k), np.frombuffer(
        indices.buffers()[1], np.int32)[indices.offset : indices.offset + n].astype(np.int64),
        distinct.to_pylist())


def _distinct_sorted(codes: np.ndarray, width: int) -> np.ndarray:
    """Each row's distinct codes, sorted, zeros (no code) first, padded to ``width`` columns."""
    n, k = codes.shape
    if k < width:
        codes = np.concatenate([np.zeros((n, width - k), np.int64), codes], axis=1)
    codes = np.sort(codes, axis=1)
    repeat = np.zeros(codes.shape, bool)
    repeat[:, 1:] = codes[:, 1:] == codes[:, :-1]
    return np.sort(np.where(repeat, 0, codes), axis=1) if repeat.any() else codes
