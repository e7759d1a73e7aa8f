"""The public marts against the generator's ground truth, once per engine (DuckDB and PostgreSQL).

Every expected value here is computed from the generator's ground-truth CSVs (its own price table and its own record of
each task), never from this project's seeds or SQL: feature-day cost, task outcomes and cost, cost per successful task
per feature-month, and the conservation of cost through the allocation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

from conftest import as_decimal

# Costs are exact 12-decimal values on both sides; the cost per task is a division, rounded to 12 decimals by the mart.
EXACT = Decimal("0.000000001")
CENT = Decimal("0.005")


def member(value: str) -> str:
    return value if value else "unallocated"


def nanos(value) -> int | None:
    """An OTLP *UnixNano value as delivered: decimal string, number or JS Long {low, high}; None when not numeric."""
    if isinstance(value, dict):
        return (int(value.get("high", 0)) << 32) | (int(value.get("low", 0)) & 0xFFFFFFFF)
    text = str(value)
    return int(text) if text.isdigit() else None


def trace_start_months(folder) -> dict[str, str]:
    """UTC month (YYYY-MM-01) of the earliest span start of each trace, read straight from the OTLP files."""
    earliest: dict[str, int] = {}
    for path in sorted((folder / "otlp").glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                for resource_spans in json.loads(line).get("resourceSpans", []):
                    for scope_spans in resource_spans.get("scopeSpans", []):
                        for span in scope_spans.get("spans", []):
                            start = nanos(span.get("startTimeUnixNano"))
                            trace_id = str(span.get("traceId", "")).lower()
                            if start is not None and start < earliest.get(trace_id, start + 1):
                                earliest[trace_id] = start
    return {trace_id: datetime.fromtimestamp(start / 1e9, tz=timezone.utc).strftime("%Y-%m-01")
            for trace_id, start in earliest.items()}


def test_feature_economics_daily_matches_feature_day_truth(warehouse):
    truth = {(row["call_date"], row["feature_id"]): (int(row["calls"]), as_decimal(row["list_cost_usd"]))
             for row in warehouse.dataset.truth("feature_day")}
    rows = warehouse.query(
        "select cast(usage_date as varchar) as usage_date, feature_id, calls, list_cost_usd "
        "from {schema}.fct_feature_economics_daily where calls > 0")
    found = {(row["usage_date"], row["feature_id"]): (row["calls"], as_decimal(row["list_cost_usd"])) for row in rows}
    assert len(found) == len(rows), "fct_feature_economics_daily has duplicate feature-days"
    assert set(found) == set(truth), sorted(set(found) ^ set(truth))[:10]
    wrong = [(key, truth[key], found[key]) for key in truth
             if truth[key][0] != found[key][0] or abs(truth[key][1] - found[key][1]) > EXACT]
    assert not wrong, f"{len(wrong)} feature-days off, first ones: {wrong[:10]}"


def test_fct_llm_calls_are_the_true_calls_with_members_and_cost(warehouse):
    truth = {f"{row['trace_id']}-{row['span_id']}": row for row in warehouse.dataset.truth("calls")}
    rows = warehouse.query(
        "select call_id, task_id, feature_id, customer_id, environment, team_id, model_id, is_retry, list_cost_usd "
        "from {schema}.fct_llm_calls")
    found = {row["call_id"]: row for row in rows}
    assert len(found) == len(rows)
    assert set(found) == set(truth), sorted(set(found) ^ set(truth))[:10]
    wrong = []
    for call_id, expected in truth.items():
        actual = found[call_id]
        for column in ("task_id", "feature_id", "customer_id", "environment", "team_id", "model_id"):
            if actual[column] != member(expected[column]):
                wrong.append((call_id, column, expected[column], actual[column]))
        if abs(as_decimal(actual["list_cost_usd"]) - as_decimal(expected["list_cost_usd"])) > EXACT:
            wrong.append((call_id, "list_cost_usd", expected["list_cost_usd"], actual["list_cost_usd"]))
    assert not wrong, f"{len(wrong)} call values off, first ones: {wrong[:10]}"


def test_fct_tasks_match_task_truth(warehouse):
    truth = {row["task_id"]: row for row in warehouse.dataset.truth("tasks")}
    rows = warehouse.query(
        "select task_id, trace_id, feature_id, customer_id, environment, outcome, is_successful, attempts, "
        "billable_calls, list_cost_usd, net_cost_usd, failed_attempt_cost_usd, retry_cost_usd from {schema}.fct_tasks")
    found = {row["task_id"]: row for row in rows}
    assert len(found) == len(rows)
    assert set(found) == set(truth), sorted(set(found) ^ set(truth))[:10]
    wrong = []
    for task_id, expected in truth.items():
        actual = found[task_id]
        checks = {
            "trace_id": (expected["trace_id"], actual["trace_id"]),
            "feature_id": (member(expected["feature_id"]), actual["feature_id"]),
            "customer_id": (member(expected["customer_id"]), actual["customer_id"]),
            "environment": (expected["environment"], actual["environment"]),
            "outcome": (expected["outcome"], actual["outcome"]),
            "is_successful": (expected["outcome"] == "success", actual["is_successful"]),
            "attempts": (int(expected["attempts"]), actual["attempts"]),
            "billable_calls": (int(expected["attempts"]), actual["billable_calls"]),
        }
        wrong += [(task_id, name, pair) for name, pair in checks.items() if pair[0] != pair[1]]
        if abs(as_decimal(actual["list_cost_usd"]) - as_decimal(expected["list_cost_usd"])) > EXACT:
            wrong.append((task_id, "list_cost_usd", expected["list_cost_usd"], actual["list_cost_usd"]))
        parts = as_decimal(actual["failed_attempt_cost_usd"]), as_decimal(actual["retry_cost_usd"])
        if any(part < 0 or part > as_decimal(actual["net_cost_usd"]) for part in parts):
            wrong.append((task_id, "cost parts outside [0, net_cost_usd]", parts, actual["net_cost_usd"]))
    assert not wrong, f"{len(wrong)} task values off, first ones: {wrong[:10]}"


def test_fct_tasks_logical_calls_match_task_truth(warehouse):
    """Logical calls = first attempts (a fallback to another model counts as a new call), as the generator counts them."""
    truth = {row["task_id"]: int(row["calls"]) for row in warehouse.dataset.truth("tasks")}
    found = {row["task_id"]: row["logical_calls"]
             for row in warehouse.query("select task_id, logical_calls from {schema}.fct_tasks")}
    wrong = [(task_id, calls, found.get(task_id)) for task_id, calls in truth.items() if found.get(task_id) != calls]
    assert not wrong, f"{len(wrong)} tasks with a different logical call count, first ones: {wrong[:10]}"


def test_cost_per_successful_task_per_feature_month(warehouse):
    """Independently: month cost per feature from calls.csv (call date), successful tasks per feature and month from
    tasks.csv (month of the task's trace start, read from the OTLP files), cost per successful task = their ratio."""
    month_cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in warehouse.dataset.truth("calls"):
        month_cost[(row["call_date"][:7] + "-01", row["feature_id"])] += as_decimal(row["list_cost_usd"])
    start_month = trace_start_months(warehouse.dataset.folder)
    successes: dict[tuple[str, str], int] = defaultdict(int)
    for row in warehouse.dataset.truth("tasks"):
        key = (start_month[row["trace_id"]], row["feature_id"])
        successes[key] += 1 if row["outcome"] == "success" else 0
        month_cost.setdefault(key, Decimal("0"))
    expected = {key: (cost / successes[key] if successes.get(key) else None) for key, cost in month_cost.items()}
    assert len(expected) >= 8, "the dataset should give several feature-months"

    rows = warehouse.query(
        "select cast(usage_month as varchar) as usage_month, feature_id, successful_tasks, "
        "list_cost_per_successful_task_usd from {schema}.fct_feature_economics_monthly")
    found = {(row["usage_month"], row["feature_id"]): row for row in rows}
    wrong = []
    for key, value in expected.items():
        actual = found.get(key)
        if actual is None:
            wrong.append((key, "missing"))
            continue
        if actual["successful_tasks"] != successes.get(key, 0):
            wrong.append((key, "successful_tasks", successes.get(key, 0), actual["successful_tasks"]))
        got = actual["list_cost_per_successful_task_usd"]
        if value is None:
            if got is not None:
                wrong.append((key, "cost per successful task without success", got))
        elif got is None or abs(as_decimal(got) - value) > EXACT:
            wrong.append((key, "cost per successful task", str(value), got))
    assert not wrong, f"{len(wrong)} feature-months off, first ones: {wrong[:10]}"


def test_allocation_conserves_cost_per_day_and_overall(warehouse):
    """Allocated list cost per day equals the true list cost of the day's calls (every environment), to the cent, and
    the eval environment's cost lands on real customers only on days when customers used production."""
    true_day: dict[str, Decimal] = defaultdict(Decimal)
    production_customers: dict[str, set[str]] = defaultdict(set)
    eval_cost: dict[str, Decimal] = defaultdict(Decimal)
    for row in warehouse.dataset.truth("calls"):
        true_day[row["call_date"]] += as_decimal(row["list_cost_usd"])
        if row["environment"] == "production" and row["customer_id"] and as_decimal(row["list_cost_usd"]) > 0:
            production_customers[row["call_date"]].add(row["customer_id"])
        if row["environment"] == "eval":
            eval_cost[row["call_date"]] += as_decimal(row["list_cost_usd"])
    assert eval_cost, "the dataset should contain eval traffic to allocate"

    rows = warehouse.query(
        "select cast(usage_date as varchar) as usage_date, environment, customer_id, allocation_method, "
        "allocated_list_cost_usd from {schema}.int_llm_cost_allocated")
    allocated_day: dict[str, Decimal] = defaultdict(Decimal)
    allocated_eval: dict[str, Decimal] = defaultdict(Decimal)
    problems = []
    for row in rows:
        amount = as_decimal(row["allocated_list_cost_usd"])
        allocated_day[row["usage_date"]] += amount
        if row["environment"] == "eval":
            allocated_eval[row["usage_date"]] += amount
            day = row["usage_date"]
            if production_customers[day] and row["customer_id"] not in production_customers[day]:
                problems.append((day, "eval cost on a customer without production usage", row["customer_id"]))
            if production_customers[day] and row["allocation_method"] != "rule":
                problems.append((day, "eval cost not spread although customers used production", row))
    assert set(allocated_day) == set(true_day), sorted(set(allocated_day) ^ set(true_day))[:10]
    problems += [(day, "day total", str(true_day[day]), str(allocated_day[day]))
                 for day in true_day if abs(true_day[day] - allocated_day[day]) > CENT]
    problems += [(day, "eval total", str(eval_cost[day]), str(allocated_eval[day]))
                 for day in eval_cost if abs(eval_cost[day] - allocated_eval[day]) > CENT]
    overall_true, overall_allocated = sum(true_day.values()), sum(allocated_day.values())
    if abs(overall_true - overall_allocated) > CENT:
        problems.append(("overall", str(overall_true), str(overall_allocated)))
    assert not problems, f"{len(problems)} allocation problems, first ones: {problems[:10]}"
