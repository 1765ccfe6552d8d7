"""`painkg screen` / `kg.screen`: rows kept in order, verdicts equal to `check`, Excludes1
conflicts, formats round-trip, atomic output, summary counts."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.checking import BLOCKING_STATUS, check
from kg.cli import main
from kg.screening import ColumnMap, screen, screen_file
from kg.screening.decide import Decider

HEADER = ["claim_id", "line", "procedure", "dx1", "dx2", "dx3", "date_of_service"]
GOOD = [
    ["C1", "1", "64628", "M54.51", "", "", "2026-01-05"],
    ["C1", "2", "64493", "M47.816", "M54.50", "", "2026-01-05"],
    ["C2", "1", "64628", "M51.16", "", "", "2026-01-06"],
    ["C3", "1", "62323", "M54.41", "", "", "2026-01-07"],
    ["C3", "2", "62323", "M54.50", "", "", "2026-01-07"],
    ["C4", "1", "22514", "M80.08XA", "I10", "", "2026-01-07"],
]
# bad rows, each with a distinct line id so order can be checked
BAD_LINES = [
    "C5,1,99213,M54.51,,,2026-01-08",            # a procedure painkg does not cover
    "C6,1,64628,M54.5,XYZ,,2026-01-08",          # a header code and a malformed code
    'C7,1,"64628,M54.51,,,2026-01-08',           # a quote that never closes
    "C8,1,,M54.51,,,2026-01-08",                 # no procedure
    "C9,1,64628",                                # a short row
    "",                                          # an empty line
    "C10,1,64628,M54.99,,,2026-01-08",           # well-formed, not an ICD-10-CM code
    "C11,1,64628,,,,2026-01-08",                 # no diagnosis
]


def write_csv(path: Path, rows: list[list[str]], extra_lines: list[str] = ()) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    path.write_text(buf.getvalue() + "".join(line + "\n" for line in extra_lines), encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def mixed(tmp_path):
    """Good rows with the bad lines interleaved; expected (claim_id, line) order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    lines = []
    for good, bad in zip(GOOD + GOOD[:2], BAD_LINES):
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(good)
        lines += [out.getvalue(), bad]
    path = tmp_path / "claims.csv"
    path.write_text(buf.getvalue() + "\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


def test_rows_kept_in_order_with_bad_rows(mixed, kg, tmp_path):
    path, n = mixed
    out = tmp_path / "out.csv"
    summary = screen_file(str(path), str(out), kg=kg, progress=False)
    rows = read_csv(out)
    assert len(rows) == n == summary.rows
    source = path.read_text(encoding="utf-8").splitlines()[1:]
    for row, line in zip(rows, source):
        if row["claim_id"]:
            assert line.lstrip('"').startswith(row["claim_id"] + ",")
    errors = [r for r in rows if r["error"]]
    assert len(errors) == len(BAD_LINES) == summary.rows_with_errors
    assert all(r["verdict"] for r in rows if not r["error"])
    by_claim = {r["claim_id"]: r for r in rows}
    assert "broken CSV quoting" in by_claim["C7"]["error"]
    assert "unknown-procedure:99213" in by_claim["C5"]["flags"]
    assert {"non-billable-code:M54.5", "malformed-code:XYZ"} <= set(by_claim["C6"]["flags"].split(";"))
    assert "unknown-code:M54.99" in by_claim["C10"]["flags"]
    assert by_claim["C8"]["error"] == "missing procedure code"
    assert "expected 7 fields" in by_claim["C9"]["error"]


def test_broken_quote_does_not_swallow_following_rows(kg, tmp_path):
    lines = ['C1,1,"64628,M54.51,,,d'] + [f"C{i},1,64628,M54.51,,,d" for i in range(2, 40)]
    path = write_csv(tmp_path / "q.csv", [], lines)
    with open(path, newline="") as f:
        assert len(list(csv.DictReader(f))) < 39  # the csv module alone swallows the lines
    result = tmp_path / "q.out.csv"
    screen_file(str(path), str(result), kg=kg, progress=False)
    rows = read_csv(result)
    assert [r["claim_id"] for r in rows] == [f"C{i}" for i in range(1, 40)]
    assert rows[0]["error"] and all(r["verdict"] == "aligned" for r in rows[1:])


def test_quoted_field_spanning_lines_is_one_row(kg, tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('claim_id,procedure,dx1,note\nC1,64628,M54.51,"two\nlines"\nC2,64628,M51.16,x\n')
    out = tmp_path / "multi.jsonl"
    screen_file(str(path), str(out), kg=kg, progress=False)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["note"] for r in rows] == ["two\nlines", "x"]
    assert [r["verdict"] for r in rows] == ["aligned", "misaligned"]


@pytest.mark.parametrize("fast", [True, False])
def test_line_ends_inside_values_stay_inside_one_csv_record(fast, kg, tmp_path):
    """A value with a line end (here a malformed code, so the flags and the error quote it too)
    is written quoted: CSV output has one record per input row on both paths."""
    path = tmp_path / "nl.csv"
    path.write_text('claim_id,line,procedure,dx1,note\nC1,1,64628,"M54.51\nX",a\nC2,1,64628,M54.51,"b\nc"\n'
                    "C3,1,64628,M54.51,d\n")
    out = tmp_path / "nl.out.csv"
    screen_file(str(path), str(out), kg=kg, progress=False, fast=fast)
    rows = read_csv(out)
    assert [r["claim_id"] for r in rows] == ["C1", "C2", "C3"]
    assert rows[0]["dx1"] == "M54.51\nX" and "M54.51\nX" in rows[0]["flags"] and rows[0]["error"]
    assert rows[1]["note"] == "b\nc" and rows[1]["verdict"] == rows[2]["verdict"] == "aligned"


def test_line_ends_inside_quoted_values_are_kept_as_written(kg, tmp_path):
    """CRLF rows whose quoted values hold CRLF or a lone CR: both paths keep the values."""
    src = tmp_path / "crlf.csv"
    src.write_bytes(b'claim_id,line,procedure,dx1,note\r\nC1,1,64628,M54.51,"a\r\nb"\r\n'
                    b'C2,1,64628,M54.51,"x\ry"\r\nC3,1,64628,M51.16,plain\r\n')
    (fast_out, fast_summary), (row_out, row_summary) = _both_paths(src, tmp_path / "crlf", kg, 20_000)
    assert (fast_out, fast_summary) == (row_out, row_summary)
    rows = read_csv(tmp_path / "crlf-True.csv")
    assert [r["note"] for r in rows] == ["a\r\nb", "x\ry", "plain"]
    assert [r["verdict"] for r in rows] == ["aligned", "aligned", "misaligned"]


def _keys(kg) -> list[tuple[str, list[str]]]:
    """Procedure and diagnosis sets across families, verdicts and necessity outcomes."""
    dxs = ["M54.51", "M51.16", "M47.816", "M54.50", "M54.41", "M80.08XA", "M48.062", "M46.1",
           "I10", "M54.2", "G89.29", "M43.16", "M50.120", "M46.22"]
    procs = [r["code"] for r in kg.rows("procedure-list")]
    keys = []
    for i, proc in enumerate(procs):
        keys.append((proc, [dxs[i % len(dxs)]]))
        keys.append((proc, sorted({dxs[i % len(dxs)], dxs[(i * 5 + 3) % len(dxs)], "I10"})))
    return keys


def test_verdicts_equal_check(kg):
    keys = _keys(kg)
    records = [{"claim_id": f"C{i}", "procedure": p, "diagnoses": ";".join(d)}
               for i, (p, d) in enumerate(keys)]
    out = screen(records, kg=kg)
    assert len(out) == len(keys)
    seen = set()
    for row, (proc, dxs) in zip(out, keys):
        ref = check(proc, dxs, kg=kg)
        assert (row["verdict"], row["necessity"]) == (ref.verdict, ref.necessity), (proc, dxs)
        mechs = sorted({k["mechanism"] for k in ref.path_kinds if k["kind"] == ref.verdict})
        assert row["mechanism"] == "; ".join(mechs)
        assert ("contraindicated:" in row["flags"]) == bool(ref.contraindications)
        primary = next((c for c in ref.coverage if c["primary"]), None)
        blocked = bool(primary and primary["status_iri"] in BLOCKING_STATUS)
        assert blocked == any(f in row["flags"] for f in ("investigational", "non-covered"))
        seen.add((ref.verdict, ref.necessity))
        seen.update({"contraindicated"} if ref.contraindications else set())
        seen.update({"blocked"} if blocked else set())
    # the sample covers every outcome
    assert {("aligned", "criteria-apply"), ("indeterminate", "undetermined"),
            ("misaligned", "not-medically-necessary"), "contraindicated", "blocked"} <= seen


def test_cli_verdict_equals_painkg_check(tmp_path):
    path = write_csv(tmp_path / "c.csv", GOOD)
    result = CliRunner().invoke(main, ["screen", str(path), "-q"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    for row in rows:
        dxs = [row[c] for c in ("dx1", "dx2", "dx3") if row[c]]
        ref = CliRunner().invoke(main, ["check", row["procedure"], *dxs, "--format", "json"])
        data = json.loads(ref.stdout)
        assert (row["verdict"], row["necessity"]) == (data["verdict"], data["necessity"])


def test_excludes1_conflict_within_a_claim(kg):
    records = [
        {"claim_id": "A", "line": 1, "procedure": "62323", "dx1": "M54.41"},
        {"claim_id": "A", "line": 2, "procedure": "62323", "dx1": "M54.50"},
        {"claim_id": "B", "line": 1, "procedure": "64493", "dx1": "M47.816", "dx2": "M54.50"},
        {"claim_id": "C", "line": 1, "procedure": "62323", "dx1": "M54.41"},   # another claim
        {"claim_id": "D", "line": 1, "procedure": "62323", "dx1": "M54.50", "dx2": "M54.41"},
    ]
    out = screen(records, kg=kg)
    flags = [row["flags"] for row in out]
    assert "excludes1:M54.41+M54.50" in flags[0] and "excludes1:M54.41+M54.50" in flags[1]
    assert "excludes1" not in flags[2] and "excludes1" not in flags[3]
    assert "excludes1:M54.41+M54.50" in flags[4]
    assert "Excludes1 note of M54.5" in out[4]["reason"]
    assert screen.last_summary.flags["excludes1"] == 3


def test_excludes1_sets_agree_with_the_pairwise_query(kg):
    decider = Decider(kg)
    codes = ["M54.50", "M54.41", "M51.16", "M54.16", "M47.816", "M51.360", "S39.012A", "M54.51"]
    found = {(a, b) for a, b, _ in decider.excludes1(tuple(sorted(codes)))}
    expected = set()
    for i, a in enumerate(sorted(codes)):
        for b in sorted(codes)[i + 1:]:
            if kg.rows("excludes1-conflicts", codeA=a, codeB=b) or kg.rows(
                    "excludes1-conflicts", codeA=b, codeB=a):
                expected.add((a, b))
    assert found == expected
    assert ("M54.41", "M54.50") in found and ("M51.16", "M54.16") in found


def test_flags_red_flag_region_and_coverage(kg):
    out = screen([
        {"claim_id": "1", "procedure": "22514", "dx1": "M80.08XA"},
        {"claim_id": "2", "procedure": "64633", "dx1": "M54.41"},
        {"claim_id": "3", "procedure": "22867", "dx1": "M48.062"},
        {"claim_id": "4", "procedure": "22526", "dx1": "M51.16"},
    ], kg=kg)
    assert "red-flag:M80.08XA" in out[0]["flags"]
    assert "region-incompatible:M54.41" in out[1]["flags"]
    assert "investigational" in out[2]["flags"].split(";")
    assert "non-covered" in out[3]["flags"].split(";")
    assert out[2]["necessity"] == "not-medically-necessary" and "investigational" in out[2]["reason"]


@pytest.mark.parametrize("src_fmt", ["csv", "tsv", "jsonl", "parquet"])
@pytest.mark.parametrize("dst_fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_formats_round_trip(src_fmt, dst_fmt, kg, tmp_path):
    pytest.importorskip("pyarrow")
    records = [dict(zip(HEADER, row)) for row in GOOD]
    src = tmp_path / f"in.{src_fmt}"
    _write(src, src_fmt, records)
    dst = tmp_path / f"out.{dst_fmt}"
    summary = screen_file(str(src), str(dst), kg=kg, progress=False)
    rows = _read(dst, dst_fmt)
    assert summary.rows == len(rows) == len(GOOD)
    expected = screen(records, kg=kg)
    for row, want in zip(rows, expected):
        for key, value in want.items():
            assert (row[key] or "") == (value or ""), (key, src_fmt, dst_fmt)
    # screening the output again keeps its columns and gives the same answers
    again = tmp_path / f"again.{dst_fmt}"
    screen_file(str(dst), str(again), kg=kg, progress=False)
    assert _read(again, dst_fmt) == rows


def _write(path: Path, fmt: str, records: list[dict]) -> None:
    if fmt in ("csv", "tsv"):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, HEADER, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            w.writeheader()
            w.writerows(records)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), path)


def _read(path: Path, fmt: str) -> list[dict]:
    if fmt in ("csv", "tsv"):
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f, delimiter="," if fmt == "csv" else "\t"))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def test_parquet_keeps_column_types(kg, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"claim_id": [1, 2], "line": [1, 1], "procedure": ["64628", "64628"],
                             "dx1": ["M54.51", "M51.16"]}), src)
    screen_file(str(src), str(dst), kg=kg, progress=False)
    table = pq.read_table(dst)
    assert table.schema.field("claim_id").type == pa.int64()
    assert table.column("verdict").to_pylist() == ["aligned", "misaligned"]


