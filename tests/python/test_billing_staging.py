"""Billing staging and int_billing_lines against the generator's billing ground truth, on every engine.

The generator writes its own record of what it billed (ground_truth/billing.csv: token lines per reconciliation
cell; billing_other_charges.csv: tax, credits, tool fees), computed from calls.csv without dbt. The warehouse's
int_billing_lines is built from the provider-format exports alone; the two must agree to the 1e-12 dollar.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

Q12 = Decimal("1e-12")


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Q12)


def _month(value) -> str:
    return str(value)[:7] + "-01"


LINES_SQL = """
    select charge_date, provider, billing_account_id, sub_account_id, model_id, token_type, service_tier,
           charge_type, is_token_usage, is_mapped, parse_problem, billed_cost_usd, source_system,
           is_reconciliation_source
    from {schema}.int_billing_lines
"""


def _lines(warehouse):
    return warehouse.query(LINES_SQL)


def test_billed_totals_per_provider_month_equal_ground_truth(warehouse):
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for name in ("billing", "billing_other_charges"):
        for row in warehouse.dataset.truth(name):
            if row["billed_cost_usd"]:
                expected[(row["month"], row["provider"])] += Decimal(row["billed_cost_usd"])
    actual: dict[tuple, Decimal] = defaultdict(Decimal)
    for line in _lines(warehouse):
        if line["is_reconciliation_source"]:
            actual[(_month(line["charge_date"]), line["provider"])] += Decimal(str(line["billed_cost_usd"]))
    assert expected, "the ground truth has no billed amounts"
    assert {k: _money(v) for k, v in actual.items()} == {k: _money(v) for k, v in expected.items()}


def test_token_lines_per_reconciliation_cell_equal_ground_truth(warehouse):
    """Model, token type, tier and accounts parsed from line items / usage types / SKUs / meters via the seeds."""
    expected = {
        (r["month"], r["provider"], r["billing_account_id"], r["sub_account_id"], r["model_id"], r["token_type"],
         r["service_tier"]): _money(r["billed_cost_usd"])
        for r in warehouse.dataset.truth("billing") if r["billed_cost_usd"]
    }
    actual: dict[tuple, Decimal] = defaultdict(Decimal)
    for line in _lines(warehouse):
        if line["is_reconciliation_source"] and line["is_token_usage"]:
            key = (_month(line["charge_date"]), line["provider"], line["billing_account_id"], line["sub_account_id"],
                   line["model_id"], line["token_type"], line["service_tier"])
            actual[key] += Decimal(str(line["billed_cost_usd"]))
    assert {k: _money(v) for k, v in actual.items()} == expected


def test_other_charges_equal_ground_truth(warehouse):
    """Tax, credits (AWS credit line, GCP credits array) and tool fees: reported apart from token lines."""
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in warehouse.dataset.truth("billing_other_charges"):
        expected[(r["month"], r["provider"], r["billing_account_id"], r["sub_account_id"], r["charge_type"])] += \
            Decimal(r["billed_cost_usd"])
    actual: dict[tuple, Decimal] = defaultdict(Decimal)
    for line in _lines(warehouse):
        if line["is_reconciliation_source"] and not line["is_token_usage"]:
            key = (_month(line["charge_date"]), line["provider"], line["billing_account_id"], line["sub_account_id"],
                   line["charge_type"])
            actual[key] += Decimal(str(line["billed_cost_usd"]))
    assert {k: _money(v) for k, v in actual.items()} == {k: _money(v) for k, v in expected.items()}


def test_both_aws_exports_describe_the_same_charges(warehouse):
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in _lines(warehouse):
        if line["source_system"] in ("aws_cur2", "aws_focus"):
            totals[line["source_system"]] += Decimal(str(line["billed_cost_usd"]))
    assert totals["aws_cur2"] != 0
    assert totals["aws_cur2"] == totals["aws_focus"]
    flags = {(line["source_system"], line["is_reconciliation_source"]) for line in _lines(warehouse)
             if line["source_system"] in ("aws_cur2", "aws_focus")}
    assert flags == {("aws_cur2", True), ("aws_focus", False)}, "default var billing_source_aws is cur2"


def test_generated_exports_parse_and_map_completely(warehouse):
    problems = [line for line in _lines(warehouse) if line["parse_problem"] or not line["is_mapped"]]
    assert not problems, f"{len(problems)} generated billing lines unparsed or unmapped, e.g. {problems[:3]}"
