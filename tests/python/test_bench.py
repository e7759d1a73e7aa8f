"""The pieces of `make bench` (benchmarks/bench.py) that must stay true between benchmark runs.

1. The floor (benchmarks/floor_daily_cost.sql, one hand-written statement) equals the mart fct_llm_cost_daily on the
   test dataset: it is an independent implementation of the span-to-daily-cost logic, so a change of the models'
   semantics that the floor does not share (or a floor that drifted) fails here, not in a long benchmark run.
   The floor's pricing steps alone, on the parsed calls of int_llm_calls, give the same table too.
2. Holding back the last day moves exactly the traces that STARTED on that day (hand-made spans), and putting them
   back restores every row with a new loaded_at.
3. Re-rendering BENCHMARKS.md replaces only the generated section and keeps the history around it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_floor_equals_the_daily_cost_mart(duckdb_warehouse):
    floor_sql = bench.FLOOR_SQL.read_text()
    mismatches = duckdb_warehouse.query(bench.mismatch_query(f"({floor_sql})", duckdb_warehouse.schema))
    assert mismatches == [], f"{len(mismatches)} rows differ, first: {mismatches[:3]}"
    rows = duckdb_warehouse.query(f"select count(*) as n, sum(calls) as calls from ({floor_sql})")
    calls = duckdb_warehouse.query("select count(*) as n from {schema}.fct_llm_calls")
    assert rows[0]["n"] > 0 and rows[0]["calls"] == calls[0]["n"]


def test_pricing_only_floor_equals_the_daily_cost_mart(duckdb_warehouse):
    """The floor's pricing steps re-rooted on int_llm_calls (the bench's peer-scope phase) give the same table."""
    floor_sql = bench.FLOOR_SQL.read_text()
    pricing_sql = bench.PRICING_ONLY_CALLS + floor_sql[floor_sql.index(bench.PRICING_SECTION_MARK):]
    mismatches = duckdb_warehouse.query(bench.mismatch_query(f"({pricing_sql})", duckdb_warehouse.schema))
    assert mismatches == [], f"{len(mismatches)} rows differ, first: {mismatches[:3]}"


def _nanos(text: str) -> str:
    moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)
    return str(int(moment.timestamp()) * 1_000_000_000)


def test_hold_back_moves_the_traces_started_on_the_last_day_and_put_back_restores_them():
    connection = duckdb.connect()
    connection.execute("create schema raw")
    connection.execute("create table raw.otel_spans (trace_id varchar, span_id varchar, start_time_unix_nano varchar, "
                       "loaded_at timestamp)")
    spans = [
        ("t_before", "a", _nanos("2026-08-30 12:00:00")),   # started before the last day
        ("t_cross", "a", _nanos("2026-08-30 23:59:59")),    # started before midnight ...
        ("t_cross", "b", _nanos("2026-08-31 00:00:01")),    # ... a child after midnight: the trace stays
        ("t_last", "a", _nanos("2026-08-31 00:00:00")),     # started on the last day: held back
        ("t_last", "b", "2026-08-31T01:00:00Z"),            # an unparseable start (quarantine trap) goes with it
        ("t_late", "a", _nanos("2026-08-31 23:59:59")),
    ]
    connection.executemany("insert into raw.otel_spans values (?, ?, ?, timestamp '2026-09-01 00:00:00')", spans)
    for statement in bench.hold_back_sql("duckdb", "raw", dt.date(2026, 8, 31)):
        connection.execute(statement)
    held = connection.execute(f"select trace_id, span_id from raw.{bench.HOLD_TABLE} order by 1, 2").fetchall()
    kept = connection.execute("select trace_id, span_id from raw.otel_spans order by 1, 2").fetchall()
    assert held == [("t_last", "a"), ("t_last", "b"), ("t_late", "a")]
    assert kept == [("t_before", "a"), ("t_cross", "a"), ("t_cross", "b")]
    now = dt.datetime(2026, 12, 1, 8, 30)
    for statement in bench.put_back_sql("raw", ["trace_id", "span_id", "start_time_unix_nano", "loaded_at"], now):
        connection.execute(statement)
    restored = connection.execute("select trace_id, span_id, start_time_unix_nano, loaded_at from raw.otel_spans "
                                  "order by 1, 2").fetchall()
    assert [row[:3] for row in restored] == sorted(spans)
    assert {row[3] for row in restored if row[0] in ("t_last", "t_late")} == {now}
    assert connection.execute("select count(*) from information_schema.tables "
                              f"where table_name = '{bench.HOLD_TABLE}'").fetchone()[0] == 0


def test_generated_section_is_replaced_and_history_kept(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nintro\n\n## History (2026-11-30)\n\nold numbers\n")
    first = f"{bench.BEGIN_MARK}\n\nrun one\n{bench.END_MARK}\n"
    bench.write_benchmarks(first, path)
    bench.write_benchmarks(f"{bench.BEGIN_MARK}\n\nrun two\n{bench.END_MARK}\n", path)
    text = path.read_text()
    assert "run two" in text and "run one" not in text
    assert text.count(bench.BEGIN_MARK) == 1 and text.count(bench.END_MARK) == 1
    assert "## History (2026-11-30)\n\nold numbers" in text and text.startswith("# Benchmarks\n\nintro")
