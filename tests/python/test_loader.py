"""Tests of `ai-finops load` (ai_finops.loaders) on DuckDB and, when reachable, PostgreSQL.

Expected values are written by hand from the fixtures under fixtures/loader/ (never copied from loader output).
PostgreSQL: database `ai_finops_loader` on AI_FINOPS_PG_HOST (default 127.0.0.1); the tests are skipped with a message
when the server is not reachable, and FAIL when the environment variable CI=true.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import pytest

from ai_finops.loaders import core
from ai_finops.loaders.cli import add_arguments, run
from ai_finops.loaders.core import load_paths
from ai_finops.loaders.kinds import BadInput
from ai_finops.loaders.warehouse import connect

FIXTURES = Path(__file__).parent / "fixtures" / "loader"
PG_DBNAME = os.environ.get("AI_FINOPS_LOADER_TEST_PG_DBNAME", "ai_finops_loader")
SCHEMA = "loader_test"

SPAN_COLUMNS = (
    "trace_id, span_id, parent_span_id, trace_state, span_name, span_kind, start_time_unix_nano, "
    "end_time_unix_nano, status_code, status_message, scope_name, scope_version, resource_attributes, "
    "span_attributes, source_file, source_line, span_index"
)


def _postgres_reachable() -> str | None:
    """None when reachable, else the reason."""
    try:
        import psycopg2

        host = os.environ.get("AI_FINOPS_PG_HOST", "127.0.0.1")
        connection = psycopg2.connect(
            host=host, port=int(os.environ.get("AI_FINOPS_PG_PORT", "5432")),
            user=os.environ.get("AI_FINOPS_PG_USER", "postgres"),
            password=os.environ.get("AI_FINOPS_PG_PASSWORD") or None, dbname="postgres", connect_timeout=3,
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("select 1 from pg_database where datname = %s", (PG_DBNAME,))
            if cursor.fetchone() is None:
                cursor.execute(f"create database {PG_DBNAME}")
        connection.close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(error).__name__}: {error}".strip()


class Engine:
    """A target plus the connection overrides that point it at an isolated raw schema."""

    def __init__(self, target: str, overrides: dict):
        self.target = target
        self.overrides = overrides

    def load(self, paths, **kwargs):
        return load_paths([str(path) for path in paths], target=self.target, **kwargs, **self.overrides)

    def query(self, sql: str) -> list[tuple]:
        warehouse = connect(self.target, **dict(self.overrides))
        warehouse.begin()
        try:
            return [tuple(row) for row in warehouse.fetchall(sql.replace("RAW.", f"{SCHEMA}."))]
        finally:
            warehouse.rollback()
            warehouse.close()

    def reset(self):
        warehouse = connect(self.target, **dict(self.overrides))
        warehouse.begin()
        warehouse.execute(f"drop schema if exists {SCHEMA} cascade")
        warehouse.commit()
        warehouse.close()


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request, tmp_path):
    if request.param == "duckdb":
        engine = Engine("duckdb", {"path": str(tmp_path / "wh.duckdb"), "raw_schema": SCHEMA})
    else:
        reason = _postgres_reachable()
        if reason is not None:
            message = f"PostgreSQL not reachable for database {PG_DBNAME} ({reason})"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message + " and CI=true")
            pytest.skip(message)
        engine = Engine("postgres", {"dbname": PG_DBNAME, "raw_schema": SCHEMA})
    engine.reset()
    yield engine
    engine.reset()


def dataset(tmp_path: Path, otlp: dict[str, str] = (), app: dict[str, str] = ()) -> Path:
    """A dataset folder in the generator's layout, from fixture files: {target name: fixture name}."""
    root = tmp_path / "dataset"
    for folder, files in (("otlp", otlp), ("app", app)):
        for target_name, fixture in dict(files).items():
            (root / folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / fixture, root / folder / target_name)
    return root


def spans(engine: Engine, where: str = "true") -> list[tuple]:
    return engine.query(
        f"select {SPAN_COLUMNS} from RAW.otel_spans where {where} order by source_file, source_line, span_index"
    )


