"""Incremental builds equal a full rebuild, row for row, on DuckDB and PostgreSQL (docs/incremental.md).

The generated dataset is landed, then part of it is held back and delivered later, as a daily pipeline sees it:
  1. the traces of the last two days (new days), plus every third span of the traces of a day inside the lookback
     (late spans of traces already built);
  2. one child span of a trace three weeks old, far outside the lookback (a very late span).
One trace of delivery 1 carries the explicit task id of a trace four weeks old (before the very late span's day): a
task whose traces start on different days, which the incremental int_llm_tasks must rebuild from its first day.
After each delivery `dbt run` builds incrementally. The result must equal `dbt run --full-refresh` on the same raw
data for every relation of the project (processed_at aside); a second incremental run changes nothing; partitions
before the window are not rebuilt; and an edited rate-card price reprices the whole history on the next incremental
run, exactly as the edit implies (the edited usage type's cost scales by the price ratio, nothing else moves).
Data tests of incremental models check the rows the latest build wrote, and every row with incremental_test_scope: all;
the token conservation test compares the trace dates the latest build rebuilt.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import fresh_postgres_env, python_command, run_checked

from ai_finops.project import PROJECT_DIR, connect

LOOKBACK_DAYS = int(re.search(r"^  incremental_lookback_days: (\d+)", (PROJECT_DIR / "dbt_project.yml").read_text(),
                              re.MULTILINE).group(1))

NEW_DAYS_FROM = date(2026, 9, 10)       # traces starting on or after this date arrive in delivery 1
LATE_DAY = date(2026, 9, 9)             # every third span of this day's traces arrives late, in delivery 1
OLD_DAY = date(2026, 8, 15)             # one child span of a trace of this day arrives in delivery 2, starting a day
                                        # earlier than the rest of its trace: the trace moves to the day before
TASK_DAY = date(2026, 8, 13)            # a new trace of delivery 1 joins the explicit task of a trace of this day
METADATA_COLUMNS = {"processed_at"}     # differs between runs by design
FLOAT_TYPES = {"double", "double precision", "real", "float"}
INCREMENTAL_MODELS = [
    "stg_otel__spans", "stg_otel__span_attributes", "int_otel_spans_typed", "int_otel_span_lineage",
    "int_otel_spans_enriched", "int_otel_spans_classified", "int_llm_call_audit", "int_otel_spans_quarantined",
    "int_llm_calls", "int_llm_calls_model_resolved", "int_llm_cost_lines", "int_llm_calls_priced",
    "int_llm_calls_attributed", "int_llm_cost_lines_attributed", "fct_llm_calls", "fct_llm_cost_daily",
    "int_llm_tasks", "stg_otel__trace_dates",
]
TASK_ID_KEY = '"app.task_id":"'        # how the explicit task id appears in the raw span_attributes JSON


class Project:
    """One engine's warehouse and the dbt invocations against it."""

    def __init__(self, target: str, env: dict[str, str], project_dir: Path, work: Path):
        self.target = target
        self.env = {**env, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        self.project_dir = project_dir
        self.work = work
        self.schema = self.env["AI_FINOPS_SCHEMA"]
        self.cross_day_task: str | None = None

    def dbt_command(self, *arguments: str) -> list[str]:
        # dbt re-parses the whole project when --vars differ from the previous invocation's: invocations with vars
        # keep their partial-parse state in a target folder of their own.
        target = "target_vars" if "--vars" in arguments else "target"
        return [str(Path(sys.executable).parent / "dbt"), *arguments, "--profiles-dir", str(self.project_dir),
                "--project-dir", str(self.project_dir), "--target", self.target, "--target-path",
                str(self.work / target), "--log-path", str(self.work / "logs")]

    def dbt(self, *arguments: str) -> str:
        return run_checked(self.dbt_command(*arguments), self.env, "dbt " + " ".join(arguments))

    def data_tests(self, *arguments: str) -> CompiledDataTests:
        """Run `dbt test` with these arguments once, for real, and keep the SQL dbt compiled for the tests it ran:
        later checks of the same tests run that SQL as queries (CompiledDataTests.rerun) instead of a dbt
        invocation of about 4.5 s each. The compiled SQL holds what dbt read when it compiled it (on DuckDB the
        latest build's processed_at), so it stays valid until the next dbt run or seed."""
        target = "target_vars" if "--vars" in arguments else "target"
        results_path = self.work / target / "run_results.json"
        results_path.unlink(missing_ok=True)  # a dbt that stops before running writes none: never read a stale one
        completed = subprocess.run(self.dbt_command("test", *arguments), cwd=self.project_dir, env=self.env,
                                   text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        what = "dbt test " + " ".join(arguments)
        assert completed.returncode in (0, 1) and results_path.exists(), \
            f"{what} did not run its tests (exit {completed.returncode}):\n{completed.stdout[-6000:]}"
        results = json.loads(results_path.read_text())["results"]
        compiled = [result["compiled_code"] for result in results if result["unique_id"].startswith("test.")]
        return CompiledDataTests(self, what, completed.returncode, compiled)

    def execute(self, *statements: str) -> None:
        connection = connect(self.target, self.env)
        try:
            cursor = connection.cursor()
            for statement in statements:
                cursor.execute(statement.replace("{schema}", self.schema))
            connection.commit()
        finally:
            connection.close()

    def query(self, sql: str, connection=None) -> list[tuple]:
        """Rows of one query, on `connection` when given (else on a connection of its own)."""
        if connection is not None:
            cursor = connection.cursor()
            cursor.execute(sql.replace("{schema}", self.schema))
            return cursor.fetchall()
        connection = connect(self.target, self.env)
        try:
            return self.query(sql, connection)
        finally:
            connection.close()

    def relations(self, schema: str) -> list[str]:
        return [row[0] for row in self.query(
            f"select table_name from information_schema.tables where table_schema = '{schema}' order by table_name")]

    def columns(self, schema: str, relation: str) -> list[str]:
        return [row[0] for row in self.column_types(schema, relation)]

    def column_types(self, schema: str, relation: str, connection=None) -> list[tuple[str, str]]:
        return self.query(
            "select column_name, lower(data_type) from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{relation}' order by ordinal_position", connection)

    def snapshot(self, snapshot_schema: str) -> None:
        """Copy every relation dbt built into snapshot_schema (tables, so later runs cannot change them)."""
        statements = [f"drop schema if exists {snapshot_schema} cascade", f"create schema {snapshot_schema}"]
        for relation in self.relations(self.schema):
            statements.append(f"create table {snapshot_schema}.{relation} as select * from {{schema}}.{relation}")
        self.execute(*statements)

    def differences(self, snapshot_schema: str) -> dict[str, tuple[int, int]]:
        """Relation -> (rows only in the snapshot, rows only in the live schema), multiset semantics."""
        found = {}
        connection = connect(self.target, self.env)
        try:
            live = set(self.relations(self.schema))
            for relation in self.relations(snapshot_schema):
                assert relation in live, f"{relation} is in the snapshot but not rebuilt"
                # Floating-point aggregates (stddev, ratios) may differ in the last bit between any two runs, since
                # parallel sums add in varying order: compared to 9 decimals. Money and counts are exact types.
                columns = ", ".join(
                    f'cast("{column}" as decimal(38, 9)) as "{column}"' if data_type in FLOAT_TYPES else f'"{column}"'
                    for column, data_type in self.column_types(snapshot_schema, relation, connection)
                    if column not in METADATA_COLUMNS)
                left = f"select {columns} from {snapshot_schema}.{relation}"
                right = f"select {columns} from {{schema}}.{relation}"
                only_left = self.query(f"select count(*) from ({left} except all {right}) as d", connection)[0][0]
                only_right = self.query(f"select count(*) from ({right} except all {left}) as d", connection)[0][0]
                if only_left or only_right:
                    found[relation] = (only_left, only_right)
        finally:
            connection.close()
        return found


class CompiledDataTests:
    """Data tests dbt ran once (exit_code: that run's exit code) and the SQL it compiled for them. rerun() runs the
    SQL again as dbt's test materialization does with the project's settings for these tests (severity error,
    failures = count(*) of the rows returned, an error when not 0): 1 when a test returns rows, else 0, as dbt test
    exits. On creation, the rerun must agree with dbt's own run."""

    def __init__(self, project: Project, what: str, exit_code: int, compiled: list[str]):
        assert compiled, f"{what} selected no data test"
        self.project = project
        self.what = what
        self.exit_code = exit_code
        self.compiled = compiled
        assert self.rerun() == exit_code, f"{what}: its compiled SQL and dbt's run disagree"

    def rerun(self) -> int:
        connection = connect(self.project.target, self.project.env)
        try:
            return int(any(self.project.query(f"select count(*) from ({sql}) as dbt_internal_test", connection)[0][0]
                           for sql in self.compiled))
        finally:
            connection.close()


def trace_dates_sql(raw: str) -> str:
    """trace id -> UTC date of its earliest start, computed here from the raw nanoseconds (not by the project)."""
    return (f"select trace_id, min(start_time_unix_nano) as first_start from {raw} "
            "where start_time_unix_nano is not null group by trace_id")


def hold_back(project: Project) -> str:
    """Move the two later deliveries out of raw.otel_spans into raw.delivery_1 and raw.delivery_2; returns the id of
    the task joined across days (join_task_across_days)."""
    raw = "raw.otel_spans"
    late_lo, late_hi = day_nanos(LATE_DAY)
    old_lo, old_hi = day_nanos(OLD_DAY)
    new_lo, _ = day_nanos(NEW_DAYS_FROM)
    numeric_start = "cast(first_start as decimal(20, 0))"
    project.execute(
        "drop table if exists raw.delivery_1", "drop table if exists raw.delivery_2",
        f"create table raw.delivery_1 as select s.* from {raw} as s "
        f"inner join ({trace_dates_sql(raw)}) as t on s.trace_id = t.trace_id "
        f"where {numeric_start} >= {new_lo} "
        f"or ({numeric_start} >= {late_lo} and {numeric_start} < {late_hi} and s.source_line % 3 = 0)",
        # One child span (it has a parent) of the first trace of OLD_DAY that has one.
        f"create table raw.delivery_2 as select s.* from {raw} as s where s.source_file || ':' || "
        f"cast(s.source_line as varchar(20)) || ':' || cast(s.span_index as varchar(20)) = ("
        f"select min(c.source_file || ':' || cast(c.source_line as varchar(20)) || ':' || "
        f"cast(c.span_index as varchar(20))) from {raw} as c "
        f"inner join ({trace_dates_sql(raw)}) as t on c.trace_id = t.trace_id "
        f"where {numeric_start} >= {old_lo} and {numeric_start} < {old_hi} "
        "and c.parent_span_id is not null and c.parent_span_id <> '')",
        f"delete from {raw} where exists (select 1 from raw.delivery_1 as d where d.source_file = {raw}.source_file "
        f"and d.source_line = {raw}.source_line and d.span_index = {raw}.span_index)",
        f"delete from {raw} where exists (select 1 from raw.delivery_2 as d where d.source_file = {raw}.source_file "
        f"and d.source_line = {raw}.source_line and d.span_index = {raw}.span_index)",
    )
    day = 86_400 * 10**9
    project.execute(*(
        f"update raw.delivery_2 set {column} = cast(cast({column} as decimal(20, 0)) - {day} as varchar(20))"
        for column in ("start_time_unix_nano", "end_time_unix_nano")))
    counts = project.query("select (select count(*) from raw.delivery_1), (select count(*) from raw.delivery_2)")[0]
    assert counts[0] > 100 and counts[1] == 1, f"hold-back went wrong: {counts}"
    return join_task_across_days(project, numeric_start)


def day_nanos(day: date) -> tuple[int, int]:
    """The UTC day as [start, end) in Unix nanoseconds, the unit of the raw start_time_unix_nano."""
    start = (day - date(1970, 1, 1)).days * 86_400 * 10**9
    return start, start + 86_400 * 10**9


def join_task_across_days(project: Project, numeric_start: str) -> str:
    """Rewrite the explicit task id of one new-day trace in delivery 1 to the task id of a trace of TASK_DAY (already
    landed): one task, two traces 28 days apart. Returns that task id."""
    def first_task(table: str, day_condition: str) -> tuple[str, str]:
        trace_id, attributes = project.query(
            f"select s.trace_id, s.span_attributes from raw.{table} as s "
            f"inner join ({trace_dates_sql('raw.' + table)}) as t on s.trace_id = t.trace_id "
            f"where {day_condition} and s.span_attributes like '%{TASK_ID_KEY}%' "
            "order by s.trace_id, s.span_id limit 1")[0]
        return trace_id, json.loads(attributes)["app.task_id"]

    task_lo, task_hi = day_nanos(TASK_DAY)
    new_lo, _ = day_nanos(NEW_DAYS_FROM)
    _, old_task = first_task("otel_spans", f"{numeric_start} >= {task_lo} and {numeric_start} < {task_hi}")
    new_trace, new_task = first_task("delivery_1", f"{numeric_start} >= {new_lo}")
    project.execute(f"update raw.delivery_1 set span_attributes = replace(span_attributes, "
                    f"'{TASK_ID_KEY}{new_task}\"', '{TASK_ID_KEY}{old_task}\"') where trace_id = '{new_trace}'")
    moved = project.query(f"select count(*) from raw.delivery_1 where span_attributes like '%{old_task}%'")[0][0]
    assert moved > 0, f"the task id of trace {new_trace} was not rewritten"
    return old_task


def deliver(project: Project, table: str, loaded_at: str) -> None:
    columns = ", ".join(project.columns("raw", table))
    select_list = columns.replace("loaded_at", f"cast('{loaded_at}' as timestamp) as loaded_at")
    project.execute(f"insert into raw.otel_spans ({columns}) select {select_list} from raw.{table}")


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "analyses"):
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def double_output_price(project_dir: Path, model_id: str) -> int:
    """Double every output price row of model_id in the copied rate card; returns the number of rows edited."""
    path = project_dir / "seeds" / "rate_cards" / "rate_card_prices.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    edited = 0
    for row in rows:
        if row["model_id"] == model_id and row["usage_type"] == "output":
            row["price"] = str(Decimal(row["price"]) * 2)
            edited += 1
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return edited


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def project(request, dataset, tmp_path_factory) -> Project:
    work = tmp_path_factory.mktemp(f"incremental_{request.param}")
    project_dir = copy_project(work / "project")
    if request.param == "duckdb":
        env = {**os.environ, "AI_FINOPS_DUCKDB_PATH": str(work / "warehouse.duckdb"), "AI_FINOPS_SCHEMA": "main"}
    else:
        env = fresh_postgres_env("_incremental")
    run_checked(python_command("load", "--target", request.param, str(dataset.folder)), env, "ai-finops load")
    project = Project(request.param, env, project_dir, work)
    project.cross_day_task = hold_back(project)
    project.dbt("seed")
    project.dbt("run", "--full-refresh")
    return project


def test_incremental_runs_equal_a_full_refresh(project):
    first_processed = project.query("select max(processed_at) from {schema}.fct_llm_calls")[0][0]
    first_tasks_processed = project.query("select max(processed_at) from {schema}.int_llm_tasks")[0][0]
    built_before = project.query("select max(trace_date) from {schema}.fct_llm_calls")[0][0]

    # Delivery 1: two new days and late spans of a day inside the lookback.
    deliver(project, "delivery_1", "2030-01-01 00:00:00")
    project.dbt("run")
    window_start = built_before - timedelta(days=LOOKBACK_DAYS)
    untouched = project.query(
        "select count(*), sum(case when processed_at = (select min(processed_at) from {schema}.fct_llm_calls) "
        f"then 1 else 0 end) from {{schema}}.fct_llm_calls where trace_date < cast('{window_start}' as date)")[0]
    assert untouched[0] > 0 and untouched[0] == untouched[1], (
        f"calls of traces before {window_start} were rebuilt by the first incremental run: {untouched}")
    rebuilt = project.query("select min(trace_date) from {schema}.fct_llm_calls where processed_at > "
                            f"cast('{first_processed}' as timestamp)")[0][0]
    assert rebuilt == window_start, f"window started at {rebuilt}, expected {window_start}"
    # The task joined across days is one row, rebuilt from its first day; the tasks before that day are untouched.
    task = project.query("select trace_count, first_trace_date from {schema}.int_llm_tasks "
                         f"where task_id = '{project.cross_day_task}'")
    assert task == [(2, TASK_DAY)], f"task {project.cross_day_task} across days: {task}"
    tasks_rebuilt_from = project.query("select min(first_trace_date) from {schema}.int_llm_tasks where processed_at > "
                                       f"cast('{first_tasks_processed}' as timestamp)")[0][0]
    assert tasks_rebuilt_from == TASK_DAY, f"int_llm_tasks rebuilt from {tasks_rebuilt_from}, expected {TASK_DAY}"
    kept = project.query(
        "select count(*), sum(case when processed_at = "
        f"cast('{first_tasks_processed}' as timestamp) then 1 else 0 end) from {{schema}}.int_llm_tasks "
        f"where first_trace_date < cast('{TASK_DAY}' as date)")[0]
    assert kept[0] > 0 and kept[0] == kept[1], f"tasks before {TASK_DAY} were rebuilt: {kept}"

    # Delivery 2: one span three weeks late (outside the lookback): the new-data rule must reach back for it.
    # It starts a day before the rest of its trace, so the whole trace moves to the day before (every span of it,
    # on every incremental model partitioned by trace_date).
    deliver(project, "delivery_2", "2030-01-02 00:00:00")
    project.dbt("run")
    moved_trace = project.query("select lower(trace_id) from raw.delivery_2")[0][0]
    moved = project.query(f"select distinct trace_date from {{schema}}.stg_otel__spans where trace_id = '{moved_trace}'")
    assert moved == [(OLD_DAY - timedelta(days=1),)], f"trace {moved_trace} of {OLD_DAY} is dated {moved}"
    project.snapshot("incremental_snapshot")

    # Running again with nothing new changes nothing.
    project.dbt("run")
    assert project.differences("incremental_snapshot") == {}, "a second incremental run changed rows"

    # The same raw data built from scratch.
    project.dbt("run", "--full-refresh")
    differences = project.differences("incremental_snapshot")
    assert differences == {}, f"incremental != full refresh (rows only incremental, only full): {differences}"
    assert set(INCREMENTAL_MODELS) <= set(project.relations(project.schema))


def test_rate_card_edit_reprices_history_incrementally(project):
    """Double one model's output price in the seed: the next incremental run reprices every call of every date."""
    if project.target != "duckdb":
        pytest.skip("the repricing path is the same SQL on every engine; checked on DuckDB to keep CI short")
    model_id, dates = project.query(
        "select model_id, count(distinct trace_date) from {schema}.int_llm_cost_lines "
        "where usage_type = 'output' and line_status = 'priced' group by model_id "
        "order by count(*) desc, model_id limit 1")[0]
    assert dates > LOOKBACK_DAYS + 1, "the model must have priced calls before the incremental window"
    assert double_output_price(project.project_dir, model_id) > 0
    project.snapshot("before_price_edit")

    project.dbt("seed", "--select", "rate_card_prices")
    project.dbt("run")

    changed = project.query(
        "select b.usage_type, b.trace_date, b.list_cost_usd, a.list_cost_usd, b.unit_price, a.unit_price "
        "from before_price_edit.int_llm_cost_lines as b inner join {schema}.int_llm_cost_lines as a "
        "on a.cost_line_id = b.cost_line_id "
        f"where b.model_id = '{model_id}'")
    assert changed, "no cost lines of the edited model"
    for usage_type, trace_date, old_cost, new_cost, old_price, new_price in changed:
        factor = 2 if usage_type == "output" else 1
        assert Decimal(str(new_price)) == Decimal(str(old_price)) * factor, (usage_type, trace_date)
        assert abs(Decimal(str(new_cost)) - Decimal(str(old_cost)) * factor) <= Decimal("1e-9"), (
            usage_type, trace_date, old_cost, new_cost)
    repriced_dates = {row[1] for row in changed if row[0] == "output"}
    assert len(repriced_dates) == dates, "only part of the history was repriced"
    others = project.query(
        "select count(*) from before_price_edit.int_llm_cost_lines as b inner join {schema}.int_llm_cost_lines as a "
        f"on a.cost_line_id = b.cost_line_id where b.model_id <> '{model_id}' "
        "and (a.list_cost_usd <> b.list_cost_usd or a.unit_price <> b.unit_price)")[0][0]
    assert others == 0, f"{others} cost lines of other models changed"

    # And the repriced warehouse equals a full rebuild with the edited rate card.
    project.snapshot("after_price_edit")
    project.dbt("run", "--full-refresh")
    assert project.differences("after_price_edit") == {}


def test_data_tests_check_the_rows_the_latest_build_wrote(project):
    """Generic data tests of an incremental model read the rows its latest build wrote (macro
    incremental_latest_build_condition); var incremental_test_scope: all reads every row. The privacy scan reads
    the same rows and fails on the content marker."""
    project.dbt("run", "--select", "fct_llm_calls")  # nothing new: rebuilds the lookback window only
    latest = project.query("select max(processed_at) from {schema}.fct_llm_calls")[0][0]
    window_start = project.query(
        "select min(trace_date) from {schema}.fct_llm_calls where processed_at = "
        f"cast('{latest}' as timestamp)")[0][0]
    oldest = project.query("select min(trace_date) from {schema}.fct_llm_calls")[0][0]
    assert oldest < window_start, "the incremental run rebuilt everything; nothing to leave out"
    unique_call_id = ["--select", "fct_llm_calls,test_name:unique"]

    # A duplicate call written by an earlier build (outside the window): not re-checked by the daily run ...
    project.execute("insert into {schema}.fct_llm_calls select * from {schema}.fct_llm_calls "
                    f"where call_id = (select min(call_id) from {{schema}}.fct_llm_calls "
                    f"where trace_date = cast('{oldest}' as date))")
    unique_latest_build = project.data_tests(*unique_call_id)
    assert unique_latest_build.exit_code == 0
    # ... but found by the full check.
    assert project.data_tests(*unique_call_id, "--vars", "{incremental_test_scope: all}").exit_code == 1

    # A duplicate in the rows the latest build wrote fails the daily run's test.
    project.execute("delete from {schema}.fct_llm_calls where trace_date = "
                    f"cast('{oldest}' as date)")  # remove the old duplicate (and its day) first
    project.execute("insert into {schema}.fct_llm_calls select * from {schema}.fct_llm_calls "
                    f"where call_id = (select min(call_id) from {{schema}}.fct_llm_calls "
                    f"where processed_at = cast('{latest}' as timestamp))")
    assert unique_latest_build.rerun() == 1

    # The privacy scan reads the same rows: the content marker in a row of the latest build fails it.
    privacy = ["--select", "assert_no_content_leaves_staging"]
    project.dbt("run", "--select", "fct_llm_calls", "--full-refresh")
    privacy_scan = project.data_tests(*privacy)
    assert privacy_scan.exit_code == 0
    project.execute("update {schema}.fct_llm_calls set trace_id = 'leaked PII-CONTENT-MARKER text' "
                    "where call_id = (select min(call_id) from {schema}.fct_llm_calls)")
    assert privacy_scan.rerun() == 1
    project.dbt("run", "--select", "fct_llm_calls", "--full-refresh")  # leave the warehouse as it was built


def test_token_conservation_checks_the_rebuilt_window(project):
    """The token conservation test compares raw and placed tokens over the trace dates the latest build rebuilt
    (macro incremental_window_condition): a broken total in an older partition is left to the full check
    (incremental_test_scope: all), one inside the window fails the daily run."""
    if project.target != "duckdb":
        pytest.skip("the window predicate is the same SQL on every engine (PostgreSQL builds run it in full); "
                    "checked on DuckDB to keep CI short")
    project.dbt("run", "--select", "+int_llm_calls")  # nothing new: each model rebuilds its lookback window only
    window_start = min(project.query(
        f"select min(trace_date) from {{schema}}.{model} where processed_at = "
        f"(select max(processed_at) from {{schema}}.{model})")[0][0]
        for model in ("stg_otel__span_attributes", "int_otel_spans_classified", "int_llm_calls"))
    oldest = project.query("select min(trace_date) from {schema}.int_llm_calls")[0][0]
    assert oldest < window_start, "the incremental run rebuilt everything; nothing to leave out"
    conserved = ["--select", "assert_otel_token_totals_conserved"]

    def shift_output_tokens(condition: str, delta: int) -> None:
        project.execute(f"update {{schema}}.int_llm_calls set output_tokens = output_tokens + ({delta}) "
                        f"where call_id = (select min(call_id) from {{schema}}.int_llm_calls "
                        f"where {condition} and output_tokens > 0)")

    before_window = f"trace_date = cast('{oldest}' as date)"
    in_window = f"trace_date = cast('{window_start}' as date)"
    # One token too many in a partition an earlier run wrote and checked: not re-read by the daily check ...
    shift_output_tokens(before_window, 1)
    daily_check = project.data_tests(*conserved)
    assert daily_check.exit_code == 0
    # ... but found by the full check.
    full_check = project.data_tests(*conserved, "--vars", "{incremental_test_scope: all}")
    assert full_check.exit_code == 1
    # One token too many inside the rebuilt window fails the daily check.
    shift_output_tokens(in_window, 1)
    assert daily_check.rerun() == 1
    shift_output_tokens(before_window, -1)
    shift_output_tokens(in_window, -1)
    assert full_check.rerun() == 0


def test_task_conservation_catches_stale_task_rows(project):
    """assert_otel_task_span_counts_conserved reads int_llm_tasks whole: a task row left in a partition outside the
    window (its first day moved, or its spans moved to another task) fails the daily run, which the unique test of
    the latest build cannot see."""
    if project.target != "duckdb":
        pytest.skip("a whole-table test, the same SQL on every engine; checked on DuckDB to keep CI short")
    project.dbt("run", "--select", "int_llm_tasks")  # nothing new: rebuilds its lookback window only
    oldest = project.query("select min(first_trace_date) from {schema}.int_llm_tasks")[0][0]
    task_id = project.query("select min(task_id) from {schema}.int_llm_tasks where processed_at = "
                            "(select max(processed_at) from {schema}.int_llm_tasks)")[0][0]
    conserved = project.data_tests("--select", "assert_otel_task_span_counts_conserved")
    unique_task_id = ["--select", "int_llm_tasks,test_name:unique"]
    assert conserved.exit_code == 0

    # The task's old row left behind in the oldest partition, as if its first trace had moved to a later day.
    columns = ", ".join(project.columns(project.schema, "int_llm_tasks"))
    project.execute(
        f"insert into {{schema}}.int_llm_tasks ({columns}) select "
        + columns.replace("first_trace_date", f"cast('{oldest}' as date) as first_trace_date")
        .replace("processed_at", "cast('2000-01-01' as timestamp) as processed_at")
        + f" from {{schema}}.int_llm_tasks where task_id = '{task_id}'")
    assert project.data_tests(*unique_task_id).exit_code == 0, "the old row is outside the latest build"
    assert conserved.rerun() == 1
    project.execute(f"delete from {{schema}}.int_llm_tasks where task_id = '{task_id}' "
                    "and processed_at = cast('2000-01-01' as timestamp)")

    # A task outside the window still counting a span that now belongs to another task.
    old_task = project.query("select min(task_id) from {schema}.int_llm_tasks "
                             f"where first_trace_date = cast('{oldest}' as date)")[0][0]
    project.execute(f"update {{schema}}.int_llm_tasks set span_count = span_count + 1 where task_id = '{old_task}'")
    assert conserved.rerun() == 1
    project.execute(f"update {{schema}}.int_llm_tasks set span_count = span_count - 1 where task_id = '{old_task}'")
    assert conserved.rerun() == 0


def test_disposition_conservation_catches_lost_and_doubled_spans(project):
    """assert_otel_every_raw_span_has_exactly_one_disposition reads the raw table and the four placements whole:
    a span lost from its placement, placed twice, or placed without a raw row fails it, in any partition."""
    if project.target != "duckdb":
        pytest.skip("a whole-table test, the same SQL on every engine; checked on DuckDB to keep CI short")
    disposition = project.data_tests("--select", "assert_otel_every_raw_span_has_exactly_one_disposition")
    assert disposition.exit_code == 0
    oldest = project.query("select min(trace_date) from {schema}.int_llm_call_audit")[0][0]
    occurrence = project.query("select min(span_occurrence_id) from {schema}.int_llm_call_audit "
                               f"where trace_date = cast('{oldest}' as date)")[0][0]
    project.execute("create table {schema}.kept_audit_row as select * from {schema}.int_llm_call_audit "
                    f"where span_occurrence_id = '{occurrence}'")
    # Lost: the audit row of an old partition deleted.
    project.execute(f"delete from {{schema}}.int_llm_call_audit where span_occurrence_id = '{occurrence}'")
    assert disposition.rerun() == 1
    # Placed twice.
    project.execute("insert into {schema}.int_llm_call_audit select * from {schema}.kept_audit_row")
    project.execute("insert into {schema}.int_llm_call_audit select * from {schema}.kept_audit_row")
    assert disposition.rerun() == 1
    # Placed once, but also a placement whose raw row does not exist.
    project.execute(f"delete from {{schema}}.int_llm_call_audit where span_occurrence_id = '{occurrence}'")
    project.execute("insert into {schema}.int_llm_call_audit select * from {schema}.kept_audit_row")
    project.execute("insert into {schema}.int_llm_call_audit select * replace ("
                    "'no-such-file:0:0' as span_occurrence_id) from {schema}.kept_audit_row")
    assert disposition.rerun() == 1
    project.execute("delete from {schema}.int_llm_call_audit where span_occurrence_id = 'no-such-file:0:0'")
    project.execute("drop table {schema}.kept_audit_row")
    assert disposition.rerun() == 0


def test_call_conservation_catches_lost_and_doubled_calls(project):
    """assert_llm_calls_priced_conserves_calls reads int_llm_calls, int_llm_calls_priced and int_llm_calls_unpriced
    whole: a call missing from the priced table or priced twice fails it, in any partition."""
    if project.target != "duckdb":
        pytest.skip("a whole-table test, the same SQL on every engine; checked on DuckDB to keep CI short")
    conserved = project.data_tests("--select", "assert_llm_calls_priced_conserves_calls")
    assert conserved.exit_code == 0
    call_id = project.query("select min(call_id) from {schema}.int_llm_calls_priced where trace_date = "
                            "(select min(trace_date) from {schema}.int_llm_calls_priced)")[0][0]
    project.execute("create table {schema}.kept_priced_row as select * from {schema}.int_llm_calls_priced "
                    f"where call_id = '{call_id}'")
    project.execute(f"delete from {{schema}}.int_llm_calls_priced where call_id = '{call_id}'")
    assert conserved.rerun() == 1
    project.execute("insert into {schema}.int_llm_calls_priced select * from {schema}.kept_priced_row")
    assert conserved.rerun() == 0
    project.execute("insert into {schema}.int_llm_calls_priced select * from {schema}.kept_priced_row")
    assert conserved.rerun() == 1
    project.execute(f"delete from {{schema}}.int_llm_calls_priced where call_id = '{call_id}'")
    project.execute("insert into {schema}.int_llm_calls_priced select * from {schema}.kept_priced_row")
    project.execute("drop table {schema}.kept_priced_row")
    assert conserved.rerun() == 0


# Date-partitioned models a full build leaves unsorted: their rows keep the date order of the parent that probes their
# joins (docs/incremental.md, "Storage order"). int_otel_spans_typed only on the seeded-key path (DuckDB's default).
ORDER_KEEPING_MODELS = ("int_otel_spans_classified", "int_llm_calls_attributed", "int_llm_cost_lines_attributed",
                        "int_otel_spans_typed")


def partition_columns(project_dir: Path) -> dict[str, str]:
    """Each date-partitioned model (incremental_by_date) and its partition column, read from the model files."""
    columns = {}
    for path in (project_dir / "models").rglob("*.sql"):
        found = re.search(r"incremental_by_date\('(\w+)'\)", path.read_text())
        if found:
            columns[path.stem] = found.group(1)
    return columns


def test_full_build_stores_rows_in_partition_order(project):
    """On DuckDB a full build writes every date-partitioned model sorted by its partition column
    (incremental_cluster_order), except the ancestor walk and the models that keep a sorted parent's order, so a daily
    run's window read and delete touch the row groups of the window only; with var incremental_cluster_full_builds
    false the rows stay in the order the build's windows and joins left."""
    if project.target != "duckdb":
        pytest.skip("the sort is DuckDB's (min/max per row group); PostgreSQL and Spark store partitions otherwise")

    def storage_order(model: str, column: str) -> list:
        # One thread, insertion order preserved: the scan returns the rows in the order they are stored.
        connection = connect(project.target, project.env, read_only=True)
        try:
            connection.execute("set threads = 1")
            connection.execute("set preserve_insertion_order = true")
            return [row[0] for row in project.query(f"select {column} from {{schema}}.{model}", connection)]
        finally:
            connection.close()

    columns = partition_columns(project.project_dir)
    assert set(columns) == set(INCREMENTAL_MODELS) - {"stg_otel__trace_dates"}, sorted(columns)
    # Not sorted: the walk (its sort ran out of memory at 10M spans), and the models whose rows stream through hash
    # joins probed by a sorted parent and kept its row groups' dates at 10M spans (the sort doubled
    # int_otel_spans_classified's time; `make bench` reports each table's dates per row group), among them
    # int_otel_spans_typed on the seeded-key path, whose joins' build sides are all small. Each says so where its sort
    # would be.
    for model in ("int_otel_span_lineage",) + ORDER_KEEPING_MODELS:
        del columns[model]
    project.dbt("run", "--full-refresh")
    # What dbt ran: a sort is the statement's last clause (incremental_cluster_order).
    ran_dir = project.work / "target" / "run" / "ai_finops" / "models"
    ran = {path.stem: path.read_text() for path in ran_dir.rglob("*.sql")}
    final_sort = re.compile(r"order by \w+\s*\)?\s*;?\s*$")
    for model in ("int_otel_span_lineage",) + ORDER_KEEPING_MODELS:
        assert not final_sort.search(ran[model].strip()), f"{model} sorts its full build"
    assert final_sort.search(ran["stg_otel__spans"].strip()), "the final-sort pattern misses a sorting model"
    unsorted, several_dates = {}, set()
    for model, column in sorted(columns.items()):
        values = storage_order(model, column)
        if len(set(values)) > 1:
            several_dates.add(model)
        if values != sorted(values):
            unsorted[model] = column
    assert unsorted == {}, f"models whose full build is not stored in partition order: {unsorted}"
    large = {"stg_otel__spans", "stg_otel__span_attributes", "int_llm_cost_lines", "fct_llm_calls",
             "fct_llm_cost_daily"}
    assert large <= several_dates, f"models holding a single date prove nothing: {sorted(large - several_dates)}"

    # Without the sort, a model built through a window function is not stored in date order.
    project.dbt("run", "--full-refresh", "--select", "stg_otel__spans",
                "--vars", "{incremental_cluster_full_builds: false}")
    values = storage_order("stg_otel__spans", "trace_date")
    assert values != sorted(values), "stg_otel__spans came out in date order without the sort"
    project.dbt("run", "--full-refresh", "--select", "stg_otel__spans")
    assert storage_order("stg_otel__spans", "trace_date") == sorted(values)


def test_window_read_by_rowid_equals_the_single_scan(project):
    """On DuckDB, the staging models read an incremental window's raw rows by rowid (found first from trace_id and
    loaded_at, then joined back, so the scan skips the other row groups). That path needs a raw table; over a view
    (a user's own landing view) the macro falls back to the single scan. Both compiled window selects must return the
    same rows, and the window must hold rows of both kinds (dated by trace, dated by load without a trace id)."""
    if project.target != "duckdb":
        pytest.skip("the rowid read is DuckDB's; PostgreSQL and Spark use the single scan")
    compiled = project.work / "target_vars" / "compiled" / "ai_finops" / "models" / "staging" / "otel"
    selects = {}
    try:
        # Two spans without a trace id (empty, missing), dated by their load date inside the window, and one whose
        # trace is not in stg_otel__trace_dates yet (it waits for the next run on both paths).
        project.execute(
            "create or replace view raw.otel_spans_view as select * from raw.otel_spans",
            "insert into raw.otel_spans select * exclude (n) replace ('rowid-test' as source_file, "
            "case n when 1 then '' when 2 then null else 'rowid-test-unknown-trace' end as trace_id, "
            "cast('2030-01-03 00:00:00' as timestamp) as loaded_at) "
            "from (select *, row_number() over (order by source_file, source_line, span_index) as n "
            "from raw.otel_spans order by n limit 3) as first_rows")
        assert project.query("select count(distinct coalesce(trace_id, 'null')) from raw.otel_spans "
                             "where source_file = 'rowid-test'") == [(3,)]
        for table in ("otel_spans", "otel_spans_view"):
            project.dbt("compile", "--select", "stg_otel__spans", "--vars", f"{{raw_otel_spans_table: {table}}}")
            selects[table] = (compiled / "stg_otel__spans.sql").read_text()
        assert ".rowid" in selects["otel_spans"], "the window over the raw table is not read by rowid"
        assert "rowid" not in selects["otel_spans_view"], "the window over a view is read by rowid"
        assert ">= cast('" in selects["otel_spans"], "the compiled select has no window: nothing to compare"
        by_rowid, single_scan = selects["otel_spans"], selects["otel_spans_view"].replace(
            '"raw"."otel_spans_view"', '"raw"."otel_spans"')
        rows = project.query(f"select count(*), count(distinct trace_date), "
                             f"sum(case when source_file = 'rowid-test' then 1 else 0 end) from ({by_rowid}) as w")[0]
        assert rows[0] > 0 and rows[1] > 1 and rows[2] == 2, f"window (rows, dates, inserted rows kept): {rows}"
        # processed_at is each compile's run start: left out of the comparison.
        by_rowid, single_scan = (f"select * exclude (processed_at) from ({sql}) as w" for sql in (by_rowid, single_scan))
        only_rowid = project.query(f"select count(*) from (({by_rowid}) except all ({single_scan})) as d")[0][0]
        only_scan = project.query(f"select count(*) from (({single_scan}) except all ({by_rowid})) as d")[0][0]
        assert (only_rowid, only_scan) == (0, 0), f"rows only by rowid, only by the single scan: {only_rowid, only_scan}"
    finally:
        project.execute("drop view if exists raw.otel_spans_view",
                        "delete from raw.otel_spans where source_file = 'rowid-test'")


def test_unique_combination_finds_a_duplicated_combination(project):
    """unique_combination_of_columns on DuckDB groups a hash of the combination first, then the columns of the rows
    whose hash repeats (macro duckdb__unique_combination_of_columns_sql): a row that repeats a combination of the
    latest build fails it, a row that differs in one of the columns does not."""
    if project.target != "duckdb":
        pytest.skip("the hashed grouping is DuckDB's; PostgreSQL runs the plain group by")
    unique_combination = ["--select", "stg_otel__span_attributes,test_name:unique_combination_of_columns"]
    latest = "processed_at = (select max(processed_at) from {schema}.stg_otel__span_attributes)"
    project.execute(
        "create table {schema}.kept_attribute_row as select * from {schema}.stg_otel__span_attributes "
        f"where span_occurrence_id = (select min(span_occurrence_id) from {{schema}}.stg_otel__span_attributes "
        f"where {latest}) order by attribute_scope, attribute_key, concept limit 1")
    try:
        # The same span, scope and concept under another key: a different combination.
        project.execute("insert into {schema}.stg_otel__span_attributes select * replace ("
                        "attribute_key || '.other' as attribute_key) from {schema}.kept_attribute_row")
        combination_test = project.data_tests(*unique_combination)
        assert combination_test.exit_code == 0
        # The row itself once more: a duplicated combination.
        project.execute("insert into {schema}.stg_otel__span_attributes select * from {schema}.kept_attribute_row")
        assert combination_test.rerun() == 1
    finally:
        project.execute(
            "delete from {schema}.stg_otel__span_attributes as a using {schema}.kept_attribute_row as k "
            "where a.span_occurrence_id = k.span_occurrence_id and a.attribute_scope = k.attribute_scope "
            "and a.concept = k.concept and a.attribute_key in (k.attribute_key, k.attribute_key || '.other')",
            "insert into {schema}.stg_otel__span_attributes select * from {schema}.kept_attribute_row",
            "drop table {schema}.kept_attribute_row")
    assert combination_test.rerun() == 0