def test_dataframe_api(kg):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"cpt": ["64628", "64628", "bad"], "icd": ["M54.51", "M51.16", "M54.51"]},
                      index=[10, 20, 30])
    out = screen(df, kg=kg, procedure="cpt", diagnoses="icd")
    assert list(out.index) == [10, 20, 30]
    assert list(out["verdict"]) == ["aligned", "misaligned", ""]
    assert "cpt" in out.columns and out["error"].iloc[2]
    assert list(df.columns) == ["cpt", "icd"]  # the input is not modified


@pytest.mark.parametrize("fast", [True, False])
def test_interrupted_run_leaves_no_partial_file(fast, kg, tmp_path, monkeypatch):
    src = write_csv(tmp_path / "big.csv", GOOD * 500)
    dst = tmp_path / "out.csv"
    dst.write_text("previous result\n")
    from kg.screening import fast as vectorised
    from kg.screening import readers

    owner, name = (vectorised.LineReader, "blocks") if fast else (readers.DelimitedReader, "chunks")
    original = getattr(owner, name)

    def interrupted(self):
        for i, chunk in enumerate(original(self)):
            if i == 2:
                raise KeyboardInterrupt
            yield chunk

    monkeypatch.setattr(owner, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        screen_file(str(src), str(dst), kg=kg, progress=False, chunk_size=100, fast=fast)
    assert dst.read_text() == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "out.csv"]


