"""Tests of `ai-finops generate`: determinism, OTLP encoding, ground-truth consistency, prices vs genai-prices."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from genai_prices import Usage, calc_price

from ai_finops.generate.cli import generate
from ai_finops.generate.prices import COMPONENTS, PRICE_TABLE, call_cost

SRC = Path(__file__).resolve().parents[2] / "src"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
DECIMAL = re.compile(r"^-?[0-9]+$")
ANYVALUE_KEYS = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"}
CONTENT_KEY = re.compile(
    r"^(gen_ai\.input\.messages|gen_ai\.output\.messages|gen_ai\.prompt.*|gen_ai\.completion.*|llm\.input_messages.*"
    r"|llm\.output_messages.*|ai\.prompt.*|ai\.response\.text|gen_ai\.tool\.call\.arguments|gen_ai\.tool\.call\.result"
    r"|input\.value|output\.value)$")
CONTENT_SKIP = re.compile(r"(\.role|\.mime_type)$")
GENAI_PROVIDER = {"openai": "openai", "anthropic": "anthropic", "aws.bedrock": "aws", "gcp.vertex_ai": "google",
                  "gcp.gemini": "google", "azure.ai.openai": "azure"}
WINDOW_START = date(2026, 8, 1)
CACHE_READ_KEYS = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                   "llm.token_count.prompt_details.cache_read", "ai.usage.inputTokenDetails.cacheReadTokens")
REASONING_KEYS = ("gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning",
                  "ai.usage.outputTokenDetails.reasoningTokens")
# genai-prices model ids that its own match rules do not match: price them through a raw string that does.
MODEL_REF = {"regional.anthropic.claude-sonnet-4-5-20250929-v1:0": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    generate(out, 20_000, 7, WINDOW_START, 42, billing=False, rotate_spans=6_000)
    return out


def _digest(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _decode(value: dict):
    (kind, raw), = value.items() if value else (("empty", None),)
    if kind == "intValue":
        return int(raw)
    if kind == "arrayValue":
        return [_decode(v) for v in raw.get("values", [])]
    return raw


def _spans(directory: Path):
    """(file, line, span, flat attributes, scope name, resource attributes) in delivery order."""
    for path in sorted((directory / "otlp").glob("spans-*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                request = json.loads(line)
                for resource_spans in request["resourceSpans"]:
                    resource = {a["key"]: _decode(a["value"]) for a in resource_spans["resource"]["attributes"]}
                    for scope_spans in resource_spans["scopeSpans"]:
                        for span in scope_spans["spans"]:
                            attributes = {a["key"]: _decode(a["value"]) for a in span["attributes"]}
                            yield path.name, number, span, attributes, scope_spans["scope"]["name"], resource


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path):
    generate(tmp_path / "one", 3_000, 11, WINDOW_START, 42, billing=False)
    generate(tmp_path / "two", 3_000, 11, WINDOW_START, 42, billing=False)
    generate(tmp_path / "three", 3_000, 12, WINDOW_START, 42, billing=False)
    first, second, third = (_digest(tmp_path / name) for name in ("one", "two", "three"))
    assert first == second
    assert set(first) == set(third)
    assert first["otlp/spans-0001.jsonl"] != third["otlp/spans-0001.jsonl"]
    assert first["ground_truth/calls.csv"] != third["ground_truth/calls.csv"]


def test_span_count_rotation_and_manifest(dataset):
    manifest = json.loads((dataset / "manifest.json").read_text())
    files = sorted((dataset / "otlp").glob("spans-*.jsonl"))
    assert len(files) >= 3  # rotate_spans=6000 for 20000 spans
    counted = sum(1 for _ in _spans(dataset))
    assert counted >= 20_000
    assert counted == manifest["spans_written"]
    assert counted == len(_read(dataset / "ground_truth" / "spans.csv"))
    assert sum(f["spans"] for k, f in manifest["files"].items() if k.startswith("otlp/")) == counted
    assert manifest["price_changes_in_window"][0]["effective_from"] == "2026-08-21"


def test_otlp_encoding_rules_and_content_marker(dataset):
    truth = _read(dataset / "ground_truth" / "spans.csv")
    quarantined = {(r["trace_id"], r["span_id"]): r["reason"]
                   for r in truth if r["expected_disposition"] == "quarantine"}
    content_attributes = 0
    for index, (_, _, span, attributes, scope, resource) in enumerate(_spans(dataset)):
        assert (span["traceId"], span["spanId"]) == (truth[index]["trace_id"], truth[index]["span_id"])
        assert HEX32.match(span["traceId"]) and HEX16.match(span["spanId"])
        assert "parentSpanId" not in span or HEX16.match(span["parentSpanId"])
        assert isinstance(span["kind"], int) and 0 <= span["kind"] <= 5
        bad_timestamp = quarantined.get((span["traceId"], span["spanId"])) == "bad_timestamp"
        assert bool(DECIMAL.match(span["startTimeUnixNano"])) != bad_timestamp
        assert DECIMAL.match(span["endTimeUnixNano"])
        status = span["status"]
        assert set(status) <= {"code", "message"}
        assert status.get("code", 1) in (1, 2, "STATUS_CODE_ERROR", "STATUS_CODE_OK", "Error")
        assert scope
        assert "service.name" in resource
        assert ("deployment.environment.name" in resource) != ("deployment.environment" in resource)
        for attribute in span["attributes"]:
            (kind, raw), = attribute["value"].items()
            assert kind in ANYVALUE_KEYS
            if kind == "intValue":
                assert isinstance(raw, str) and DECIMAL.match(raw)
        for key, value in attributes.items():
            if CONTENT_KEY.match(key) and not CONTENT_SKIP.search(key) or key.startswith("langfuse.observation.in") \
                    or key.startswith("langfuse.observation.out"):
                content_attributes += 1
                assert "PII-CONTENT-MARKER" in json.dumps(value), key
    assert content_attributes > 10_000


def _reported_usage(attributes: dict, scope: str):
    """(input_total, output) as an independent reader of each convention understands the span, or None."""
    def number(*keys):
        for key in keys:
            if key in attributes:
                return int(attributes[key])
        return None

    if "langfuse.observation.usage_details" in attributes:
        details = json.loads(attributes["langfuse.observation.usage_details"])
        total_in = details["input"] + sum(v for k, v in details.items() if k.startswith("input_"))
        return total_in, details["output"] + details.get("output_reasoning_tokens", 0)
    if "ai.usage.inputTokens" in attributes:
        return number("ai.usage.inputTokens"), number("ai.usage.outputTokens")
    if "ai.usage.promptTokens" in attributes:  # AI SDK v4: cache-exclusive (no cache reported by this generator)
        return number("ai.usage.promptTokens"), number("ai.usage.completionTokens")
    if "openinference.span.kind" in attributes:
        return number("llm.token_count.prompt") or 0, number("llm.token_count.completion") or 0
    if "llm.request.type" in attributes:  # OpenLLMetry legacy: Anthropic / Bedrock input excludes cache
        prompt = number("gen_ai.usage.prompt_tokens")
        if prompt is None:
            return None
        if attributes["gen_ai.system"] in ("Anthropic", "AWS"):
            prompt += (number("gen_ai.usage.cache_read_input_tokens") or 0) + \
                (number("gen_ai.usage.cache_creation_input_tokens") or 0)
        return prompt, number("gen_ai.usage.completion_tokens")
    total_in = number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
    if total_in is None:
        return None
    return total_in, number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens") or 0


def test_billable_spans_report_the_ground_truth_usage(dataset):
    calls = {(r["trace_id"], r["span_id"]): r for r in _read(dataset / "ground_truth" / "calls.csv")}
    seen = set()
    for _, _, span, attributes, scope, resource in _spans(dataset):
        key = (span["traceId"], span["spanId"])
        if key not in calls or key in seen:
            continue
        seen.add(key)
        row = calls[key]
        assert resource.get("deployment.environment.name", resource.get("deployment.environment")) == \
            row["environment"]
        usage = _reported_usage(attributes, scope)
        if row["usage_status"] == "missing":
            assert usage is None or usage == (0, 0), (row, attributes)
            continue
        total_in = sum(int(row[c] or 0) for c in ("input_uncached_tokens", "cache_read_tokens",
                                                  "cache_write_5m_tokens", "cache_write_1h_tokens"))
        assert usage[0] == total_in, (row, attributes)
        if "embeddings" not in span["name"] and "Embedding" not in span["name"]:
            assert usage[1] == int(row["output_tokens"]), (row, attributes)
        # A part is NULL in the truth exactly when the span carries no attribute for it.
        details = json.loads(attributes.get("langfuse.observation.usage_details", "{}"))
        for column, keys, detail in (("cache_read_tokens", CACHE_READ_KEYS, "input_cached_tokens"),
                                     ("reasoning_tokens", REASONING_KEYS, "output_reasoning_tokens"),
                                     ("cache_write_1h_tokens", (), "input_cache_creation_1h")):
            present = any(k in attributes for k in keys) or detail in details
            assert present == (row[column] != ""), (column, row, attributes)
        start_ns = int(span["startTimeUnixNano"])
        called_at = datetime.strptime(row["called_at"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
        assert start_ns == int(called_at.timestamp()) * 1_000_000_000 + called_at.microsecond * 1_000
    assert seen == set(calls)


def test_ground_truth_is_internally_consistent(dataset):
    gt = dataset / "ground_truth"
    spans = _read(gt / "spans.csv")
    calls = _read(gt / "calls.csv")
    tasks = _read(gt / "tasks.csv")
    billable = [(r["trace_id"], r["span_id"]) for r in spans if r["expected_disposition"] == "billable_call"]
    assert sorted(billable) == sorted((r["trace_id"], r["span_id"]) for r in calls)
    assert len(set(billable)) == len(billable)
    first = {(r["trace_id"], r["span_id"]) for r in spans if r["occurrence"] == "1"}
    for row in spans:
        if row["occurrence"] != "1":
            assert (row["expected_disposition"], row["reason"]) == ("duplicate", "redelivery")
            assert (row["trace_id"], row["span_id"]) in first and row["duplicate_of_span_id"] == row["span_id"]
        if row["reason"] == "same_response_id":
            assert (row["trace_id"], row["duplicate_of_span_id"]) in set(billable)
    reasons = {(r["expected_disposition"], r["reason"]) for r in spans}
    for expected in [("wrapper", "agent_aggregate"), ("wrapper", "sdk_outer_span"), ("wrapper", "framework_wrapper"),
                     ("duplicate", "same_response_id"), ("duplicate", "redelivery"), ("non_model", ""),
                     ("quarantine", "bad_token_value"), ("billable_call", "")]:
        assert expected in reasons
    conventions = {r["convention"] for r in spans}
    assert {"otel_genai_latest", "otel_genai_legacy", "openllmetry_legacy", "openinference", "vercel_v4",
            "vercel_v6", "langfuse"} <= conventions

    feature_day = defaultdict(lambda: [0, Decimal(0)])
    task_cost = defaultdict(lambda: [0, 0, Decimal(0)])
    customer_month = defaultdict(Decimal)
    for row in calls:
        cost = Decimal(row["list_cost_usd"])
        assert cost >= 0 and cost == cost.quantize(Decimal("1e-12"))
        if row["usage_status"] == "missing":
            assert cost == 0 and row["input_uncached_tokens"] == ""
        feature_day[(row["call_date"], row["feature_id"])][0] += 1
        feature_day[(row["call_date"], row["feature_id"])][1] += cost
        task_cost[row["task_id"]][0] += row["is_retry"] == "false"
        task_cost[row["task_id"]][1] += 1
        task_cost[row["task_id"]][2] += cost
        if row["customer_id"]:
            assert row["environment"] == "production"
            customer_month[(row["call_date"][:7] + "-01", row["customer_id"])] += cost
        assert row["call_date"] == row["called_at"][:10]
        assert row["billing_account_id"] and row["sub_account_id"]
    expected_fd = {(r["call_date"], r["feature_id"]): [int(r["calls"]), Decimal(r["list_cost_usd"])]
                   for r in _read(gt / "feature_day.csv")}
    assert expected_fd == {k: v for k, v in feature_day.items()}
    for row in tasks:
        calls_, attempts, cost = task_cost.get(row["task_id"], [0, 0, Decimal(0)])
        assert (int(row["calls"]), int(row["attempts"]), Decimal(row["list_cost_usd"])) == (calls_, attempts, cost)
    assert len({r["task_id"] for r in tasks}) == len(tasks)
    assert {r["outcome"] for r in tasks} == {"success", "failure", "abandoned"}
    months = {(r["revenue_month"], r["account_id"]): r for r in _read(gt / "customer_month.csv")}
    for key, cost in customer_month.items():
        assert Decimal(months[key]["ai_list_cost_usd"]) == cost
    assert sum(Decimal(r["ai_list_cost_usd"]) for r in months.values()) == sum(customer_month.values())
    subscriptions = {(r["revenue_month"], r["account_id"]): r["mrr_usd"]
                     for r in _read(dataset / "app" / "subscriptions.csv")}
    assert {k: Decimal(v["revenue_usd"]) for k, v in months.items() if k in subscriptions} == \
        {k: Decimal(v) for k, v in subscriptions.items()}
    accounts = _read(dataset / "app" / "accounts.csv")
    used = {r["customer_id"] for r in calls if r["customer_id"]}
    assert used < {a["account_id"] for a in accounts}  # some accounts have no AI usage at all
    assert any(r["environment"] == "eval" and not r["customer_id"] for r in calls)


def test_call_costs_match_genai_prices(dataset):
    """Every standard-tier call is re-priced by genai-prices from its raw partition at its own timestamp."""
    checked = 0
    above_threshold = 0
    models = set()
    for row in _read(dataset / "ground_truth" / "calls.csv"):
        if row["usage_status"] != "reported" or row["service_tier"] != "standard":
            continue
        uncached, cache_read, cw5, cw1h, output = (int(row[c] or 0) for c in (
            "input_uncached_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
            "output_tokens"))
        usage = Usage(input_tokens=uncached + cache_read + cw5 + cw1h, cache_read_tokens=cache_read,
                      cache_write_tokens=cw5 + cw1h, cache_write_1h_tokens=cw1h, output_tokens=output)
        when = datetime.strptime(row["called_at"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
        # Price the raw model string where genai-prices can match it (this also checks the canonical model id).
        reference = row["model_id"] if row["raw_model"].startswith("models/") else row["raw_model"]
        result = calc_price(usage, reference, provider_id=GENAI_PROVIDER[row["provider"]],
                            genai_request_timestamp=when)
        assert result.model.id == row["model_id"], row
        assert Decimal(row["list_cost_usd"]) == result.total_price, row
        checked += 1
        models.add(row["model_id"])
        above_threshold += uncached + cache_read + cw5 + cw1h > 200_000
    assert checked > 3_000
    assert len(models) >= 12
    assert above_threshold > 0


@pytest.mark.parametrize("model_id", sorted(PRICE_TABLE))
def test_price_table_matches_genai_prices(model_id):
    """Each period, the long-context tier and every service-tier variant agree with genai-prices 0.2.3."""
    entry = PRICE_TABLE[model_id]
    usages = [(1_000_000, 0, 0, 0, 100_000), (9_000, 3_000, 0, 0, 700), (150_000, 100_000, 0, 0, 10_000)]
    if "cache_write_5m" in entry.periods[0].prices:
        usages += [(4, 1_163, 0, 0, 202), (4, 0, 1_163, 0, 187), (30_000, 100_000, 10_000, 10_000, 10_000),
                   (150_000, 40_000, 20_000, 0, 9_000)]
    if "output" not in entry.periods[0].prices:  # embeddings: input only
        usages = [(u[0], 0, 0, 0, 0) for u in usages]
    for index, period in enumerate(entry.periods):
        day = period.effective_from if index else (entry.periods[1].effective_from.replace(day=1)
                                                   if len(entry.periods) > 1 else date(2026, 8, 15))
        when = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
        cases = [(u, "standard", when) for u in usages]
        if index == len(entry.periods) - 1:
            late = datetime(2026, 10, 20, 12, tzinfo=timezone.utc)  # genai-prices variants start 2026-10-12/14
            cases += [(u, tier, late) for tier in period.variants for u in usages
                      if sum(u[:4]) <= (period.tier_threshold or 10**9)]
        for (uncached, cache_read, cw5, cw1h, output), tier, at in cases:
            if "cache_read" not in period.prices and cache_read:
                continue
            total = uncached + cache_read + cw5 + cw1h
            context = None if tier == "standard" else (
                {"processing": "batch"} if tier == "batch" else {"service_tier": tier})
            expected = calc_price(
                Usage(input_tokens=total, cache_read_tokens=cache_read, cache_write_tokens=cw5 + cw1h,
                      cache_write_1h_tokens=cw1h, output_tokens=output),
                MODEL_REF.get(model_id, model_id), provider_id=entry.genai_provider_id, genai_request_timestamp=at,
                price_context=context,
            ).total_price
            ours = call_cost(model_id, at.date(), tier, uncached, cache_read, cw5, cw1h, output)
            assert ours == expected, (model_id, tier, at, uncached, cache_read, cw5, cw1h, output)
    assert set(entry.periods[0].prices) <= set(COMPONENTS)


def test_long_context_cliff_and_price_change():
    # Cliff: 200,001 total input tokens put every token of the request on the tier price.
    assert call_cost("gemini-2.5-pro", date(2026, 8, 3), "standard", 200_000, 0, 0, 0, 10_000) == Decimal("0.35")
    assert call_cost("gemini-2.5-pro", date(2026, 8, 3), "standard", 200_001, 0, 0, 0, 10_000) == \
        Decimal("0.6500025")
    # gpt-5.6-sol: old price until 2026-08-20, new price from 2026-08-21.
    assert call_cost("gpt-5.6-sol", date(2026, 8, 20), "standard", 100_000, 0, 0, 0, 0) == Decimal("0.5")
    assert call_cost("gpt-5.6-sol", date(2026, 8, 21), "standard", 100_000, 0, 0, 0, 0) == Decimal("0.4")


def _peak_rss_kb(out: Path, spans: int) -> int:
    code = (
        "import resource, sys, datetime, pathlib\n"
        "from ai_finops.generate.cli import generate\n"
        f"generate(pathlib.Path({str(out)!r}), {spans}, 3, datetime.date(2026, 8, 1), 42, billing=False)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return int(result.stdout.strip().splitlines()[-1])


def test_memory_stays_bounded(tmp_path):
    small = _peak_rss_kb(tmp_path / "small", 20_000)
    large = _peak_rss_kb(tmp_path / "large", 200_000)
    assert large - small < 20_000, (small, large)  # < 20 MB growth for 10x the spans


def test_wrapper_spans_wrap_what_they_claim(dataset):
    """Outer SDK spans and agent spans carry the sum of their calls' usage; framework wrappers wrap one call."""
    truth = {}
    for row in _read(dataset / "ground_truth" / "spans.csv"):
        truth.setdefault((row["trace_id"], row["span_id"]), row)
    calls = {(r["trace_id"], r["span_id"]): r for r in _read(dataset / "ground_truth" / "calls.csv")}
    spans, children = {}, defaultdict(list)
    for _, _, span, attributes, _, _ in _spans(dataset):
        key = (span["traceId"], span["spanId"])
        if key in spans:
            continue  # re-delivery
        spans[key] = (span, attributes)
        children[(span["traceId"], span.get("parentSpanId"))].append(key)

    def input_total(call):
        return sum(int(call[c] or 0) for c in ("input_uncached_tokens", "cache_read_tokens", "cache_write_5m_tokens",
                                               "cache_write_1h_tokens"))

    checked = defaultdict(int)
    for key, row in truth.items():
        if row["expected_disposition"] != "wrapper":
            continue
        span, attributes = spans[key]
        kids = children[key]
        billable = [calls[k] for k in kids if k in calls]
        if row["reason"] == "sdk_outer_span":
            assert all(spans[k][0]["name"].startswith(span["name"] + ".do") for k in kids
                       if spans[k][0]["name"] != "ai.toolCall")
            reported = attributes.get("ai.usage.inputTokens", attributes.get("ai.usage.promptTokens"))
            assert reported == sum(input_total(c) for c in billable)
        elif row["reason"] == "agent_aggregate":
            assert attributes["gen_ai.usage.input_tokens"] == sum(input_total(c) for c in billable)
            assert attributes["gen_ai.usage.output_tokens"] == sum(int(c["output_tokens"] or 0) for c in billable)
        else:
            assert row["reason"] == "framework_wrapper"
            assert len(kids) == 1 and len(billable) == 1
        checked[row["reason"]] += 1
    assert min(checked.values()) > 20 and len(checked) == 3