# --- OTLP decoding ---------------------------------------------------------------------------------------------------


def test_genai_example_loads_into_exactly_the_expected_row(engine, tmp_path):
    root = dataset(tmp_path, otlp={"spans-0000.jsonl": "genai_example.jsonl"})
    source_file = str(root / "otlp" / "spans-0000.jsonl")
    (result,) = engine.load([root])
    assert (result.kind, result.table, result.rows, result.skipped) == ("otel_spans", "otel_spans", 1, False)
    (row,) = spans(engine)
    expected_attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.response.id": "chatcmpl-ASYMQRl3A3DXL9FWCK9tnGRcKIO7q",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
        "gen_ai.usage.cache_read.input_tokens": 0,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.stream": False,
        "gen_ai.response.finish_reasons": ["stop"],
        "server.address": "api.openai.com",
    }
    assert row[:12] == (
        "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "eee19b7ec3c1b173", None, "chat gpt-4o-mini", "3",
        "1731368630000000000", "1731368630287000000", None, None, "opentelemetry.instrumentation.openai_v2", "2.4b0",
    )
    assert json.loads(row[12]) == {"service.name": "checkout-api", "deployment.environment.name": "production"}
    # exact text too: key order as delivered, int tokens as JSON numbers (not strings)
    assert row[13] == json.dumps(expected_attributes, separators=(",", ":"))
    assert '"gen_ai.usage.input_tokens":12,' in row[13]
    assert row[14:] == (source_file, 1, 0)
    log = engine.query(
        "select file_name, source_file, file_sha256, file_kind, target_table, rows_loaded, "
        "loaded_at is not null from RAW.load_log"
    )
    import hashlib

    sha = hashlib.sha256((FIXTURES / "genai_example.jsonl").read_bytes()).hexdigest()
    assert log == [("spans-0000.jsonl", source_file, sha, "otel_spans", "otel_spans", 1, True)]


def test_clickhouse_style_string_map_keeps_strings(engine, tmp_path):
    root = dataset(tmp_path, otlp={"ch.jsonl": "clickhouse_style.jsonl"})
    engine.load([root])
    first, second = spans(engine)
    # ids as delivered (staging lower-cases), empty strings stay empty strings (not NULL)
    assert first[:10] == (
        "AAAA0000BBBB1111CCCC2222DDDD3333", "0123456789ABCDEF", "", "", "chat claude-sonnet-4", "Client",
        "1731368630000000000", "1731368630500000000", "Error", "overloaded",
    )
    assert first[10:12] == ("clickhouse-export", None)
    assert json.loads(first[13]) == {
        "gen_ai.usage.input_tokens": "12", "gen_ai.usage.output_tokens": "5",
        "gen_ai.response.finish_reasons": '["stop"]',
    }
    # an attribute map that is already a flat object is kept as delivered
    assert second[1] == "0123456789abcdee" and second[2] is None and second[5] == "SPAN_KIND_CLIENT"
    assert second[8:10] == ("STATUS_CODE_OK", None)
    assert json.loads(second[13]) == {"gen_ai.usage.input_tokens": "7", "gen_ai.provider.name": "anthropic"}
    assert [row[15:] for row in (first, second)] == [(1, 0), (1, 1)]


def test_non_numeric_timestamp_is_kept_as_delivered_for_staging_to_quarantine(engine, tmp_path):
    root = dataset(tmp_path, otlp={"ts.jsonl": "bad_timestamp.jsonl"})
    engine.load([root])
    (row,) = spans(engine)
    # the string is not a number: the raw row keeps it verbatim; a Long object is still decoded (1 = low 1, high 0)
    assert row[6:8] == ("2026-08-04T03:31:48.696886Z", "1")