@pytest.mark.slow
def test_killed_subprocess_leaves_no_partial_file(tmp_path):
    src = write_csv(tmp_path / "big.csv", GOOD * 40_000)
    dst = tmp_path / "out.csv"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "screen", str(src), "-o", str(dst), "-q"],
                            cwd=Path(__file__).resolve().parents[1])
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    assert not dst.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]  # the temporary file is removed


def test_summary_counts_add_up(mixed, kg, tmp_path):
    path, n = mixed
    result = CliRunner().invoke(main, ["screen", str(path), "-o", str(tmp_path / "o.parquet"),
                                       "--summary", str(tmp_path / "s.json"),
                                       "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["rows"] == n
    assert sum(s["verdicts"].values()) == sum(s["necessity"].values()) == n
    assert s["rows_ok"] + s["rows_with_errors"] == n
    assert s["verdicts"]["error"] == s["rows_with_errors"] == len(BAD_LINES)
    import pyarrow.parquet as pq

    out = pq.read_table(tmp_path / "o.parquet").to_pylist()
    for verdict, count in s["verdicts"].items():
        assert count == sum(1 for r in out if (r["verdict"] or "error") == verdict)
    assert s["flags"].get("excludes1", 0) == sum(1 for r in out if "excludes1:" in (r["flags"] or ""))
    pairs = {p["pair"]: p["rows"] for p in s["top_misaligned_pairs"]}
    assert pairs["64628 + M51.16"] == 1
    html = (tmp_path / "r.html").read_text()
    assert "<svg" in html and "Rows by verdict" in html and "64628 + M51.16" in html
    assert "screened" in result.stderr


def test_exit_codes(mixed, tmp_path):
    path, _ = mixed
    runner = CliRunner()
    assert runner.invoke(main, ["screen", str(path), "-o", str(tmp_path / "a.csv"), "-q"]).exit_code == 0
    failing = runner.invoke(main, ["screen", str(path), "-o", str(tmp_path / "b.csv"), "-q", "--fail-on-error"])
    assert failing.exit_code == 1 and (tmp_path / "b.csv").exists()
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("a,b\n1,2\n")
    missing = runner.invoke(main, ["screen", str(nocols), "-o", str(tmp_path / "c.csv")])
    assert missing.exit_code == 2 and "no column procedure" in missing.stderr
    assert not (tmp_path / "c.csv").exists()
    unreadable = runner.invoke(main, ["screen", str(tmp_path / "none.csv")])
    assert unreadable.exit_code == 2 and "cannot read" in unreadable.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert runner.invoke(main, ["screen", str(empty)]).exit_code == 2


def test_column_mapping_stdin_and_quiet_stderr(tmp_path):
    data = "id\tcpt\tcodes\nX\t64628\tM54.51;I10\nY\t64628\tm5116\n"
    result = CliRunner().invoke(main, ["screen", "-", "--input-format", "tsv", "--claim-col", "id",
                                       "--procedure-col", "cpt", "--diagnoses-col", "codes", "-q"],
                                input=data)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert [r["verdict"] for r in rows] == ["aligned", "misaligned"]
    assert result.stderr == ""  # no progress noise when standard error is not a terminal


def test_column_map_reports_missing_columns():
    with pytest.raises(Exception, match="no column procedure"):
        ColumnMap().resolve(["claim_id", "dx1"])
    assert ColumnMap(procedure="cpt", dx_prefix="icd").resolve(["cpt", "icd1", "icd2"]).pointers == (1, 2)


def test_cold_start_of_check_does_not_import_pyarrow():
    code = "import sys, kg.cli.check, kg.checking; print('pyarrow' in sys.modules, 'kg.screening' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1], env={**os.environ})
    assert out.stdout.split() == ["False", "False"]


def test_kg_screen_stays_callable_after_imports(kg):
    import importlib

    package = importlib.import_module("kg")
    importlib.import_module("kg.screening")  # a submodule import must not shadow the function
    out = package.screen([{"procedure": "64628", "dx1": "M54.51"}], kg=kg)
    assert out[0]["verdict"] == "aligned"
    assert package.screen([{"procedure": "64628", "dx1": "M51.16"}], kg=kg)[0]["verdict"] == "misaligned"


def _mixed_lines(n_claims: int) -> list[str]:
    """Claims of 1-4 lines with bad rows, quoted fields (some spanning lines), broken quotes,
    lines of one claim with different diagnoses (Excludes1 across lines) and CRLF endings."""
    import random

    rng = random.Random(3)
    dxs = ["M54.51", "M51.16", "M47.816", "M54.50", "M54.41", "M80.08XA", "I10", "M48.062",
           "M54.5", "XYZ", "M54.16", ""]
    procs = ["64628", "64493", "62323", "22514", "22867", "99213", "", "6462"]
    lines = []
    for c in range(n_claims):
        claim = f"C{c}" if rng.random() > 0.05 else ""
        shared = rng.sample(dxs, 2)
        for line in range(rng.choice([1, 1, 2, 3, 4])):
            dx = shared if rng.random() < 0.7 else rng.sample(dxs, 2)
            row = [claim, str(line + 1), rng.choice(procs), dx[0], dx[1], "", "2026-01-05"]
            kind = rng.random()
            if kind < 0.04:
                lines.append(",".join(row[:4]))  # a short row
            elif kind < 0.07:
                lines.append(",".join(row[:2]) + ',"' + ",".join(row[2:]))  # a broken quote
            elif kind < 0.10:
                lines.append(",".join(row[:6]) + ',"a note, with a comma\nand a second line"')
            elif kind < 0.12:
                lines.append(",".join(row[:6]) + ',"quoted ""date"""')
            elif kind < 0.13:
                lines.append("")
            else:
                lines.append(",".join(row) + ("\r" if kind > 0.98 else ""))
    return lines


def _both_paths(src: Path, stem: Path, kg, chunk_size: int) -> list[tuple[bytes, dict]]:
    """(output bytes, summary) of the vectorised path (``stem``-True.csv), then the row path."""
    results = []
    for fast in (True, False):
        out = stem.with_name(f"{stem.name}-{fast}.csv")
        summary = screen_file(str(src), str(out), kg=kg, progress=False, chunk_size=chunk_size,
                              fast=fast)
        data = summary.to_dict()
        data.pop("seconds")
        data.pop("distinct_keys")  # decisions composed: the column path shares a row's core
        results.append((out.read_bytes(), data))
    return results


@pytest.mark.parametrize(("chunk_size", "max_outcomes"), [(40, 200_000), (40, 10), (50_000, 200_000)])
def test_vectorised_path_equals_row_path(chunk_size, max_outcomes, kg, tmp_path, monkeypatch):
    """The vectorised CSV path gives byte for byte the rows and the summary of the row path,
    with blocks that cut claims, quoted fields and bad rows anywhere, also when its table of
    outcomes starts afresh (bounded memory)."""
    from kg.screening import fast as vectorised

    monkeypatch.setattr(vectorised, "MAX_OUTCOMES", max_outcomes)
    src = write_csv(tmp_path / "mixed.csv", [], _mixed_lines(1500))
    (fast_out, fast_summary), (row_out, row_summary) = _both_paths(src, tmp_path / "out", kg,
                                                                   chunk_size)
    assert fast_out == row_out
    assert fast_summary == row_summary
    rows = read_csv(tmp_path / "out-True.csv")
    assert len(rows) == fast_summary["rows"] > 3000
    assert any("excludes1:" in r["flags"] for r in rows)
    assert any("\n" in r["date_of_service"] for r in rows)  # a quoted field over two lines
    assert any("broken CSV quoting" in r["error"] for r in rows)


def test_tsv_stdin_takes_the_vectorised_path(kg, tmp_path, monkeypatch):
    from kg.screening import fast

    calls = []
    monkeypatch.setattr(fast.FastScreener, "run", lambda self, *a, _run=fast.FastScreener.run:
                        calls.append(1) or _run(self, *a))
    data = "\ufeffid\tcpt\tcodes\r\nX\t64628\tM54.51;I10\r\nY\t64628\tm5116\r\n"
    result = CliRunner().invoke(main, ["screen", "-", "--input-format", "tsv", "--claim-col", "id",
                                       "--procedure-col", "cpt", "--diagnoses-col", "codes", "-q"],
                                input=data.encode("utf-8"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert [r["verdict"] for r in rows] == ["aligned", "misaligned"] and calls


def test_screened_csv_screened_again_from_stdin(kg, tmp_path):
    """An input that already has the screening columns takes the row path, also from stdin."""
    src = write_csv(tmp_path / "c.csv", GOOD)
    first = CliRunner().invoke(main, ["screen", str(src), "-q"])
    again = CliRunner().invoke(main, ["screen", "-", "--input-format", "csv", "-q"], input=first.stdout)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout


def test_jsonl_keys_first_seen_late_are_kept(kg, tmp_path):
    """A key that first appears after the first chunk (10,000 records) is not dropped: JSONL
    output keeps each record's own keys; CSV and Parquet get a column for it."""
    pq = pytest.importorskip("pyarrow.parquet")
    records = [{"claim_id": f"C{i}", "procedure": "64628", "dx1": "M54.51"} for i in range(10_003)]
    records[10_001]["late_note"] = "seen late"
    records[10_002]["payer"] = {"name": "BCBS"}
    records[5]["dx1"] = None  # an explicit null stays null
    src = tmp_path / "late.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    screen_file(str(src), str(tmp_path / "o.jsonl"), kg=kg, progress=False)
    out = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert out[10_001]["late_note"] == "seen late" and out[10_002]["payer"] == {"name": "BCBS"}
    assert "late_note" not in out[0] and "payer" not in out[10_001]
    assert out[5]["dx1"] is None and out[5]["error"]
    screen_file(str(src), str(tmp_path / "o.csv"), kg=kg, progress=False)
    rows = read_csv(tmp_path / "o.csv")
    assert rows[10_001]["late_note"] == "seen late" and rows[0]["late_note"] == ""
    assert json.loads(rows[10_002]["payer"]) == {"name": "BCBS"}
    screen_file(str(src), str(tmp_path / "o.parquet"), kg=kg, progress=False)
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.column("late_note").to_pylist()[10_000:] == [None, "seen late", None]
    # standard input is read twice through a temporary copy
    piped = CliRunner().invoke(main, ["screen", "-", "--input-format", "jsonl", "-q"],
                               input=src.read_text())
    assert json.loads(piped.stdout.splitlines()[10_001])["late_note"] == "seen late"


@pytest.mark.parametrize(("chunk_size", "max_entries"), [(64, 200_000), (64, 50), (50_000, 200_000)])
def test_column_path_equals_row_path_on_many_diagnoses(chunk_size, max_entries, kg, tmp_path,
                                                       monkeypatch):
    """Five pointers with codes written in other forms (case, no dot, repeats, blanks), red
    flags in either order, comorbidities a line's core leaves out, Excludes1 pairs and bad codes:
    the column path (kg/screening/columnar.py) writes the row path's bytes, also when its
    tables start afresh."""
    import random

    from kg.screening import columnar

    monkeypatch.setattr(columnar, "MAX_ENTRIES", max_entries)
    rng = random.Random(11)
    pool = ["M54.51", "m54.51", "M5451", "M51.16", "M47.816", "M54.50", "M54.41", "C79.51",
            "M80.08XA", "I10", "E78.5", "Z79.891", "M48.062", " ", "", "", "", "M54.5", "XYZ"]
    procs = ["64628", "64493", "62323", "22514", "63650", "27279", "64635", " 64628 ", "6462"]
    header = ["claim_id", "line", "procedure", "dx1", "dx2", "dx3", "dx4", "dx5"]
    lines = [",".join(header)]
    for c in range(900):
        shared = [rng.choice(pool) for _ in range(5)]
        for line in range(rng.choice([1, 1, 2, 3])):
            dx = shared if rng.random() < 0.6 else [rng.choice(pool) for _ in range(5)]
            lines.append(",".join([f"C{c}", str(line + 1), rng.choice(procs), *dx]))
    src = tmp_path / "many.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast_result, row_result = _both_paths(src, tmp_path / "many", kg, chunk_size)
    assert fast_result == row_result
    rows = read_csv(tmp_path / "many-True.csv")
    assert len(rows) == len(lines) - 1
    assert any("red-flag:C79.51;red-flag:M80.08XA" in r["flags"] for r in rows)
    assert any(r["verdict"] == "aligned" and "I10" in r.values() for r in rows)
