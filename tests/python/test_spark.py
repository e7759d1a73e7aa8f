"""The project on Spark (dbt-spark session mode, a local pyspark session): the shared generated dataset is loaded with
`ai-finops load --target spark`, built with `dbt build --target spark` (seeds, models, data tests, unit tests), and the
warehouse is checked against the generator's ground truth with the very checks DuckDB and PostgreSQL pass.

The checks are imported from their modules (not their functions, so pytest does not collect them twice) and run on
the Spark warehouse; so are the loader's checks (test_loader.py's hand-written expectations), on the same session.
Expected values come from the generator's ground truth or hand-written fixtures, never from this project's SQL.
Without pyspark or Java these tests skip (outside CI) or fail (CI=true); see conftest.spark_unavailable.
"""

from __future__ import annotations

import pytest
import yaml

import test_billing_staging as billing_staging
import test_end_to_end as end_to_end
import test_loader as loader
import test_margin_ground_truth as margin
import test_marts_ground_truth as marts
import test_reconciliation as reconciliation
from conftest import SPARK_REPROCESS_FROM

from ai_finops.loaders.warehouse import parse_chunk_csv
from ai_finops.project import PROJECT_DIR
from ai_finops.spark import session_config

CHECKS = [
    end_to_end.test_dbt_build_reports_no_errors,
    end_to_end.test_billable_calls_are_the_true_calls_with_their_tokens,
    end_to_end.test_every_call_is_priced_as_the_ground_truth_says,
    end_to_end.test_cost_per_feature_day_matches_ground_truth,
    marts.test_feature_economics_daily_matches_feature_day_truth,
    marts.test_fct_llm_calls_are_the_true_calls_with_members_and_cost,
    marts.test_fct_tasks_match_task_truth,
    marts.test_fct_tasks_logical_calls_match_task_truth,
    marts.test_cost_per_successful_task_per_feature_month,
    marts.test_allocation_conserves_cost_per_day_and_overall,
    margin.test_every_customer_month_of_the_truth_has_its_revenue_and_ai_cost,
    margin.test_ai_cost_is_conserved_with_calls_without_customer_unallocated,
    billing_staging.test_billed_totals_per_provider_month_equal_ground_truth,
    billing_staging.test_token_lines_per_reconciliation_cell_equal_ground_truth,
    billing_staging.test_other_charges_equal_ground_truth,
    reconciliation.test_estimates_equal_ground_truth,
    reconciliation.test_monthly_statuses_equal_ground_truth,
    reconciliation.test_invoice_explanation_sums_to_the_invoice,
]


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, ids=lambda check: f"{check.__module__}.{check.__name__}")
def test_spark_warehouse_passes(spark_warehouse, check):
    check(spark_warehouse)


@pytest.mark.slow
def test_spark_incremental_run_replaced_partitions(spark_warehouse):
    """The incremental run (insert_overwrite) rebuilt the partitions from its window and only those."""
    log = spark_warehouse.incremental_log.replace(" ", "")
    assert "ERROR=0" in log and "incrementalmodel" in log, spark_warehouse.incremental_log[-2000:]
    in_window = f"trace_date >= date '{SPARK_REPROCESS_FROM}'"
    rows = spark_warehouse.query(
        f"select {in_window} as in_window, count(distinct processed_at) as runs, count(*) as n "
        f"from {{schema}}.fct_llm_calls group by {in_window}")
    runs = {row["in_window"]: row["runs"] for row in rows}
    assert runs == {True: 1, False: 1}, rows
    later = spark_warehouse.query(
        f"select min(processed_at) as t from {{schema}}.fct_llm_calls where {in_window}")[0]["t"]
    earlier = spark_warehouse.query(
        f"select max(processed_at) as t from {{schema}}.fct_llm_calls where not ({in_window})")[0]["t"]
    assert later > earlier


@pytest.mark.slow
def test_spark_build_ran_seeds_models_tests_and_unit_tests(spark_warehouse):
    """The whole project ran on Spark: no node was skipped and every kind of node was there."""
    log = spark_warehouse.build_log.replace(" ", "")
    assert "SKIP=0" in log and "ERROR=0" in log, spark_warehouse.build_log[-3000:]
    for kind in ("seeds", "table models", "view models", "data tests", "unit tests"):
        assert kind in spark_warehouse.build_log, f"no {kind} in the Spark build: {spark_warehouse.build_log[-1500:]}"


# --- the loader on Spark (in this process, in the session of the warehouse above) ------------------------------------


@pytest.fixture
def spark_engine(spark_warehouse):
    """test_loader's Engine on Spark: raw tables in their own schema of the Spark warehouse's catalog."""
    spark_warehouse.connection()  # this process's session: the Spark warehouse's catalog, so the loader writes there
    engine = loader.Engine("spark", {"raw_schema": loader.SCHEMA})
    engine.reset()
    yield engine
    engine.reset()


LOADER_CHECKS = [
    loader.test_genai_example_loads_into_exactly_the_expected_row,
    loader.test_clickhouse_style_string_map_keeps_strings,
    loader.test_text_with_tabs_newlines_quotes_round_trips,
    loader.test_loading_twice_changes_nothing,
    loader.test_csv_with_bom_crlf_and_null,
]


@pytest.mark.slow
@pytest.mark.parametrize("check", LOADER_CHECKS, ids=lambda check: check.__name__)
def test_spark_loader(spark_engine, tmp_path, check):
    check(spark_engine, tmp_path)


@pytest.mark.slow
def test_spark_loader_malformed_file_loads_nothing(spark_engine, tmp_path):
    loader.test_malformed_line_names_file_and_line_and_loads_nothing(
        spark_engine, tmp_path, "truncated.jsonl", 3, "not valid JSON")


def test_profile_and_python_session_use_the_same_spark_settings():
    """profiles.yml's spark target and ai_finops.spark.session_config (loader, summary, tests) must not drift."""
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["ai_finops"]["outputs"]["spark"]
    assert profile["method"] == "session"
    assert set(profile["server_side_parameters"]) == set(session_config({}))


def test_spark_chunk_parser_keeps_empty_strings_apart_from_null():
    text = '"a",,"",12,"x""y\nz"\n,"",3,"",\n'
    assert parse_chunk_csv(text, 5) == [["a", None, "", "12", 'x"y\nz'], [None, "", "3", "", None]]
    with pytest.raises(ValueError, match="expected 5"):
        parse_chunk_csv('"a","b"\n', 5)
    with pytest.raises(ValueError, match="unterminated"):
        parse_chunk_csv('"a\n', 1)