def test_long_objects_and_other_anyvalue_shapes(engine, tmp_path):
    root = dataset(tmp_path, otlp={"long.jsonl": "long_values.jsonl"})
    engine.load([root])
    (row,) = spans(engine)
    # times given as JS Long objects: high * 2**32 + unsigned(low), computed by hand
    assert row[6:8] == ("1731368630000000000", "1731368630287000000")
    assert row[8:12] == ("2", "boom", "@opentelemetry/instrumentation-openai", "0.1.0")  # old instrumentationLibrary keys
    assert json.loads(row[12]) == {"process.pid": 4242}
    assert json.loads(row[13]) == {
        "gen_ai.usage.input_tokens": 4294967301,  # {low: 5, high: 1} = 2**32 + 5
        "gen_ai.usage.output_tokens": 42,
        "signed.negative": -5,  # {low: -5, high: -1}
        "unsigned.big": 9223372036854775815,  # {low: 7, high: -2**31, unsigned} = 2**63 + 7
        "decimal.string": -17,
        "double.as.string": "NaN",  # JSON has no NaN: kept as text, staging try_casts
        "double.as.number": 1.5,
        "bytes": "3q2+7w==",
        "empty": None,
        "nested": {"a": 1, "b": [True, "x"]},
    }


def test_text_with_tabs_newlines_quotes_round_trips(engine, tmp_path):
    root = dataset(tmp_path, otlp={"tricky.jsonl": "tricky_text.jsonl"})
    engine.load([root])
    (row,) = spans(engine)
    assert row[4] == 'tab\there "quoted", comma'
    assert row[9] == 'multi\nline "message"'
    assert row[11] == ""  # empty scope version: an empty string, not NULL
    assert row[8] is None  # no status code: NULL
    assert json.loads(row[12]) == {"service.name": 'a,b "c"'}
    assert json.loads(row[13]) == {
        "gen_ai.input.messages": 'line1\nline2\r\nline3\ttabbed "quoted" back\\slash ,comma; café ☃ \\N NULL',
        "empty.string": "",
        'key "with" quotes\n': '""',
    }


# --- idempotence and atomicity ---------------------------------------------------------------------------------------


def test_loading_twice_changes_nothing(engine, tmp_path):
    root = dataset(
        tmp_path,
        otlp={"spans-0000.jsonl": "genai_example.jsonl", "spans-0001.jsonl": "long_values.jsonl"},
        app={"plans.csv": "plans_bom_crlf.csv"},
    )
    first = engine.load([root])
    assert [(r.table, r.rows, r.skipped) for r in first] == [
        ("app_plans", 2, False), ("otel_spans", 1, False), ("otel_spans", 1, False),
    ]
    snapshot_sql = {
        "spans": f"select {SPAN_COLUMNS}, loaded_at from RAW.otel_spans order by source_file, source_line, span_index",
        "plans": "select * from RAW.app_plans order by source_line",
        "log": "select * from RAW.load_log order by source_file",
    }
    before = {name: engine.query(sql) for name, sql in snapshot_sql.items()}
    second = engine.load([root])
    assert [(r.rows, r.skipped) for r in second] == [(0, True)] * 3
    # the same bytes under another name are the same file: skipped too
    copy = tmp_path / "elsewhere" / "otlp" / "renamed.jsonl"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "genai_example.jsonl", copy)
    assert [(r.rows, r.skipped) for r in engine.load([copy])] == [(0, True)]
    after = {name: engine.query(sql) for name, sql in snapshot_sql.items()}
    assert after == before
    assert [len(before[name]) for name in ("spans", "plans", "log")] == [2, 2, 3]


