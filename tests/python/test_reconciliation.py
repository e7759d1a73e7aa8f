"""Reconciliation marts against the generator's billing ground truth, once per engine.

ground_truth/billing.csv has one row per reconciliation cell (UTC usage month, provider, billing account,
sub-account, model, token type, service tier) with the estimate (calls.csv list costs split by token type), the
billed amount of the provider's cost export and the status the generator's injected differences must produce;
ground_truth/billing_other_charges.csv lists the non-token charges. Both are computed by the generator alone.

Every cell is compared on its own, strictly: the estimate to 1e-9 USD, the status exactly. The generator splits each
call's list cost per token type with its own price table (generate/prices.py), independent of the rate-card seeds and
SQL, so a cell that differs is a defect of the marts (or of the seeds), never forgiven.
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import as_decimal

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EXACT = Decimal("0.000000001")
CELL = ("month", "provider", "billing_account_id", "sub_account_id", "model_id", "token_type", "service_tier")
CHARGE_CATEGORY = {"tax": "Tax", "credit": "Credit", "tool_fee": "Usage"}


def monthly_cells(warehouse) -> dict[tuple, dict]:
    rows = warehouse.query(
        "select cast(usage_month as varchar) as month, provider, billing_account_id, sub_account_id, model_id, "
        "token_type, service_tier, estimated_cost_usd, billed_cost_usd, status, estimated_cost_lines, billing_lines "
        "from {schema}.fct_billing_reconciliation_monthly")
    cells = {tuple(row[c] for c in CELL): row for row in rows}
    assert len(cells) == len(rows), "fct_billing_reconciliation_monthly has duplicate cells"
    return cells


def truth_cells(warehouse) -> dict[tuple, dict]:
    return {tuple(row[c] for c in CELL): row for row in warehouse.dataset.truth("billing")}


def require_billing_lines(warehouse) -> None:
    count = warehouse.query("select count(*) as n from {schema}.int_billing_lines")[0]["n"]
    if count == 0:
        message = ("int_billing_lines has no rows (the recon branch's placeholder; billstg's model replaces it): "
                   "billing-side ground-truth comparisons cannot run")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def test_estimates_equal_ground_truth(warehouse):
    mine, truth = monthly_cells(warehouse), truth_cells(warehouse)
    estimated = {key: row for key, row in mine.items() if row["estimated_cost_lines"] > 0}
    expected = {key: row for key, row in truth.items() if row["estimated_cost_usd"] != ""}
    assert set(estimated) == set(expected), (
        f"cells only in the mart: {sorted(set(estimated) - set(expected))[:5]}; "
        f"cells only in the truth: {sorted(set(expected) - set(estimated))[:5]}")
    wrong = [(key, row["estimated_cost_usd"], estimated[key]["estimated_cost_usd"]) for key, row in expected.items()
             if abs(as_decimal(row["estimated_cost_usd"]) - as_decimal(estimated[key]["estimated_cost_usd"])) > EXACT]
    assert not wrong, f"{len(wrong)} cells whose estimate differs from the truth, e.g. {wrong[:5]}"


def test_monthly_statuses_equal_ground_truth(warehouse):
    require_billing_lines(warehouse)
    mine, truth = monthly_cells(warehouse), truth_cells(warehouse)
    missing = sorted(set(truth) - set(mine))[:5]
    assert not missing, f"truth cells absent from the mart: {missing}"
    extra = sorted(key for key in set(mine) - set(truth))[:5]
    assert not extra, f"mart cells the generator does not know: {extra}"
    wrong = [(key, row["expected_status"], mine[key]["status"], row["injected_reason"]) for key, row in truth.items()
             if mine[key]["status"] != row["expected_status"]]
    assert not wrong, f"{len(wrong)} cells with another status than the truth, e.g. {wrong[:5]}"
    wrong_billed = [(key, row["billed_cost_usd"], mine[key]["billed_cost_usd"]) for key, row in truth.items()
                    if abs(as_decimal(row["billed_cost_usd"]) - as_decimal(mine[key]["billed_cost_usd"])) > EXACT]
    assert not wrong_billed, f"cells whose billed cost differs from the cost export: {wrong_billed[:5]}"


def test_other_charges_equal_ground_truth(warehouse):
    require_billing_lines(warehouse)
    expected = defaultdict(Decimal)
    for row in warehouse.dataset.truth("billing_other_charges"):
        key = (row["month"], row["provider"], row["billing_account_id"], row["sub_account_id"],
               CHARGE_CATEGORY[row["charge_type"]])
        expected[key] += as_decimal(row["billed_cost_usd"])
    found = defaultdict(Decimal)
    for row in warehouse.query(
            "select cast(usage_month as varchar) as month, provider, billing_account_id, sub_account_id, "
            "charge_category, billed_cost_usd from {schema}.fct_billing_other_charges_monthly"):
        key = (row["month"], row["provider"], row["billing_account_id"], row["sub_account_id"], row["charge_category"])
        found[key] += as_decimal(row["billed_cost_usd"])
    assert set(found) == set(expected), (
        f"only in the mart: {sorted(set(found) - set(expected))}; only in the truth: {sorted(set(expected) - set(found))}")
    wrong = [(key, expected[key], found[key]) for key in expected if abs(expected[key] - found[key]) > EXACT]
    assert not wrong, f"other charges differing from the truth: {wrong}"


def test_invoice_explanation_sums_to_the_invoice(warehouse):
    rows = warehouse.query(
        "select cast(usage_month as varchar) as month, provider, billing_account_id, explanation_group, "
        "explanation_item, amount_usd, invoice_total_usd, explained_by_telemetry_usd, unexplained_usd "
        "from {schema}.fct_invoice_explanation_monthly")
    assert rows, "fct_invoice_explanation_monthly is empty"
    sums, totals, explained = defaultdict(Decimal), {}, defaultdict(Decimal)
    for row in rows:
        key = (row["month"], row["provider"], row["billing_account_id"])
        sums[key] += as_decimal(row["amount_usd"])
        totals[key] = (as_decimal(row["invoice_total_usd"]), as_decimal(row["explained_by_telemetry_usd"]),
                       as_decimal(row["unexplained_usd"]))
        if row["explanation_group"] == "explained_by_telemetry":
            explained[key] += as_decimal(row["amount_usd"])
    wrong = [(key, sums[key], totals[key][0]) for key in sums if abs(sums[key] - totals[key][0]) > EXACT]
    assert not wrong, f"items not summing to the invoice total: {wrong[:5]}"
    wrong = [(key, explained[key], totals[key][1]) for key in totals if abs(explained[key] - totals[key][1]) > EXACT]
    assert not wrong, f"explained rows not summing to explained_by_telemetry_usd: {wrong[:5]}"


def test_invoice_explained_by_feature_equals_ground_truth(warehouse):
    """Explained by telemetry, per month x provider x billing account x feature = the calls.csv list costs."""
    expected = defaultdict(Decimal)
    for row in warehouse.dataset.truth("calls"):
        key = (row["call_date"][:7] + "-01", row["provider"], row["billing_account_id"], row["feature_id"] or "unallocated")
        expected[key] += as_decimal(row["list_cost_usd"])
    found = defaultdict(Decimal)
    for row in warehouse.query(
            "select cast(usage_month as varchar) as month, provider, billing_account_id, explanation_item, amount_usd "
            "from {schema}.fct_invoice_explanation_monthly where explanation_group = 'explained_by_telemetry'"):
        found[(row["month"], row["provider"], row["billing_account_id"], row["explanation_item"])] += as_decimal(
            row["amount_usd"])
    expected = {key: value for key, value in expected.items() if value != 0}
    found = {key: value for key, value in found.items() if value != 0}
    assert set(found) == set(expected), (
        f"only in the mart: {sorted(set(found) - set(expected))[:5]}; only in the truth: {sorted(set(expected) - set(found))[:5]}")
    wrong = [(key, expected[key], found[key]) for key in expected if abs(expected[key] - found[key]) > EXACT]
    assert not wrong, f"feature estimates differing from calls.csv: {wrong[:5]}"


def test_invoice_total_equals_the_cost_exports(warehouse):
    require_billing_lines(warehouse)
    expected = defaultdict(Decimal)
    for name in ("billing", "billing_other_charges"):
        for row in warehouse.dataset.truth(name):
            expected[(row["month"], row["provider"], row["billing_account_id"])] += as_decimal(row["billed_cost_usd"])
    found = {(row["month"], row["provider"], row["billing_account_id"]): as_decimal(row["invoice_total_usd"])
             for row in warehouse.query(
                 "select distinct cast(usage_month as varchar) as month, provider, billing_account_id, invoice_total_usd "
                 "from {schema}.fct_invoice_explanation_monthly")}
    wrong = [(key, value, found.get(key)) for key, value in expected.items()
             if abs(value - found.get(key, Decimal(0))) > EXACT]
    assert not wrong, f"invoice totals differing from the cost exports: {wrong[:5]}"
