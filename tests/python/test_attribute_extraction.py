"""The two ways stg_otel__span_attributes reads span attributes give the same rows on real generated data.

On DuckDB the model extracts only the keys of seed otel_attribute_keys from each JSON object (one json_extract per
object, macro otel_attribute_keys_to_extract); the portable path, which PostgreSQL and Spark take, explodes every
attribute and joins the seed. The DuckDB warehouse of the test session was built with the fast path; here the model
is compiled both ways (var otel_extract_seeded_keys) over every date, and the two selects must agree row for row in
both directions. The hand-made edge cases (JSON null, non-object JSON, invalid JSON, priorities) are in the unit test
test_span_attributes_one_pass_match_and_privacy, which runs the fast path on DuckDB and the other on PostgreSQL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ai_finops.project import PROJECT_DIR

from conftest import run_checked

MODEL_PATH = Path("ai_finops") / "models" / "staging" / "otel" / "stg_otel__span_attributes.sql"
BOOKKEEPING = ("processed_at", "inputs_fingerprint")


def _compiled_select(warehouse, target_path: Path, extract: bool) -> str:
    vars_ = json.dumps({"otel_extract_seeded_keys": extract})
    run_checked([str(Path(sys.executable).parent / "dbt"), "compile", "--select", "stg_otel__span_attributes",
                 "--full-refresh", "--vars", vars_, "--profiles-dir", str(PROJECT_DIR), "--project-dir",
                 str(PROJECT_DIR), "--target", "duckdb", "--target-path", str(target_path)],
                warehouse.env, f"dbt compile (otel_extract_seeded_keys={extract})")
    return (target_path / "compiled" / MODEL_PATH).read_text()


def test_seeded_key_extraction_equals_the_explode_path(duckdb_warehouse, tmp_path):
    duckdb_warehouse.close()  # dbt compile opens the DuckDB file for writing
    fast = _compiled_select(duckdb_warehouse, tmp_path / "fast", True)
    portable = _compiled_select(duckdb_warehouse, tmp_path / "portable", False)
    assert "json_extract(" in fast and "json_each(" not in fast, "the DuckDB build did not take the fast path"
    assert "json_each(" in portable and "json_extract(" not in portable

    columns = [row["column_name"] for row in duckdb_warehouse.query(
        "select column_name from information_schema.columns where table_schema = '{schema}' "
        "and table_name = 'stg_otel__span_attributes' order by ordinal_position")
        if row["column_name"] not in BOOKKEEPING]
    select = ", ".join(columns)
    counts = duckdb_warehouse.query(f"""
        with fast as (select {select} from ({fast}) as f),
        portable as (select {select} from ({portable}) as p)
        select
            (select count(*) from fast) as fast_rows,
            (select count(*) from portable) as portable_rows,
            (select count(*) from (select * from fast except all select * from portable) as d) as only_fast,
            (select count(*) from (select * from portable except all select * from fast) as d) as only_portable,
            (select count(*) from {{schema}}.stg_otel__span_attributes) as built_rows
    """)[0]
    assert counts["fast_rows"] > 10_000
    assert counts["only_fast"] == 0 and counts["only_portable"] == 0, counts
    assert counts["fast_rows"] == counts["portable_rows"] == counts["built_rows"], counts
