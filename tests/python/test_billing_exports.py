"""Billing exports: generator determinism, readers, provider quirks, and totals against independent truths.

The truths: the hand-priced fixture (tests/python/fixtures/billing/make_fixture.py: its own price table and calls),
the files themselves read back through the raw readers and summed here with each provider's own units, and literal
examples from the providers' documentation for the readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import importlib.util
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from ai_finops.generate.billing import write_billing_exports
from ai_finops.generate.prices import COMPONENTS, ModelPrices, Period
from ai_finops.loaders.billing import BILLING_KINDS
from ai_finops.loaders.kinds import BadInput

FIXTURE = Path(__file__).parent / "fixtures" / "billing"
TOKEN_TYPES = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")


def _fixture_module():
    spec = importlib.util.spec_from_file_location("billing_fixture", FIXTURE / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generate(target: Path, seed: int = 42) -> list[Path]:
    for sub in ("ground_truth", "app"):
        shutil.copytree(FIXTURE / sub, target / sub)
    return write_billing_exports(target, seed, _fixture_module().price_table())


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("billing")
    _generate(target)
    return target


def _kind_for(dataset: Path, path: Path):
    relative = path.relative_to(dataset).as_posix()
    matches = [k for k in BILLING_KINDS if any(fnmatch.fnmatch(relative, p) for p in k.patterns)]
    assert len(matches) == 1, f"{relative} matches {[k.name for k in matches]}"
    return matches[0]


def _rows(dataset: Path, kind_name: str) -> list[dict]:
    kind = next(k for k in BILLING_KINDS if k.name == kind_name)
    rows = []
    for pattern in kind.patterns:
        for path in sorted(dataset.glob(pattern)):
            rows.extend(row for _, row in kind.reader(path))
    return rows


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _truth(dataset: Path):
    cells = _read_csv(dataset / "ground_truth" / "billing.csv")
    other = _read_csv(dataset / "ground_truth" / "billing_other_charges.csv")
    return cells, other


# ------------------------------------------------------------------------------------------------ determinism


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = _generate(tmp_path / "a", seed=7)
    second = _generate(tmp_path / "b", seed=7)
    rel_first = [p.relative_to(tmp_path / "a") for p in first]
    assert rel_first == [p.relative_to(tmp_path / "b") for p in second]
    for relative in rel_first:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes(), relative
    assert {p.parts[1] for p in rel_first if p.parts[0] == "billing"} == {"openai", "anthropic", "aws", "gcp", "azure"}


# ------------------------------------------------------------------------------------------------ readers


def test_every_file_parses_with_exactly_one_reader(dataset):
    files = sorted(p for p in (dataset / "billing").rglob("*") if p.is_file())
    assert files
    seen_kinds = set()
    for path in files:
        kind = _kind_for(dataset, path)
        seen_kinds.add(kind.name)
        assert kind.table == f"billing_{kind.name}"
        count = 0
        for line_number, row in kind.reader(path):
            count += 1
            assert isinstance(line_number, int) and line_number >= 1
            assert tuple(row) == kind.columns
            assert all(v is None or isinstance(v, str) for v in row.values())
            assert row["extra_fields"] is None, f"{path.name}: generator wrote a field the reader does not know"
        assert count > 0, path
    assert seen_kinds == {k.name for k in BILLING_KINDS}


def test_readers_on_documented_literal_examples(tmp_path):
    # OpenAI costs page (official example result) and Anthropic cost/usage examples (official docs)
    (tmp_path / "billing" / "openai").mkdir(parents=True)
    (tmp_path / "billing" / "anthropic").mkdir(parents=True)
    (tmp_path / "billing" / "azure").mkdir(parents=True)
    openai_page = ('{"object":"page","data":[{"object":"bucket","start_time":1730419200,"end_time":1730505600,'
                   '"results":[{"object":"organization.costs.result","amount":{"value":0.06,"currency":"usd"},'
                   '"line_item":"Image models","project_id":"proj_abc"}]}],"has_more":false,"next_page":null}\n')
    (tmp_path / "billing/openai/costs_org-abc.jsonl").write_text(openai_page)
    anthropic_cost = ('{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[{"amount":'
                      '"123.78912","context_window":"0-200k","cost_type":"tokens","currency":"USD","description":'
                      '"Claude Sonnet 4 Usage - Input Tokens","model":"claude-sonnet-4-20250514","service_tier":"standard",'
                      '"token_type":"uncached_input_tokens","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}]}],'
                      '"has_more":false,"next_page":null}\n')
    (tmp_path / "billing/anthropic/cost_report_org.jsonl").write_text(anthropic_cost)
    anthropic_usage = ('{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[{'
                       '"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","cache_creation":{"ephemeral_1h_input_tokens":1000,'
                       '"ephemeral_5m_input_tokens":500},"cache_read_input_tokens":200,"context_window":"0-200k","model":'
                       '"claude-sonnet-4-20250514","output_tokens":500,"server_tool_use":{"web_search_requests":10},'
                       '"service_tier":"standard","uncached_input_tokens":1500,"workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",'
                       '"speed":"standard"}]}],"has_more":false,"next_page":null}\n')
    (tmp_path / "billing/anthropic/usage_messages_org.jsonl").write_text(anthropic_usage)
    costs = _rows(tmp_path, "openai_costs")
    assert costs[0]["amount_value"] == "0.06" and costs[0]["amount_currency"] == "usd"
    assert costs[0]["line_item"] == "Image models" and costs[0]["start_time"] == "1730419200"
    assert costs[0]["organization_id"] == "org-abc"
    cost = _rows(tmp_path, "anthropic_cost_report")[0]
    assert cost["amount"] == "123.78912" and Decimal(cost["amount"]) / 100 == Decimal("1.2378912")
    usage = _rows(tmp_path, "anthropic_usage_messages")[0]
    assert usage["cache_creation_ephemeral_1h_input_tokens"] == "1000"
    assert usage["server_tool_use_web_search_requests"] == "10"
    assert json.loads(usage["extra_fields"]) == {"speed": "standard"}  # unknown field kept, not dropped

    # Azure EA literal row (focus_converters sample): E-notation, M/D/YYYY, tags without braces, BOM + CRLF, NULL
    from ai_finops.loaders.billing import AZURE_COLUMNS

    values = {c: "" for c in AZURE_COLUMNS}
    values.update({"Date": "9/2/2023", "SubscriptionId": "sub-1", "MeterName": "Class 2 Operations", "UnitOfMeasure": "10K",
                   "Quantity": "0.0129", "CostInBillingCurrency": "5.64902E-05", "BillingCurrencyCode": "CAD",
                   "Tags": '"tagA": "valueA","tagB": "valueB"', "CostCenter": "NULL"})
    with (tmp_path / "billing/azure/export.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(AZURE_COLUMNS) + ["x_Custom"], lineterminator="\r\n")
        writer.writeheader()
        writer.writerow({**values, "x_Custom": "kept"})
    row = _rows(tmp_path, "azure_cost_export")[0]
    assert row["invoice_section_name"] is None and row["cost_center"] is None
    assert row["cost_in_billing_currency"] == "5.64902E-05" and row["date"] == "9/2/2023"
    assert row["tags"] == '"tagA": "valueA","tagB": "valueB"'
    assert json.loads(row["extra_fields"]) == {"x_Custom": "kept"}


def test_readers_reject_unreadable_input_with_file_and_line(tmp_path):
    kinds = {k.name: k for k in BILLING_KINDS}
    bad_json = tmp_path / "costs_org.jsonl"
    bad_json.write_text('{"object":"page","data":[],"has_more":false}\n{"object":"page","data":[{"start_time":1\n')
    with pytest.raises(BadInput) as error:
        list(kinds["openai_costs"].reader(bad_json))
    assert error.value.line_number == 2 and "costs_org.jsonl:2" in str(error.value)
    no_results = tmp_path / "cost_report_org.jsonl"
    no_results.write_text('{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z"}]}\n')
    with pytest.raises(BadInput, match="results"):
        list(kinds["anthropic_cost_report"].reader(no_results))
    ragged = tmp_path / "cur2_x.csv"
    header = ",".join(kinds["aws_cur2"].columns[:-1])
    ragged.write_text(header + "\n" + ",".join(["x"] * 3) + "\n")
    with pytest.raises(BadInput) as error:
        list(kinds["aws_cur2"].reader(ragged))
    assert error.value.line_number == 2
    missing = tmp_path / "focus_x.csv"
    missing.write_text("BilledCost,BillingAccountId\n1,2\n")
    with pytest.raises(BadInput, match="ChargeCategory"):
        list(kinds["aws_focus"].reader(missing))
    gcp = tmp_path / "export.jsonl"
    gcp.write_text('{"billing_account_id":"A","usage_start_time":"2025-01-01 00:00:00 UTC"}\n')
    with pytest.raises(BadInput, match="cost"):
        list(kinds["gcp_billing_export"].reader(gcp))


# ------------------------------------------------------------------------------------------------ quirks


def test_azure_export_quirks(dataset):
    path = next((dataset / "billing" / "azure").glob("*.csv"))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = _rows(dataset, "azure_cost_export")
    assert rows[0]["date"] is not None and "\ufeff" not in rows[0]["invoice_section_name"]
    dates = {r["date"] for r in rows}
    assert "11/1/2025" in dates and "10/29/2025" in dates  # M/D/YYYY, no zero padding
    e_notation = [r for r in rows if "E-" in r["cost_in_billing_currency"]]
    assert e_notation, "expected at least one E-notation amount (tiny batch lines)"
    assert all(not r["tags"].startswith("{") and '"env": ' in r["tags"] for r in rows)
    assert {r["unit_of_measure"] for r in rows} == {"1K"}
    for r in rows:  # Quantity (1K blocks) x EffectivePrice (per 1K) = cost, exactly
        assert Decimal(r["quantity"]) * Decimal(r["effective_price"]) == pytest.approx(
            Decimal(r["cost_in_billing_currency"]), abs=Decimal("1e-9"))
    # the tiny batch calls of the fixture: 39 input and 10 output tokens on 10/30
    tiny = [r for r in rows if r["date"] == "10/30/2025" and "Batch" in r["meter_name"]]
    assert sorted(Decimal(r["quantity"]) * 1000 for r in tiny) == [10, 39]


def test_anthropic_quirks(dataset):
    text = next((dataset / "billing" / "anthropic").glob("cost_report_*.jsonl")).read_text()
    assert '"amount":"' in text  # cents as a decimal string, not a number
    costs = _rows(dataset, "anthropic_cost_report")
    default = [r for r in costs if r["workspace_id"] is None]
    assert default and all(r["amount"] is not None for r in default)
    assert {r["cost_type"] for r in costs} == {"tokens", "web_search"}
    assert {r["service_tier"] for r in costs if r["cost_type"] == "tokens"} <= {"standard", "batch"}
    usage = _rows(dataset, "anthropic_usage_messages")
    assert "priority" in {r["service_tier"] for r in usage}  # priority usage is reported, its cost is not
    assert any(r["workspace_id"] is None and r["api_key_id"] is None for r in usage)  # Workbench, default workspace
    assert sum(int(r["server_tool_use_web_search_requests"]) for r in usage) == 120
    assert sum(Decimal(r["amount"]) for r in costs if r["cost_type"] == "web_search") / 100 == Decimal("1.2")


def test_openai_quirks(dataset):
    usage = _rows(dataset, "openai_usage_completions")
    first = min(usage, key=lambda r: int(r["start_time"]))
    start, end = int(first["start_time"]), int(first["end_time"])
    assert start % 86400 != 0 and end % 86400 == 0 and end - start < 86400  # partial first-day bucket
    assert all(int(r["end_time"]) - int(r["start_time"]) == 86400 for r in usage if r["start_time"] != first["start_time"])
    assert {r["batch"] for r in usage} == {"true", "false"}
    costs = _rows(dataset, "openai_costs")
    line_items = {r["line_item"] for r in costs}
    assert "web search tool calls" in line_items
    assert any(li.startswith("batch | ") and li.endswith(", cached input") for li in line_items)
    assert {r["amount_currency"] for r in costs} == {"usd"}
    # input_tokens includes cached tokens: compare with the fixture's calls (days without injected differences)
    calls = _read_csv(FIXTURE / "ground_truth" / "calls.csv")
    day = "2025-11-02"
    expected = sum(int(c["input_uncached_tokens"] or 0) + int(c["cache_read_tokens"] or 0) for c in calls
                   if c["provider"] == "openai" and c["call_date"] == day and c["sub_account_id"] == "proj_prod01"
                   and c["service_tier"] == "batch")
    day_start = int(dt.datetime(2025, 11, 2, tzinfo=dt.timezone.utc).timestamp())
    got = sum(int(r["input_tokens"]) for r in usage if int(r["start_time"]) == day_start and r["batch"] == "true")
    assert got == expected > 0


def test_aws_and_gcp_quirks(dataset):
    cur = _rows(dataset, "aws_cur2")
    types = {r["line_item_line_item_type"] for r in cur}
    assert types == {"Usage", "Tax", "Credit"}
    assert all(Decimal(r["line_item_unblended_cost"]) < 0 for r in cur if r["line_item_line_item_type"] == "Credit")
    usage_types = {r["line_item_usage_type"] for r in cur if r["line_item_line_item_type"] == "Usage"}
    assert any("-MP:" in u and u.endswith("InputTokenCount-Units") for u in usage_types)
    assert any(u.endswith("-input-tokens") and "-MP:" not in u for u in usage_types)
    assert any(u.endswith("cache-write-input-token-count") or "CacheWrite" in u for u in usage_types)
    focus_text = next((dataset / "billing" / "aws").glob("focus_*.csv")).read_text()
    assert ",NULL," in focus_text
    focus = _rows(dataset, "aws_focus")
    assert all(r["charge_class"] is None for r in focus)  # literal NULL read as None
    assert {r["charge_category"] for r in focus} == {"Usage", "Tax", "Credit"}
    assert all(r["billing_period_start"].endswith("Z") for r in focus)

    gcp = _rows(dataset, "gcp_billing_export")
    credits = [c for r in gcp for c in json.loads(r["credits"])]
    assert credits and all(c["amount"] < 0 for c in credits)
    assert {json.loads(r["labels"])[0]["key"] for r in gcp} == {"env"}
    first_of_november = [r for r in gcp if r["usage_start_time"] == "2025-11-01 00:00:00 UTC"]
    assert first_of_november and {r["invoice_month"] for r in first_of_november} == {"202510"}  # US Pacific month
    assert {r["invoice_month"] for r in gcp if r["usage_start_time"] == "2025-11-02 00:00:00 UTC"} == {"202511"}
    assert {r["service_description"] for r in gcp} == {"Vertex AI", "Gemini API"}


# ------------------------------------------------------------------------------------------------ totals


def _month_of_epoch(text: str) -> str:
    return dt.datetime.fromtimestamp(int(text), dt.timezone.utc).strftime("%Y-%m-01")


def _billed_per_provider_month(dataset: Path) -> dict[tuple[str, str], Decimal]:
    """Billed cost per (provider, month) summed from the files via the readers, in each provider's own units."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in _rows(dataset, "openai_costs"):
        totals[("openai", _month_of_epoch(r["start_time"]))] += Decimal(r["amount_value"])
    for r in _rows(dataset, "anthropic_cost_report"):
        totals[("anthropic", r["starting_at"][:7] + "-01")] += Decimal(r["amount"]) / 100
    for r in _rows(dataset, "aws_cur2"):
        month = r["line_item_usage_start_date"][:7] + "-01"
        totals[("aws.bedrock", month)] += Decimal(r["line_item_unblended_cost"])
    services = {"Vertex AI": "gcp.vertex_ai", "Gemini API": "gcp.gemini"}
    for r in _rows(dataset, "gcp_billing_export"):
        key = (services[r["service_description"]], r["usage_start_time"][:7] + "-01")
        totals[key] += Decimal(r["cost"]) + sum(Decimal(str(c["amount"])) for c in json.loads(r["credits"]))
    for r in _rows(dataset, "azure_cost_export"):
        month, _, year = r["date"].split("/")
        totals[("azure.ai.openai", f"{year}-{int(month):02d}-01")] += Decimal(r["cost_in_billing_currency"])
    return dict(totals)