@pytest.mark.parametrize(
    ("fixture", "line", "reason"),
    [
        ("truncated.jsonl", 3, "not valid JSON"),
        ("not_json.jsonl", 3, "not valid JSON"),
        ("wrong_structure.jsonl", 1, "not an OTLP traces request"),
        ("attribute_without_key.jsonl", 2, "attribute without a string key"),
        ("bad_int.jsonl", 1, "not an integer: '12.5'"),
    ],
)
def test_malformed_line_names_file_and_line_and_loads_nothing(engine, tmp_path, fixture, line, reason):
    good = tmp_path / "good" / "otlp" / "spans-0000.jsonl"
    good.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "genai_example.jsonl", good)
    bad = tmp_path / "bad" / "otlp" / "spans-0001.jsonl"
    bad.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / fixture, bad)
    with pytest.raises(BadInput) as raised:
        engine.load([good, bad])
    assert str(raised.value).startswith(f"{bad}:{line}: {reason}")
    # the good file loaded before stays; nothing at all from the bad file (its valid first lines included)
    assert engine.query("select source_file, count(*) from RAW.otel_spans group by source_file") == [(str(good), 1)]
    assert engine.query("select source_file from RAW.load_log") == [(str(good),)]


def test_cli_exits_non_zero_with_file_and_line(engine, tmp_path, capsys):
    bad = tmp_path / "otlp" / "spans-0000.jsonl"
    bad.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "truncated.jsonl", bad)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--target", engine.target, "--raw-schema", SCHEMA, str(bad)])
    environment = {"duckdb": {"AI_FINOPS_DUCKDB_PATH": engine.overrides.get("path", "")},
                   "postgres": {"AI_FINOPS_PG_DBNAME": PG_DBNAME}}[engine.target]
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        assert run(args) == 1
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert f"{bad}:3: not valid JSON" in capsys.readouterr().err


def test_cli_exits_non_zero_when_a_file_matches_no_kind(engine, tmp_path, capsys):
    root = dataset(tmp_path, otlp={"spans-0000.jsonl": "genai_example.jsonl"})
    stray = root / "billing" / "costs.json"  # a misnamed export: no kind matches it
    stray.parent.mkdir(parents=True)
    stray.write_text("{}\n")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    environment = {"duckdb": {"AI_FINOPS_DUCKDB_PATH": engine.overrides.get("path", "")},
                   "postgres": {"AI_FINOPS_PG_DBNAME": PG_DBNAME}}[engine.target]
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        assert run(parser.parse_args(["--target", engine.target, "--raw-schema", SCHEMA, str(root)])) == 1
        assert "matched no known kind" in capsys.readouterr().err
        # the matching file was loaded all the same; with --allow-unmatched the same call succeeds
        assert run(parser.parse_args(["--target", engine.target, "--raw-schema", SCHEMA, "--allow-unmatched",
                                      str(root)])) == 0
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert len(spans(engine)) == 1


# --- CSV -------------------------------------------------------------------------------------------------------------


def test_csv_with_bom_crlf_and_null(engine, tmp_path):
    root = dataset(tmp_path, app={"plans.csv": "plans_bom_crlf.csv"})
    (result,) = engine.load([root])
    assert (result.kind, result.table, result.rows) == ("app_plans", "app_plans", 2)
    rows = engine.query(
        "select plan_id, plan_name, seat_price_usd, included_ai_quota_usd, monthly_platform_fee_usd, "
        "target_gross_margin_pct, source_file, source_line from RAW.app_plans order by source_line"
    )
    source_file = str(root / "app" / "plans.csv")
    assert rows == [
        ("starter", "Starter", "20.00", "5.00", "0", None, source_file, 2),  # BOM gone from plan_id; NULL -> NULL
        ("pro", 'Pro, "annual"\r\nplan', "45.50", None, "100.00", "0.7", source_file, 3),  # '' -> NULL
    ]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("plans_wrong_header.csv", ":1: wrong header"),
        ("plans_ragged.csv", ":3: ragged row"),
    ],
)
def test_bad_csv_loads_nothing(engine, tmp_path, fixture, message):
    path = tmp_path / "app" / "plans.csv"
    path.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / fixture, path)
    teams = tmp_path / "app" / "teams.csv"
    teams.write_text("team_id,team_name,cost_center\nt1,Search,CC-1\n")
    with pytest.raises(BadInput) as raised:
        engine.load([teams, path])
    assert str(raised.value).startswith(f"{path}{message}")
    assert engine.query("select file_name from RAW.load_log") == [("teams.csv",)]
    # the plans table was created in the rolled-back transaction: it does not exist (or is empty)
    assert engine.query(
        f"select count(*) from information_schema.tables where table_schema = '{SCHEMA}' and table_name = 'app_plans'"
    ) == [(0,)]


