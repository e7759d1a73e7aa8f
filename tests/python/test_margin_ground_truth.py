"""fct_customer_margin_monthly against the generator's ground truth, once per engine.

Independent truth: `ground_truth/customer_month.csv` (revenue = the subscription's mrr_usd, AI list cost summed by the
generator from its own price table), `ground_truth/calls.csv` (every billable call with its customer and cost) and the
generator's own `app/plans.csv` (quota and target margin). Nothing here is read back from the model's output.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

import pytest

from ai_finops.project import PROJECT_DIR
from conftest import as_decimal, read_csv

CENT_FRACTION = Decimal("0.000000001")
MARGIN_COLUMNS = ("revenue_month, account_id, account_kind, plan_id, has_subscription, has_ai_usage, revenue_usd, "
                  "platform_fee_usd, seat_revenue_usd, ai_calls, ai_list_cost_usd, ai_net_cost_usd, "
                  "included_ai_quota_usd, ai_quota_used_pct, gross_margin_usd, gross_margin_pct, "
                  "target_gross_margin_pct, is_below_target_margin")


def margin_rows(warehouse) -> dict[tuple[str, str], dict[str, object]]:
    rows = warehouse.query(f"select {MARGIN_COLUMNS} from {{schema}}.fct_customer_margin_monthly")
    found = {(str(row["revenue_month"])[:10], row["account_id"]): row for row in rows}
    assert len(found) == len(rows), "fct_customer_margin_monthly has duplicate (revenue_month, account_id)"
    return found


def no_contract_discounts() -> bool:
    with open(PROJECT_DIR / "seeds" / "rate_cards" / "rate_card_contract_discounts.csv", encoding="utf-8") as handle:
        return len(list(csv.DictReader(handle))) == 0


def test_every_customer_month_of_the_truth_has_its_revenue_and_ai_cost(warehouse):
    truth = {(row["revenue_month"], row["account_id"]): row for row in warehouse.dataset.truth("customer_month")}
    calls: dict[tuple[str, str], int] = defaultdict(int)
    for call in warehouse.dataset.truth("calls"):
        if call["customer_id"]:
            calls[(call["call_date"][:7] + "-01", call["customer_id"])] += 1
    found = margin_rows(warehouse)
    accounts = {key: row for key, row in found.items() if row["account_kind"] == "account"}
    missing = sorted(set(truth) - set(accounts))[:5]
    extra = sorted(set(accounts) - set(truth))[:5]
    assert not missing and not extra, f"customer months missing: {missing}; not in the truth: {extra}"
    wrong = []
    for key, expected in truth.items():
        actual = accounts[key]
        if as_decimal(actual["revenue_usd"]) != as_decimal(expected["revenue_usd"]):
            wrong.append((key, "revenue_usd", expected["revenue_usd"], actual["revenue_usd"]))
        if abs(as_decimal(actual["ai_list_cost_usd"]) - as_decimal(expected["ai_list_cost_usd"])) > CENT_FRACTION:
            wrong.append((key, "ai_list_cost_usd", expected["ai_list_cost_usd"], actual["ai_list_cost_usd"]))
        if actual["ai_calls"] != calls.get(key, 0) or actual["has_ai_usage"] != (key in calls):
            wrong.append((key, "ai_calls", calls.get(key, 0), actual["ai_calls"]))
    assert not wrong, f"{len(wrong)} customer-month mismatches, first ones: {wrong[:10]}"
    # The dataset must exercise the case the mart promises: accounts billed in a month with no AI usage at all.
    assert any(not accounts[key]["has_ai_usage"] for key in truth), "no account-month without AI usage in the dataset"


def test_margin_quota_and_target_follow_the_plan(warehouse):
    if not no_contract_discounts():
        pytest.skip("contract discounts are seeded: net cost differs from the generator's list cost")
    plans = {row["plan_id"]: row for row in read_csv(warehouse.dataset.folder / "app" / "plans.csv")}
    subscriptions = {(row["revenue_month"], row["account_id"]): row
                     for row in read_csv(warehouse.dataset.folder / "app" / "subscriptions.csv")}
    found = margin_rows(warehouse)
    wrong = []
    for row in warehouse.dataset.truth("customer_month"):
        key = (row["revenue_month"], row["account_id"])
        actual = found[key]
        revenue = as_decimal(row["revenue_usd"])
        cost = as_decimal(row["ai_list_cost_usd"])
        plan = plans[subscriptions[key]["plan_id"]]
        margin = revenue - cost
        if abs(as_decimal(actual["gross_margin_usd"]) - margin) > CENT_FRACTION:
            wrong.append((key, "gross_margin_usd", margin, actual["gross_margin_usd"]))
        margin_pct = 100 * margin / revenue
        if abs(as_decimal(actual["gross_margin_pct"]) - margin_pct) > Decimal("0.000001"):
            wrong.append((key, "gross_margin_pct", margin_pct, actual["gross_margin_pct"]))
        quota = Decimal(plan["included_ai_quota_usd"])
        quota_pct = 100 * cost / quota
        if abs(as_decimal(actual["ai_quota_used_pct"]) - quota_pct) > Decimal("0.000001"):
            wrong.append((key, "ai_quota_used_pct", quota_pct, actual["ai_quota_used_pct"]))
        subscription = subscriptions[key]
        seat_revenue = Decimal(plan["seat_price_usd"]) * int(subscription["seats"])
        if (as_decimal(actual["seat_revenue_usd"]) != seat_revenue
                or as_decimal(actual["platform_fee_usd"]) != Decimal(plan["monthly_platform_fee_usd"])):
            wrong.append((key, "seat/platform split", seat_revenue, actual["seat_revenue_usd"]))
        is_below = margin_pct < Decimal(plan["target_gross_margin_pct"])
        if actual["is_below_target_margin"] != is_below or actual["plan_id"] != plan["plan_id"]:
            wrong.append((key, "is_below_target_margin", is_below, actual["is_below_target_margin"]))
    assert not wrong, f"{len(wrong)} margin mismatches, first ones: {wrong[:10]}"


def test_ai_cost_is_conserved_with_calls_without_customer_unallocated(warehouse):
    """Every call's cost lands in exactly one row: customers in their account, the rest in `unallocated`."""
    by_month_customer: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for call in warehouse.dataset.truth("calls"):
        customer = call["customer_id"] or "unallocated"
        by_month_customer[(call["call_date"][:7] + "-01", customer)] += as_decimal(call["list_cost_usd"])
    found = margin_rows(warehouse)
    total_truth = sum(by_month_customer.values(), Decimal(0))
    total_mart = sum((as_decimal(row["ai_list_cost_usd"]) for row in found.values()), Decimal(0))
    assert abs(total_mart - total_truth) < Decimal("0.005"), (total_mart, total_truth)
    unallocated = {key: cost for key, cost in by_month_customer.items() if key[1] == "unallocated"}
    assert unallocated, "the dataset has no call without a customer: the unallocated path is not exercised"
    for key, cost in unallocated.items():
        row = found.get(key)
        assert row is not None, f"no unallocated row for {key}"
        assert row["account_kind"] == "unallocated" and as_decimal(row["revenue_usd"]) == 0
        assert abs(as_decimal(row["ai_list_cost_usd"]) - cost) <= CENT_FRACTION, (key, cost, row["ai_list_cost_usd"])
        assert row["is_below_target_margin"] is False and row["gross_margin_pct"] is None