def test_billed_totals_in_files_equal_ground_truth(dataset):
    cells, other = _truth(dataset)
    truth: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in cells:
        if c["billed_cost_usd"]:
            truth[(c["provider"], c["month"])] += Decimal(c["billed_cost_usd"])
    for o in other:
        truth[(o["provider"], o["month"])] += Decimal(o["billed_cost_usd"])
    billed = _billed_per_provider_month(dataset)
    assert set(billed) == set(truth)
    for key in sorted(truth):
        assert billed[key] == truth[key], key
    # the FOCUS export carries the same AWS charges as the CUR
    focus: dict[str, Decimal] = defaultdict(Decimal)
    for r in _rows(dataset, "aws_focus"):
        focus[r["charge_period_start"][:7] + "-01"] += Decimal(r["billed_cost"])
    assert {("aws.bedrock", m): v for m, v in focus.items()} == {k: v for k, v in billed.items() if k[0] == "aws.bedrock"}


def test_other_charges_cover_tax_credit_and_tool_fees(dataset):
    _, other = _truth(dataset)
    kinds = {(o["provider"], o["charge_type"]) for o in other}
    assert {("aws.bedrock", "tax"), ("aws.bedrock", "credit"), ("openai", "tool_fee"), ("anthropic", "tool_fee")} <= kinds
    assert any(p.startswith("gcp.") and t == "credit" for p, t in kinds)
    assert all(Decimal(o["billed_cost_usd"]) < 0 for o in other if o["charge_type"] == "credit")
    assert all(Decimal(o["billed_cost_usd"]) > 0 for o in other if o["charge_type"] in ("tax", "tool_fee"))