# --- file matching ---------------------------------------------------------------------------------------------------


def test_file_matching_and_forced_kind(engine, tmp_path):
    stray = tmp_path / "dataset" / "billing" / "unknown_export.csv"
    stray.parent.mkdir(parents=True)
    stray.write_text("a,b\n1,2\n")
    truth = tmp_path / "dataset" / "ground_truth" / "spans.csv"
    truth.parent.mkdir(parents=True)
    truth.write_text("trace_id\n")
    root = dataset(tmp_path, app={"teams.csv": "plans_bom_crlf.csv"})
    # app/teams.csv is matched to app_teams by its path, so the plans header is rejected
    with pytest.raises(BadInput, match="wrong header"):
        engine.load([root])
    (root / "app" / "teams.csv").write_text("team_id,team_name,cost_center\nt1,Search,CC-1\n")
    results = engine.load([root])
    # ground truth is never loaded; a file no kind matches is reported, not silently dropped
    assert [(Path(r.file).name, r.kind, r.rows, r.skipped) for r in results] == [
        ("teams.csv", "app_teams", 1, False), ("unknown_export.csv", "", 0, True),
    ]
    loose = tmp_path / "spans.txt"
    shutil.copyfile(FIXTURES / "genai_example.jsonl", loose)
    with pytest.raises(ValueError, match="no file kind matches"):
        engine.load([loose])
    (result,) = engine.load([loose], kind="otel_spans")
    assert (result.table, result.rows) == ("otel_spans", 1)


def test_large_file_is_loaded_in_several_chunks(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(core, "CHUNK_ROWS", 2)
    lines = []
    for number in range(5):
        request = json.loads((FIXTURES / "genai_example.jsonl").read_text())
        request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = f"{number:016x}"
        lines.append(json.dumps(request))
    path = tmp_path / "otlp" / "spans.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")
    (result,) = engine.load([path])
    assert result.rows == 5
    assert engine.query("select span_id, source_line from RAW.otel_spans order by source_line") == [
        (f"{number:016x}", number + 1) for number in range(5)
    ]


def _numbered_spans_file(path: Path, lines: int, bad_line: int | None = None) -> None:
    template = json.loads((FIXTURES / "genai_example.jsonl").read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as out:
        for number in range(1, lines + 1):
            if number == bad_line:
                out.write('{"resourceSpans": [\n')
                continue
            spans = template["resourceSpans"][0]["scopeSpans"][0]["spans"]
            spans[0]["spanId"] = f"{number:016x}"
            out.write(json.dumps(template) + "\n")


def test_parallel_parsing_matches_line_numbers(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(core, "BLOCK_BYTES", 4096)  # about 3 lines per block
    monkeypatch.setattr(core, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv("AI_FINOPS_LOAD_WORKERS", "2")
    path = tmp_path / "otlp" / "spans.jsonl"
    _numbered_spans_file(path, 40)
    (result,) = engine.load([path])
    assert result.rows == 40
    assert engine.query("select span_id, source_line, span_index from RAW.otel_spans order by source_line") == [
        (f"{number:016x}", number, 0) for number in range(1, 41)
    ]
    bad = tmp_path / "otlp" / "bad.jsonl"
    _numbered_spans_file(bad, 40, bad_line=29)
    with pytest.raises(BadInput, match=f"^{bad}:29: not valid JSON"):
        engine.load([bad])
    assert engine.query("select count(*) from RAW.otel_spans where source_file = '" + str(bad) + "'") == [(0,)]


def test_nul_character_is_a_clear_error(engine, tmp_path):
    path = tmp_path / "otlp" / "nul.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"a\\u0000b"}]}]}]}\n')
    with pytest.raises(BadInput, match=f"^{path}:1: a value contains a NUL character"):
        engine.load([path])
