"""End to end on a generated dataset, once per engine: the warehouse must agree with the generator's ground truth.

The ground truth is computed by the generator alone (its own price table, its own knowledge of which span is a real
call), never from this project's seeds or SQL, so these comparisons are independent checks.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import as_decimal

TOKEN_COLUMNS = ("input_uncached_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
                 "output_tokens", "reasoning_tokens")
CENT_FRACTION = Decimal("0.000000001")
CONTENT_MARKER = "PII-CONTENT-MARKER"


def truth_int(value: str):
    return None if value in ("", None) else int(value)


def test_dbt_build_reports_no_errors(warehouse):
    assert "ERROR=0" in warehouse.build_log.replace(" ", ""), warehouse.build_log[-3000:]


def test_billable_calls_are_the_true_calls_with_their_tokens(warehouse):
    truth = {(row["trace_id"], row["span_id"]): row for row in warehouse.dataset.truth("calls")}
    rows = warehouse.query(
        "select trace_id, span_id, usage_status, " + ", ".join(TOKEN_COLUMNS) + " from {schema}.int_llm_calls")
    found = {(row["trace_id"], row["span_id"]): row for row in rows}
    assert len(rows) == len(found), "int_llm_calls has duplicate (trace_id, span_id)"
    missing = sorted(set(truth) - set(found))[:5]
    extra = sorted(set(found) - set(truth))[:5]
    assert not missing and not extra, f"calls missing: {missing}; calls that are not real calls: {extra}"
    wrong = []
    for key, expected in truth.items():
        actual = found[key]
        if actual["usage_status"] != expected["usage_status"]:
            wrong.append((key, "usage_status", expected["usage_status"], actual["usage_status"]))
        for column in TOKEN_COLUMNS:
            if truth_int(expected[column]) != actual[column]:
                wrong.append((key, column, expected[column], actual[column]))
    assert not wrong, f"{len(wrong)} token mismatches, first ones: {wrong[:10]}"


def test_every_call_is_priced_as_the_ground_truth_says(warehouse):
    truth = {(row["trace_id"], row["span_id"]): as_decimal(row["list_cost_usd"])
             for row in warehouse.dataset.truth("calls") if row["usage_status"] != "missing"}
    rows = warehouse.query(
        "select trace_id, span_id, model_id, pricing_status, unpriced_reason, list_cost_usd "
        "from {schema}.int_llm_calls_priced")
    found = {(row["trace_id"], row["span_id"]): row for row in rows}
    wrong = [(key, str(cost), found[key]["list_cost_usd"], found[key]["model_id"], found[key]["unpriced_reason"])
             for key, cost in truth.items()
             if abs(as_decimal(found[key]["list_cost_usd"]) - cost) > CENT_FRACTION]
    assert not wrong, f"{len(wrong)} calls priced differently from the ground truth, first ones: {wrong[:10]}"


def test_cost_per_feature_day_matches_ground_truth(warehouse):
    truth = {(row["call_date"], row["feature_id"]): as_decimal(row["list_cost_usd"])
             for row in warehouse.dataset.truth("feature_day")}
    rows = warehouse.query(
        "select cast(usage_date as varchar) as usage_date, feature_id, sum(list_cost_usd) as list_cost_usd "
        "from {schema}.fct_llm_cost_daily group by usage_date, feature_id")
    found = {(row["usage_date"], row["feature_id"]): as_decimal(row["list_cost_usd"]) for row in rows}
    assert set(found) == set(truth), (sorted(set(truth) ^ set(found)))[:10]
    wrong = [(key, str(truth[key]), str(found[key])) for key in truth if abs(truth[key] - found[key]) > CENT_FRACTION]
    assert not wrong, f"feature-days off: {wrong[:10]}"


def test_no_prompt_or_completion_content_leaves_staging(warehouse):
    """No relation past staging has a content column, and no text value anywhere past staging holds the marker
    the generator puts into every prompt/completion attribute."""
    relations = warehouse.query(
        "select table_name from information_schema.tables where table_schema = '{schema}'")
    names = sorted(row["table_name"] for row in relations if not row["table_name"].startswith("stg_"))
    assert any(name.startswith("int_") for name in names), names
    columns = warehouse.query(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = '{schema}'")
    # `status_message` (the span status text) is not conversation content; message bodies are.
    content_words = ("messages", "prompt", "completion", "content", "arguments", "tool_call_result", "input_value",
                     "output_value")
    leaked_columns = [(c["table_name"], c["column_name"]) for c in columns if c["table_name"] in names
                      and any(word in c["column_name"].lower() for word in content_words)]
    assert not leaked_columns, f"content-like columns past staging: {leaked_columns}"
    text_columns = defaultdict(list)
    for c in columns:
        if c["table_name"] in names and c["data_type"].lower() in ("varchar", "text", "character varying", "json", "jsonb"):
            text_columns[c["table_name"]].append(c["column_name"])
    leaks = []
    for table, cols in text_columns.items():
        condition = " or ".join(f"cast(\"{col}\" as varchar) like '%{CONTENT_MARKER}%'" for col in cols)
        count = warehouse.query(f"select count(*) as n from {{schema}}.{table} where {condition}")[0]["n"]
        if count:
            leaks.append((table, count))
    assert not leaks, f"content marker found past staging: {leaks}"
    # The marker must really be in the raw data, or this test proves nothing.
    raw_hits = warehouse.query(
        f"select count(*) as n from raw.otel_spans where span_attributes like '%{CONTENT_MARKER}%'")[0]["n"]
    assert raw_hits > 0, "the generated raw spans carry no content marker: the privacy test would be vacuous"