def test_estimates_equal_calls_list_cost(dataset):
    cells, _ = _truth(dataset)
    calls = _read_csv(FIXTURE / "ground_truth" / "calls.csv")
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for c in calls:
        key = (c["call_date"][:7] + "-01", c["provider"], c["billing_account_id"], c["sub_account_id"], c["model_id"],
               c["service_tier"])
        expected[key] += Decimal(c["list_cost_usd"] or "0")
    got: dict[tuple, Decimal] = defaultdict(Decimal)
    for c in cells:
        if c["estimated_cost_usd"]:
            key = (c["month"], c["provider"], c["billing_account_id"], c["sub_account_id"], c["model_id"], c["service_tier"])
            got[key] += Decimal(c["estimated_cost_usd"])
    assert {k: v for k, v in got.items()} == {k: v for k, v in expected.items() if v or k in got}


def test_token_type_split_recovers_the_fixture_prices(dataset):
    """Per token type, estimated cost = tokens x the fixture's own price (cells whose calls all report usage)."""
    prices = {(p, m, t): pr for p, m, t, _, _, _, pr in _fixture_module().MODELS}
    tiny = _fixture_module().TINY
    prices[(tiny[0], tiny[1], tiny[2])] = tiny[6]
    calls = _read_csv(FIXTURE / "ground_truth" / "calls.csv")
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for c in calls:
        price = prices[(c["provider"], c["model_id"], c["service_tier"])]
        for index, token_type in enumerate(TOKEN_TYPES):
            n = int(c[f"{token_type}_tokens"] or 0)
            key = (c["call_date"][:7] + "-01", c["provider"], c["sub_account_id"], c["model_id"], token_type, c["service_tier"])
            expected[key] += Decimal(str(price[index])) * n / 1_000_000
    cells, _ = _truth(dataset)
    checked = 0
    for c in cells:
        if c["estimated_cost_usd"] and "usage_missing_in_telemetry" not in c["injected_reason"]:
            key = (c["month"], c["provider"], c["sub_account_id"], c["model_id"], c["token_type"], c["service_tier"])
            assert Decimal(c["estimated_cost_usd"]) == expected[key], key
            checked += 1
    assert checked > 30


