"""Optimize-and-govern marts against the `--scenario optimize` ground truth, on DuckDB and PostgreSQL.

The scenario (src/ai_finops/generate/scenario_optimize.py) injects a known set of opportunities, spend spikes and a
drop, and budgets; the generator computes their truth from its own price table (prices.py), never from the project's
seeds or SQL. Each injected case must be found, in the generator's rank order, with savings within 5 %; nothing else
may be listed above the configured minimum; every injected anomaly is flagged at its level, day and direction with its
driver, and nothing else is; budget statuses, burn and forecasts must match.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from conftest import as_decimal, background_result, build_optimize_postgres_warehouse, build_warehouse

from ai_finops.generate.scenario_optimize import BLOAT_BASELINE_DAYS, BLOAT_RECENT_DAYS, CACHE_TTL, LOOKBACK_DAYS
from ai_finops.project import PROJECT_DIR

TOLERANCE = Decimal("0.05")
CENT = Decimal("0.005")


@pytest.fixture(scope="session")
def optimize_duckdb_warehouse(optimize_dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("optimize_duckdb")
    env = {**os.environ, "AI_FINOPS_DUCKDB_PATH": str(folder / "warehouse.duckdb"), "AI_FINOPS_SCHEMA": "main"}
    warehouse = build_warehouse("duckdb", env, optimize_dataset, folder / "target", unit_tests=False)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session")
def optimize_postgres_warehouse(background_jobs, optimize_dataset, tmp_path_factory):
    """conftest.build_optimize_postgres_warehouse, built in the background from the start of the session when
    PostgreSQL is reachable (conftest background_jobs)."""
    warehouse = background_result(background_jobs, "optimize_postgres", lambda: build_optimize_postgres_warehouse(
        optimize_dataset, tmp_path_factory.mktemp("optimize_postgres")))
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def optimize_warehouse(request):
    return request.getfixturevalue(f"optimize_{request.param}_warehouse")


def opportunities(warehouse) -> list[dict]:
    return warehouse.query(
        "select savings_rank, opportunity_kind, feature_id, team_id, environment, model_id, candidate_model_id, "
        "is_estimate_needs_quality_check, estimated_monthly_savings_usd "
        "from {schema}.fct_savings_opportunities order by savings_rank")


def test_each_injected_opportunity_is_found_ranked_and_within_5_percent(optimize_warehouse):
    truth = optimize_warehouse.dataset.truth("opportunities")
    assert truth, "the scenario injected no opportunity"
    found = {(row["opportunity_kind"], row["feature_id"], row["environment"]): row
             for row in opportunities(optimize_warehouse)}
    for expected in truth:
        key = (expected["opportunity_kind"], expected["feature_id"], expected["environment"])
        assert key in found, f"injected {key} not found; found {sorted(found)}"
        row = found[key]
        assert row["savings_rank"] == int(expected["rank"]), (key, row["savings_rank"], expected["rank"])
        assert row["team_id"] == expected["team_id"]
        if expected["opportunity_kind"] != "non_production":
            assert row["model_id"] == expected["model_id"]
        truth_savings = as_decimal(expected["expected_monthly_savings_usd"])
        error = abs(as_decimal(row["estimated_monthly_savings_usd"]) - truth_savings) / truth_savings
        assert error <= TOLERANCE, (key, row["estimated_monthly_savings_usd"], truth_savings)


def test_no_opportunity_the_generator_did_not_inject(optimize_warehouse):
    injected = {(row["opportunity_kind"], row["feature_id"], row["environment"])
                for row in optimize_warehouse.dataset.truth("opportunities")}
    listed = [(row["opportunity_kind"], row["feature_id"], row["environment"]) for row in opportunities(optimize_warehouse)]
    assert sorted(listed) == sorted(injected), set(listed) ^ injected


def test_only_model_routing_needs_a_quality_check(optimize_warehouse):
    for row in opportunities(optimize_warehouse):
        assert bool(row["is_estimate_needs_quality_check"]) == (row["opportunity_kind"] == "model_routing"), row
        if row["opportunity_kind"] == "model_routing":
            assert row["candidate_model_id"] == "claude-sonnet-4-5"


def test_budget_seed_is_the_generator_budget_table(optimize_dataset):
    with open(PROJECT_DIR / "seeds" / "governance" / "budgets.csv", newline="", encoding="utf-8") as handle:
        seed = [{k: v for k, v in row.items() if k != "note"} for row in csv.DictReader(handle)]
    assert seed == optimize_dataset.truth("budgets")


def test_budget_status_burn_and_forecast_match(optimize_warehouse):
    truth = {row["budget_id"]: row for row in optimize_warehouse.dataset.truth("budget_status")}
    rows = optimize_warehouse.query(
        "select budget_id, burn_to_date_usd, forecast_period_end_usd, budget_status from {schema}.fct_budget_burn")
    found = {row["budget_id"]: row for row in rows}
    assert set(found) == set(truth)
    assert {row["status"] for row in truth.values()} == {"ok", "at_risk", "over"}, "the scenario covers every status"
    for budget_id, expected in truth.items():
        row = found[budget_id]
        assert row["budget_status"] == expected["status"], (budget_id, row, expected)
        assert abs(as_decimal(row["burn_to_date_usd"]) - as_decimal(expected["burn_to_date_usd"])) < CENT
        assert abs(as_decimal(row["forecast_period_end_usd"]) - as_decimal(expected["forecast_usd"])) < CENT


def test_budget_breaches_warn_in_the_build_output(optimize_warehouse):
    log = optimize_warehouse.build_log
    assert "WARN 1 budget_over" in log and "WARN 1 budget_at_risk" in log, log[-3000:]


def test_month_end_forecast_per_provider_and_feature(optimize_warehouse):
    calls = optimize_warehouse.dataset.truth("calls")
    as_of = max(date.fromisoformat(row["call_date"]) for row in calls)
    spend = defaultdict(Decimal)
    for row in calls:
        spend[(row["provider"], row["feature_id"])] += as_decimal(row["list_cost_usd"])
    rows = optimize_warehouse.query(
        "select provider, feature_id, elapsed_days, days_in_month, forecast_month_end_usd "
        "from {schema}.fct_spend_forecast_monthly where spend_month = date '2026-09-01'")
    assert {(row["provider"], row["feature_id"]) for row in rows} == set(spend)
    for row in rows:
        assert row["elapsed_days"] == as_of.day and row["days_in_month"] == 30
        expected = spend[(row["provider"], row["feature_id"])] * 30 / as_of.day
        assert abs(as_decimal(row["forecast_month_end_usd"]) - expected) < CENT, (row, expected)
    # the budget mart uses the same numbers: a monthly feature budget's forecast is the feature's forecast
    budgets = optimize_warehouse.query(
        "select scope_id, forecast_period_end_usd from {schema}.fct_budget_burn where scope_type = 'feature'")
    for budget in budgets:
        total = sum(as_decimal(row["forecast_month_end_usd"]) for row in rows if row["feature_id"] == budget["scope_id"])
        assert abs(as_decimal(budget["forecast_period_end_usd"]) - total) < CENT, budget


def test_injected_anomalies_and_nothing_else_are_flagged(optimize_warehouse):
    truth = {(row["spend_date"], row["dimension_type"], row["dimension_value"]): row
             for row in optimize_warehouse.dataset.truth("anomalies")}
    assert {row["direction"] for row in truth.values()} == {"spike", "drop"}
    assert {row["dimension_type"] for row in truth.values()} == {"feature", "customer", "model"}
    rows = optimize_warehouse.query(
        "select cast(spend_date as varchar) as spend_date, dimension_type, dimension_value, anomaly_direction, "
        "main_driver, calls, jump_usd from {schema}.fct_spend_anomalies_daily where is_anomaly")
    found = {(row["spend_date"], row["dimension_type"], row["dimension_value"]): row for row in rows}
    assert set(found) == set(truth), set(found) ^ set(truth)
    for key, expected in truth.items():
        row = found[key]
        assert (row["anomaly_direction"], row["main_driver"]) == (expected["direction"], expected["main_driver"]), key
        assert abs(as_decimal(row["jump_usd"]) - as_decimal(expected["expected_jump_usd"])) < CENT, (key, row)
        if expected["direction"] == "drop":
            assert row["calls"] == 0, (key, row)


def test_prompt_bloat_and_caching_evidence(optimize_warehouse):
    """Evidence columns against the generator's calls: input tokens per call and input/output ratio of the bloated
    feature's recent and baseline windows, and the cache writes of the caching case (the first window call and each
    call more than the cache TTL after the previous one)."""
    calls = optimize_warehouse.dataset.truth("calls")
    rows = {row["opportunity_kind"]: row for row in optimize_warehouse.query(
        "select opportunity_kind, feature_id, window_calls, estimated_cache_writes, baseline_input_tokens_per_call, "
        "recent_input_tokens_per_call, baseline_input_output_ratio, recent_input_output_ratio "
        "from {schema}.fct_savings_opportunities where opportunity_kind in ('prompt_bloat', 'prompt_caching')")}
    as_of = max(date.fromisoformat(row["call_date"]) for row in calls)

    def tokens(row: dict, column: str) -> int:
        return int(row[column] or 0)

    bloat = rows["prompt_bloat"]
    mine = [row for row in calls if row["feature_id"] == bloat["feature_id"]]
    recent_start = as_of - timedelta(days=BLOAT_RECENT_DAYS - 1)
    windows = {"recent": [row for row in mine if date.fromisoformat(row["call_date"]) >= recent_start],
               "baseline": [row for row in mine
                            if recent_start - timedelta(days=BLOAT_BASELINE_DAYS) <= date.fromisoformat(row["call_date"]) < recent_start]}
    for name, window in windows.items():
        input_tokens = sum(tokens(row, "input_uncached_tokens") + tokens(row, "cache_read_tokens") for row in window)
        output_tokens = sum(tokens(row, "output_tokens") for row in window)
        per_call = as_decimal(bloat[f"{name}_input_tokens_per_call"])
        assert abs(per_call - Decimal(input_tokens) / len(window)) < Decimal("0.000001"), (name, bloat)
        assert abs(bloat[f"{name}_input_output_ratio"] - input_tokens / output_tokens) < 1e-9, (name, bloat)
    assert bloat["window_calls"] == len(windows["recent"])

    caching = rows["prompt_caching"]
    window = sorted(datetime.fromisoformat(row["called_at"]) for row in calls
                    if row["feature_id"] == caching["feature_id"]
                    and date.fromisoformat(row["call_date"]) > as_of - timedelta(days=LOOKBACK_DAYS))
    writes = 1 + sum(1 for previous, current in zip(window, window[1:]) if current - previous > CACHE_TTL)
    assert caching["window_calls"] == len(window)
    assert caching["estimated_cache_writes"] == writes


def test_customer_quota_and_margin_watch(optimize_warehouse):
    truth = {row["account_id"]: row for row in optimize_warehouse.dataset.truth("customer_quota")}
    assert {row["quota_status"] for row in truth.values()} >= {"ok", "over"}, "the scenario has a quota breach"
    rows = optimize_warehouse.query(
        "select account_id, ai_list_cost_to_date_usd, ai_list_cost_forecast_usd, quota_status, "
        "is_forecast_below_target_margin from {schema}.fct_customer_quota_burn_monthly "
        "where revenue_month = date '2026-09-01'")
    found = {row["account_id"]: row for row in rows}
    assert set(truth) <= set(found), sorted(set(truth) - set(found))[:5]
    for account_id, expected in truth.items():
        row = found[account_id]
        assert row["quota_status"] == expected["quota_status"], (account_id, row, expected)
        assert bool(row["is_forecast_below_target_margin"]) == (expected["is_forecast_below_target_margin"] == "true")
        assert abs(as_decimal(row["ai_list_cost_forecast_usd"]) - as_decimal(expected["ai_list_cost_forecast_usd"])) < CENT
    extra = [row for account_id, row in found.items() if account_id not in truth]
    assert all(row["quota_status"] == "no_quota" or as_decimal(row["ai_list_cost_to_date_usd"]) == 0 for row in extra)
    assert "WARN 1 customer_over_ai_quota" in optimize_warehouse.build_log
