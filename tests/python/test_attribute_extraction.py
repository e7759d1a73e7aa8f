"""The two ways the project reads span attributes give the same rows.

On DuckDB, stg_otel__spans extracts only the keys of seed otel_attribute_keys from each JSON object (one json_extract
per object) into two ranked lists on the span's row (macro otel_attribute_lists_select); stg_otel__span_attributes
unnests them (otel_attribute_rows_select) and int_otel_spans_typed reads each concept's rank-1 value in place. The
portable path, which PostgreSQL and Spark take, explodes every attribute in stg_otel__span_attributes, joins the seed,
ranks with a window, and int_otel_spans_typed regroups those rows into spans (otel_pivot_concepts).

- On real generated data: the DuckDB warehouse of the test session was built with the fast path; both models are
  compiled both ways (var otel_extract_seeded_keys) over every date, and the two selects must agree row for row in
  both directions.
- On the hand-made edge cases (JSON null, blanks, non-object JSON, invalid JSON, priorities, content keys): the unit
  test test_span_attributes_one_pass_match_and_privacy runs the portable path against hand-written rows; here the
  fast path's two macros run on that unit test's raw rows and must give exactly its expected rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from ai_finops.project import PROJECT_DIR

from conftest import run_checked

MODEL_PATHS = {
    "stg_otel__span_attributes": Path("ai_finops") / "models" / "staging" / "otel" / "stg_otel__span_attributes.sql",
    "int_otel_spans_typed": Path("ai_finops") / "models" / "intermediate" / "llm_calls" / "int_otel_spans_typed.sql",
}
BOOKKEEPING = ("processed_at", "inputs_fingerprint")
UNIT_TESTS = PROJECT_DIR / "tests" / "unit" / "otel" / "_otel__staging_unit_tests.yml"
ATTRIBUTE_COLUMNS = ("span_occurrence_id", "attribute_scope", "attribute_key", "attribute_value", "concept", "priority",
                     "convention_hint", "concept_rank")


def _dbt(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(PROJECT_DIR), "--project-dir",
            str(PROJECT_DIR), "--target", "duckdb"]


def _compiled_selects(warehouse, target_path: Path, extract: bool) -> dict[str, str]:
    vars_ = json.dumps({"otel_extract_seeded_keys": extract})
    run_checked(_dbt("compile", "--select", *MODEL_PATHS, "--full-refresh", "--vars", vars_, "--target-path",
                     str(target_path)),
                warehouse.env, f"dbt compile (otel_extract_seeded_keys={extract})")
    return {model: (target_path / "compiled" / path).read_text() for model, path in MODEL_PATHS.items()}


def _compare(warehouse, model: str, fast: str, portable: str) -> dict[str, int]:
    columns = [row["column_name"] for row in warehouse.query(
        "select column_name from information_schema.columns where table_schema = '{schema}' "
        f"and table_name = '{model}' order by ordinal_position")
        if row["column_name"] not in BOOKKEEPING]
    select = ", ".join(columns)
    return warehouse.query(f"""
        with fast as (select {select} from ({fast}) as f),
        portable as (select {select} from ({portable}) as p)
        select
            (select count(*) from fast) as fast_rows,
            (select count(*) from portable) as portable_rows,
            (select count(*) from (select * from fast except all select * from portable) as d) as only_fast,
            (select count(*) from (select * from portable except all select * from fast) as d) as only_portable,
            (select count(*) from {{schema}}.{model}) as built_rows
    """)[0]


def test_seeded_key_lists_equal_the_explode_path(duckdb_warehouse, tmp_path):
    duckdb_warehouse.close()  # dbt compile opens the DuckDB file for writing
    fast = _compiled_selects(duckdb_warehouse, tmp_path / "fast", True)
    portable = _compiled_selects(duckdb_warehouse, tmp_path / "portable", False)
    attributes_fast, attributes_portable = fast["stg_otel__span_attributes"], portable["stg_otel__span_attributes"]
    assert "attribute_entry_numbers" in attributes_fast and "json_each(" not in attributes_fast, \
        "the DuckDB build did not take the fast path"
    assert "json_each(" in attributes_portable and "attribute_entry_numbers" not in attributes_portable
    assert "attribute_entry_values" in fast["int_otel_spans_typed"]
    assert "attribute_entry_values" not in portable["int_otel_spans_typed"]

    # The portable typed select reads the built attribute table, which the first comparison holds equal to the
    # portable attribute select.
    for model, minimum_rows in (("stg_otel__span_attributes", 10_000), ("int_otel_spans_typed", 1_000)):
        counts = _compare(duckdb_warehouse, model, fast[model], portable[model])
        assert counts["fast_rows"] > minimum_rows, (model, counts)
        assert counts["only_fast"] == 0 and counts["only_portable"] == 0, (model, counts)
        assert counts["fast_rows"] == counts["portable_rows"] == counts["built_rows"], (model, counts)


def _sql_text(value) -> str:
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


def test_seeded_key_lists_on_the_unit_test_rows(duckdb_warehouse):
    """The fast path's macros on the raw rows of the portable path's unit test give that test's expected rows."""
    unit_test = next(test for test in yaml.safe_load(UNIT_TESTS.read_text())["unit_tests"]
                     if test["name"] == "test_span_attributes_one_pass_match_and_privacy")
    raw_rows = next(given["rows"] for given in unit_test["given"] if given["input"] == "source('otel', 'otel_spans')")
    expected = {tuple(row.get(column) for column in ATTRIBUTE_COLUMNS) for row in unit_test["expect"]["rows"]}
    values = ",\n".join(
        "(" + ", ".join([
            _sql_text(f"{row['source_file']}:{row['source_line']}:{row['span_index']}"), "cast(null as date)",
            _sql_text(row.get("span_attributes")), _sql_text(row.get("resource_attributes")),
        ]) + ")"
        for row in raw_rows)
    # dbt parses the inline query before it runs it; the seed table is read only when it runs (execute).
    inline = (
        "{%- set plan = otel_attribute_entry_plan() -%}{%- set raw %}(select * from (values\n" + values
        + "\n) as raw_rows (span_occurrence_id, trace_date, span_attributes, resource_attributes)){%- endset -%}"
        "{%- if execute -%}"
        "{{ otel_attribute_rows_select('(' ~ otel_attribute_lists_select(raw, plan) ~ ')', plan, {'start': none}) }}"
        "{%- else -%}select 1{%- endif -%}"
    )
    duckdb_warehouse.close()  # dbt compile opens the DuckDB file for writing
    compiled = run_checked(_dbt("compile", "--quiet", "--inline", inline), duckdb_warehouse.env,
                           "dbt compile --inline (fast path on the unit test's rows)")
    assert "json_extract(" in compiled, compiled
    got = duckdb_warehouse.query(f"select {', '.join(ATTRIBUTE_COLUMNS)} from ({compiled}) as fast")
    got_rows = [tuple(row[column] for column in ATTRIBUTE_COLUMNS) for row in got]
    assert len(got_rows) == len(set(got_rows)) == len(expected) > 10
    assert set(got_rows) == expected