def _status(estimated: str, billed: str) -> str:
    """The tolerance rule of the module docstring, re-implemented: 0.005 match, max(0.01 USD, 0.5 %) tolerance."""
    if not estimated:
        return "no_telemetry"
    if not billed:
        return "no_billing"
    est, delta = Decimal(estimated), Decimal(billed) - Decimal(estimated)
    if abs(delta) < Decimal("0.005"):
        return "matched"
    if abs(delta) <= max(Decimal("0.01"), abs(est) * Decimal("0.005")):
        return "within_tolerance"
    return "over" if delta > 0 else "under"


def test_injected_differences_land_in_their_status(dataset):
    cells, _ = _truth(dataset)
    for c in cells:
        assert c["expected_status"] == _status(c["estimated_cost_usd"], c["billed_cost_usd"]), c
    by_reason: dict[str, set[str]] = defaultdict(set)
    for c in cells:
        for reason in filter(None, c["injected_reason"].split(";")):
            by_reason[reason].add(c["expected_status"])
    assert by_reason["usage_without_telemetry"] == {"no_telemetry"}
    assert by_reason["extra_untracked_tokens"] == {"over"}
    assert "over" in by_reason["price_mismatch"]
    assert by_reason["rounding_noise"] == {"within_tolerance"}
    assert by_reason["tier_absent_from_cost_report"] == {"no_billing"}
    assert by_reason["billing_lag"] <= {"under", "no_billing", "within_tolerance"} and "under" in by_reason["billing_lag"]
    statuses = {c["expected_status"] for c in cells}
    assert {"matched", "within_tolerance", "over", "under", "no_telemetry", "no_billing"} <= statuses
    # cells nothing was injected into match to the cent
    assert {c["expected_status"] for c in cells if not c["injected_reason"]} == {"matched"}


def test_raw_text_values_cast_exactly_in_duckdb(dataset):
    """Loaded as varchar (as the loader does), the delivered texts cast to decimal(38, 12) and sum to the ground truth.

    Note for staging: in DuckDB `decimal / 100` is a DOUBLE; convert Anthropic cents with `* 0.01` to stay decimal.
    """
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    for kind in BILLING_KINDS:
        columns = ", ".join(f'"{c}" varchar' for c in kind.columns)
        connection.execute(f"create table {kind.table} ({columns})")
        rows = [tuple(row[c] for c in kind.columns) for row in _rows(dataset, kind.name)]
        connection.executemany(f"insert into {kind.table} values ({', '.join(['?'] * len(kind.columns))})", rows)
    cells, other = _truth(dataset)

    def truth(provider: str) -> Decimal:
        return (sum(Decimal(c["billed_cost_usd"]) for c in cells if c["provider"] == provider and c["billed_cost_usd"])
                + sum(Decimal(o["billed_cost_usd"]) for o in other if o["provider"] == provider))

    queries = {
        "azure.ai.openai": 'select sum(cast(cost_in_billing_currency as decimal(38, 12))) from billing_azure_cost_export',
        "anthropic": "select sum(cast(amount as decimal(38, 12)) * 0.01) from billing_anthropic_cost_report",
        "openai": "select sum(cast(amount_value as decimal(38, 12))) from billing_openai_costs",
        "aws.bedrock": "select sum(cast(line_item_unblended_cost as decimal(38, 12))) from billing_aws_cur2",
    }
    for provider, sql in queries.items():
        (total,) = connection.execute(sql).fetchone()
        assert isinstance(total, Decimal) and total == truth(provider), provider
    (dates,) = connection.execute(
        "select count(*) from billing_azure_cost_export where strptime(\"Date\", '%m/%d/%Y') is null").fetchone()
    assert dates == 0


def test_a_list_cost_the_price_table_does_not_reproduce_raises(tmp_path):
    """A calls.csv cost that is not the table's price x tokens is a generator bug: an error, never a guessed split."""
    for sub in ("ground_truth", "app"):
        shutil.copytree(FIXTURE / sub, tmp_path / sub)
    calls_path = tmp_path / "ground_truth" / "calls.csv"
    calls = _read_csv(calls_path)
    target = next(i for i, c in enumerate(calls) if c["provider"] == "aws.bedrock" and c["model_id"] == "nova-pro"
                  and c["usage_status"] == "reported" and c["call_date"] == "2025-11-02")
    calls[target]["list_cost_usd"] = str(Decimal(calls[target]["list_cost_usd"]) + Decimal("0.000000000001"))
    with calls_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(calls[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(calls)
    with pytest.raises(ValueError, match=rf"calls.csv:{target + 2}: list_cost_usd .* is not the price table's cost"):
        write_billing_exports(tmp_path, 42, _fixture_module().price_table())
    # the same file priced with a table that lacks the model: an error too
    table = {k: v for k, v in _fixture_module().price_table().items() if k != "nova-pro"}
    calls[target]["list_cost_usd"] = str(Decimal(calls[target]["list_cost_usd"]) - Decimal("0.000000000001"))
    with calls_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(calls[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(calls)
    with pytest.raises(ValueError, match="cannot price the call .*no price for nova-pro"):
        write_billing_exports(tmp_path, 42, table)
    write_billing_exports(tmp_path, 42, _fixture_module().price_table())  # restored: no error


def test_price_change_and_long_context_cliff_are_split_at_their_own_prices(tmp_path):
    """One model with an effective-dated price cut and a long-context cliff (all tokens of a request above 200k input
    tokens priced at the tier): every call must be split at the prices in force for it (truth: the table below)."""
    import random

    regular = {"2025-10": ("5", "0.5", "0", "0", "30"), "2025-11": ("4", "0.4", "0", "0", "20")}
    long_context = {"2025-10": ("10", "1", "0", "0", "45"), "2025-11": ("8", "0.8", "0", "0", "30")}
    rng = random.Random(3)
    (tmp_path / "ground_truth").mkdir()
    (tmp_path / "app").mkdir()
    columns = _fixture_module().COLUMNS
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    rows = []
    for number in range(400):
        day = f"2025-{10 + number % 2}-{1 + number % 27:02d}"
        is_long = number % 9 == 0
        tokens = [rng.randint(210_000 if is_long else 1_000, 400_000 if is_long else 150_000),
                  rng.choice((0, rng.randint(1, 40_000))), 0, 0, rng.randint(100, 20_000)]
        prices = (long_context if is_long else regular)[day[:7]]
        parts = [Decimal(p) * n / 1_000_000 for p, n in zip(prices, tokens)]
        for token_type, part, n in zip(TOKEN_TYPES, parts, tokens):
            if n:
                expected[(day[:7] + "-01", token_type)] += part
        rows.append({c: "" for c in columns} | {
            "trace_id": f"t{number}", "span_id": f"s{number}", "task_id": f"t{number}", "called_at": f"{day} 10:00:00.000000",
            "call_date": day, "provider": "openai", "model_id": "gpt-5.6-sol", "raw_model": "gpt-5.6-sol",
            "service_tier": "standard", "usage_status": "reported", "is_retry": "false", "is_fallback": "false",
            **{f"{t}_tokens": str(n) for t, n in zip(TOKEN_TYPES, tokens)}, "reasoning_tokens": "0",
            "list_cost_usd": f"{sum(parts):.12f}", "billing_account_id": "org-x", "sub_account_id": "proj_x", "region": ""})
    rows.sort(key=lambda r: r["called_at"])
    with (tmp_path / "ground_truth" / "calls.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "app" / "provider_accounts.csv").write_text(
        "provider,environment,billing_account_id,sub_account_id\nopenai,production,org-x,proj_x\n")

    def per_mtok(prices: tuple[str, ...]) -> dict[str, Decimal]:
        return {c: Decimal(p) for c, p in zip(COMPONENTS, prices) if p != "0"}

    periods = tuple(Period(dt.date.fromisoformat(month + "-01"), per_mtok(regular[month]), tier_threshold=200_000,
                           tier_prices=per_mtok(long_context[month])) for month in ("2025-10", "2025-11"))
    table = {"gpt-5.6-sol": ModelPrices("gpt-5.6-sol", "openai", periods)}
    write_billing_exports(tmp_path, 1, table)
    cells, _ = _truth(tmp_path)
    got = {(c["month"], c["token_type"]): Decimal(c["estimated_cost_usd"]) for c in cells if c["estimated_cost_usd"]}
    assert got == dict(expected)


def test_calls_without_usage_are_billed_unless_a_retry_follows(tmp_path):
    from ai_finops.generate.billing import _calls

    columns = _fixture_module().COLUMNS
    base = {c: "" for c in columns} | {"call_date": "2025-11-02", "called_at": "2025-11-02 10:00:00.000000",
                                       "provider": "openai", "model_id": "gpt-4o", "service_tier": "standard",
                                       "list_cost_usd": "0", "billing_account_id": "org", "sub_account_id": "proj"}
    rows = [
        base | {"task_id": "failed-then-retried", "span_id": "a", "usage_status": "missing", "is_retry": "false"},
        base | {"task_id": "failed-then-retried", "span_id": "b", "usage_status": "reported", "is_retry": "true",
                "input_uncached_tokens": "10", "output_tokens": "5", "list_cost_usd": "0.000075"},
        base | {"task_id": "stream-without-usage", "span_id": "c", "usage_status": "missing", "is_retry": "false"},
        base | {"task_id": "failed-then-fallback", "span_id": "d", "usage_status": "missing", "is_retry": "false"},
        base | {"task_id": "failed-then-fallback", "span_id": "e", "usage_status": "missing", "is_fallback": "true"},
    ]
    path = tmp_path / "calls.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    flags = [(call.tokens is None, call.billed_without_usage) for _, call in _calls(path)]
    assert flags == [(True, False), (False, False), (True, True), (True, False), (True, True)]
