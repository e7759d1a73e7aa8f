"""`ai-finops generate --scenario optimize`: a small, controlled dataset with known savings opportunities.

The default dataset is realistic and noisy, so it has no single right answer for "where can we save". This scenario
writes clean traffic (one convention, `otel_genai_latest`; standard tier; usage always reported) in which only the
injected cases are opportunities, and writes their truth, computed from the generator's own price table
(`prices.py`), never from the project's seeds:

| feature | injected case |
|---|---|
| meeting_notes | uncached repeated long prefix (`PREFIX_TOKENS`) on claude-sonnet-4-5 (cache-capable), calls bunched in one hour a day (`ACTIVE_SECONDS`) so a 5-minute cache would be hit → prompt_caching |
| code_review | claude-opus-4-1 with short outputs; cheaper same-family sibling claude-sonnet-4-5 → model_routing |
| support_copilot | retry storm: every logical call fails twice (HTTP 500, usage reported) before it succeeds → retry_waste |
| ticket_triage | a dev environment left running at about production volume → non_production; non-interactive traffic at the standard tier → batch_eligible (production and dev) |
| code_review (customer) | all its production calls come from one Starter account: over the AI quota, below target margin |
| email_writer | a spend spike: `SPIKE_FACTOR` x the usual calls on `SPIKE_DATE` → feature and model anomaly (driver: calls); its system prompt grows by `BLOAT_EXTRA_TOKENS` input tokens from `BLOAT_START_DATE` (the recent window) → prompt_bloat |
| code_review (outage) | no call at all on `DROP_DATE` → drop anomaly of the feature, its only customer and its only model (driver: calls) |
| one Business/Enterprise customer | `CUSTOMER_SPIKE_CALLS` extra calls on `CUSTOMER_SPIKE_DATE`, spread over features so that no feature or model moves by the dbt var anomaly_min_jump_usd ($1) → customer-only spike (driver: calls) |
| knowledge_search | clean baseline (cache reads present, 10 % staging traffic): no opportunity |
| doc_summarizer | clean baseline on Bedrock, Gemini API and Azure (so every billing export exists): no opportunity |

Truth definitions (the dbt marts must find the same within 5 %; see docs/optimize.md):
- evaluation window: the last `LOOKBACK_DAYS` days of data; monthly = window amount x `DAYS_PER_MONTH` / window days;
- prompt_caching: every window call reads `PREFIX_TOKENS` from the cache, except the cache writes - the group's first
  window call and every call more than `CACHE_TTL` after the previous one - which pay the write premium instead:
  hits x `PREFIX_TOKENS` x (input price - cache-read price) - writes x `PREFIX_TOKENS` x (5m cache-write price -
  input price);
- prompt_bloat: (recent input tokens per call - baseline input tokens per call) x recent calls x input price, the recent
  window being the last `BLOAT_RECENT_DAYS` days and the baseline the `BLOAT_BASELINE_DAYS` days before; monthly =
  x `DAYS_PER_MONTH` / `BLOAT_RECENT_DAYS`;
- model_routing: window cost on the current model - the same tokens priced on the sibling;
- retry_waste: window cost of the failed attempts;
- batch_eligible: window cost of a non-interactive feature's calls - the same calls at the batch tier, per environment;
- non_production: window non-production cost - `NONPROD_ALLOWED_SHARE` x window production cost of the feature;
- anomalies (`ground_truth/anomalies.csv`): the injected ones by construction, each with its jump computed from the
  calls (the day's list cost - the mean of the `ANOMALY_BASELINE_DAYS` days before, days without calls counting as 0);
- budgets (`BUDGETS`, the same rows as `seeds/governance/budgets.csv`): burn to date, run-rate forecast to period end
  (burn / elapsed days x period days), status `over` (burn > budget), `at_risk` (forecast > budget), else `ok`.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from ai_finops.generate import business, otlp
from ai_finops.generate.catalog import DEPLOYMENTS, FEATURES
from ai_finops.generate.otlp import a_const, a_int, a_str
from ai_finops.generate.prices import MTOK, call_cost, period_for

START = date(2026, 9, 1)
DAYS = 20
LOOKBACK_DAYS = 14  # dbt var savings_lookback_days
DAYS_PER_MONTH = 30  # dbt var savings_days_per_month
NONPROD_ALLOWED_SHARE = Decimal("0.25")  # dbt var savings_nonprod_max_share_of_production
PREFIX_TOKENS = 10_000
CACHE_TTL = timedelta(minutes=5)  # dbt var savings_caching_cache_ttl (5m)
# feature -> (first second of the day, length in seconds) of the hour its calls start in (default: the whole day)
ACTIVE_SECONDS = {"meeting_notes": (9 * 3600, 3600)}
BLOAT_FEATURE = "email_writer"
BLOAT_EXTRA_TOKENS = 2_000  # the system prompt grew: every call from BLOAT_START_DATE carries this much more input
BLOAT_RECENT_DAYS = 7  # dbt var savings_bloat_recent_days
BLOAT_BASELINE_DAYS = 7  # dbt var savings_bloat_baseline_days
BLOAT_START_DATE = START + timedelta(days=DAYS - BLOAT_RECENT_DAYS)
ANOMALY_BASELINE_DAYS = 7  # dbt var anomaly_baseline_days
SPIKE_DATE = date(2026, 9, 15)
SPIKE_FACTOR = 5
DROP_DATE = date(2026, 9, 10)  # outage: the code_review integration makes no call at all that day
DROP_FEATURE = "code_review"
CUSTOMER_SPIKE_DATE = date(2026, 9, 18)
# extra calls of one customer that day; each feature's and each model's share stays below anomaly_min_jump_usd
CUSTOMER_SPIKE_CALLS = {"meeting_notes": 18, "support_copilot": 30, "ticket_triage": 100}
Q12 = Decimal("0.000000000001")

# feature_id -> (deployment key, calls per day, input range, output range, cached share of input, injected kind)
PLAN = {
    "knowledge_search": ("openai/gpt-4o-mini", 40, (1500, 3000), (100, 400), True, ""),
    # one small baseline feature on the other providers, so every billing export exists
    "doc_summarizer": (("bedrock/claude-haiku-4-5", "gemini/gemini-2.5-flash", "azure/gpt-5-mini"), 12, (1500, 3000),
                       (100, 400), True, ""),
    "email_writer": ("anthropic/claude-sonnet-4-5", 40, (500, 2500), (150, 600), False, "prompt_bloat"),
    "meeting_notes": ("anthropic/claude-sonnet-4-5", 30, (PREFIX_TOKENS + 100, PREFIX_TOKENS + 1500), (300, 800),
                      False, "prompt_caching"),
    "code_review": ("anthropic/claude-opus-4-1", 20, (2000, 6000), (200, 600), False, "model_routing"),
    "support_copilot": ("anthropic/claude-haiku-4-5", 40, (1500, 3000), (100, 300), False, "retry_waste"),
    "ticket_triage": ("anthropic/claude-haiku-4-5", 80, (2000, 4000), (40, 200), False, "non_production"),
}
ROUTING_SIBLING = {"claude-opus-4-1": "claude-sonnet-4-5"}
STAGING_SHARE = {"knowledge_search": 0.10}  # harmless non-production traffic (below the allowed share)
DEV_LEFT_RUNNING = {"ticket_triage": 1.0}  # dev calls per production call
RETRY_FAILURES = {"support_copilot": 2}
# every production call of this feature comes from one Starter customer, who overruns the plan's AI quota and margin
HEAVY_CUSTOMER_FEATURE = "code_review"  # failed attempts (with usage) before the successful one

# (budget_id, scope_type, scope_id, period_start_date, period_end_date, budget_usd); the same rows as the seed.
BUDGETS = (
    ("bud_team_support_ai_2026_09", "team", "team_support_ai", date(2026, 9, 1), date(2026, 9, 30), Decimal("8.00")),
    ("bud_team_knowledge_2026_09", "team", "team_knowledge", date(2026, 9, 1), date(2026, 9, 30), Decimal("100.00")),
    ("bud_feature_code_review_2026_09", "feature", "code_review", date(2026, 9, 1), date(2026, 9, 30),
     Decimal("40.00")),
    ("bud_feature_ticket_triage_2026_09", "feature", "ticket_triage", date(2026, 9, 1), date(2026, 9, 30),
     Decimal("30.00")),
)

SPANS_HEADER = "trace_id,span_id,occurrence,expected_disposition,reason,duplicate_of_span_id,convention\n"
CALLS_HEADER = (
    "trace_id,span_id,task_id,called_at,call_date,provider,model_id,raw_model,service_tier,environment,customer_id,"
    "feature_id,team_id,usage_status,input_uncached_tokens,cache_read_tokens,cache_write_5m_tokens,"
    "cache_write_1h_tokens,output_tokens,reasoning_tokens,is_retry,is_fallback,list_cost_usd,billing_account_id,"
    "sub_account_id,region\n"
)
SCOPE = {"openai": otlp.scope_json("opentelemetry.instrumentation.openai_v2", "2.4b0"),
         "azure.ai.openai": otlp.scope_json("opentelemetry.instrumentation.openai_v2", "2.4b0"),
         "anthropic": otlp.scope_json("opentelemetry.instrumentation.genai.anthropic", "1.3b0"),
         "aws.bedrock": otlp.scope_json("opentelemetry.instrumentation.botocore", "0.59b0"),
         "gcp.gemini": otlp.scope_json("opentelemetry.instrumentation.google_genai", "1.3b0")}
HTTP_SCOPE = otlp.scope_json("opentelemetry.instrumentation.fastapi", "0.48b0")


def _money(value: Decimal) -> str:
    return f"{value.quantize(Q12):.12f}"


class _Calls:
    """Generated call rows (dicts) plus the OTLP writer."""

    def __init__(self, out_dir: Path, seed: int, provider_accounts):
        self.billing = {(p, e): (b, s) for p, e, b, s in provider_accounts}
        self.rng = random.Random(f"optimize-{seed}")
        self.writer = otlp.RotatingSpanWriter(out_dir / "otlp")
        self.rows: list[dict] = []
        self.tasks: list[str] = []
        self.spans: list[str] = []
        self.resources: dict[tuple[str, str], str] = {}

    def resource(self, service: str, environment: str) -> str:
        key = (service, environment)
        if key not in self.resources:
            self.resources[key] = otlp.resource_json([
                a_const("service.name", service), a_const("deployment.environment.name", environment),
                a_const("telemetry.sdk.language", "python")])
        return self.resources[key]

    def task(self, feature, environment: str, customer_id: str, day: date, failures: int) -> None:
        rng = self.rng
        deployment_key, _, (in_low, in_high), (out_low, out_high), cached, _ = PLAN[feature.feature_id]
        if isinstance(deployment_key, tuple):  # rotate over the feature's deployments
            deployment_key = deployment_key[len(self.tasks) % len(deployment_key)]
        deployment = DEPLOYMENTS[deployment_key]
        trace_id = "%032x" % rng.getrandbits(128)
        root_id = "%016x" % rng.getrandbits(64)
        first_second, seconds = ACTIVE_SECONDS.get(feature.feature_id, (0, 80_000))
        start_us = (int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
                    + first_second + rng.randrange(seconds)) * 1_000_000
        cursor = start_us + 1_000
        total_in = rng.randint(in_low, in_high)
        if feature.feature_id == BLOAT_FEATURE and day >= BLOAT_START_DATE:
            total_in += BLOAT_EXTRA_TOKENS
        cache_read = (total_in * rng.randint(30, 80) // 100) // 128 * 128 if cached else 0
        output = rng.randint(out_low, out_high)
        usage = (total_in - cache_read, cache_read, 0, 0, output)
        call_spans = []
        task_cost = Decimal(0)
        for attempt in range(failures + 1):
            failed = attempt < failures
            span_id = "%016x" % rng.getrandbits(64)
            begin = cursor
            cursor += rng.randint(400_000, 3_000_000)
            attrs = [a_const("gen_ai.operation.name", deployment.operation),
                     a_const("gen_ai.provider.name", deployment.provider),
                     a_const("gen_ai.request.model", deployment.request_model),
                     a_const("server.address", deployment.server_address),
                     a_int("gen_ai.usage.input_tokens", total_in), a_int("gen_ai.usage.output_tokens", output)]
            if deployment.response_model:
                attrs.append(a_const("gen_ai.response.model", deployment.response_model))
            if deployment.cache:
                attrs.append(a_int("gen_ai.usage.cache_read.input_tokens", cache_read))
            if failed:
                attrs.append(a_const("error.type", "500"))
                status = '{"code":2,"message":"500 from %s"}' % deployment.server_address
            else:
                status = "{}"
            attrs.append(a_const("gen_ai.input.messages", json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": "PII-CONTENT-MARKER"}]}])))
            call_spans.append(otlp.span_json(trace_id, span_id, root_id, f"{deployment.operation} {deployment.request_model}", 3,
                                             "%d000" % begin, "%d000" % cursor, attrs, status))
            cost = call_cost(deployment.model_id, day, "standard", *usage[:4], output)
            task_cost += cost
            moment = datetime.fromtimestamp(begin // 1_000_000, timezone.utc)
            self.rows.append({
                "trace_id": trace_id, "span_id": span_id, "task_id": trace_id,
                "called_at": "%s.%06d" % (moment.strftime("%Y-%m-%d %H:%M:%S"), begin % 1_000_000),
                "call_date": day, "provider": deployment.provider, "model_id": deployment.model_id,
                "raw_model": deployment.response_model or deployment.request_model, "service_tier": "standard", "environment": environment,
                "customer_id": customer_id, "feature_id": feature.feature_id, "team_id": feature.team_id,
                "usage_status": "reported", "input_uncached_tokens": usage[0], "cache_read_tokens": usage[1],
                "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0, "output_tokens": output,
                "reasoning_tokens": 0, "is_retry": attempt > 0, "is_fallback": False, "list_cost_usd": cost,
                "is_error": failed,
                "billing_account_id": self.billing[(deployment.provider, environment)][0],
                "sub_account_id": self.billing[(deployment.provider, environment)][1], "region": deployment.region})
            self.spans.append(f"{trace_id},{span_id},1,billable_call,,,otel_genai_latest\n")
            cursor += rng.randint(5_000, 50_000)
        attrs = [a_const("http.request.method", "POST"), a_const("http.route", feature.route),
                 a_const("app.feature_id", feature.feature_id), a_const("app.team_id", feature.team_id),
                 a_const("app.task.outcome", "success"), a_int("http.response.status_code", 200)]
        if customer_id:
            attrs.append(a_const("app.customer_id", customer_id))
        attrs.append(a_str("user.id", f"{customer_id or 'emp'}-u{rng.randrange(20):03d}"))
        root = otlp.span_json(trace_id, root_id, None, f"POST {feature.route}", 2, "%d000" % start_us,
                              "%d000" % (cursor + 1_000), attrs, "{}")
        self.spans.insert(len(self.spans) - len(call_spans), f"{trace_id},{root_id},1,non_model,,,\n")
        line = otlp.request_line(self.resource(feature.service, environment),
                                 [(HTTP_SCOPE, [root]), (SCOPE[deployment.provider], call_spans)])
        self.writer.write(line, 1 + len(call_spans))
        self.tasks.append(",".join((trace_id, trace_id, feature.feature_id, customer_id, environment, "success",
                                    "1", str(failures + 1), _money(task_cost))) + "\n")


def generate_optimize(out_dir: Path, seed: int) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"business-{seed}")
    accounts = business.make_accounts(rng, START, DAYS)
    subscriptions = business.make_subscriptions(rng, accounts, START, DAYS)
    provider_accounts = business.make_provider_accounts(rng)
    from ai_finops.generate.cli import _FeatureRow

    app_counts = business.write_business_tables(out_dir / "app", accounts, subscriptions,
                                                [_FeatureRow(f, START) for f in FEATURES], provider_accounts)
    calls = _Calls(out_dir, seed, provider_accounts)
    features = {f.feature_id: f for f in FEATURES}
    window_end = START + timedelta(days=DAYS - 1)
    heavy = next(a.account_id for a in accounts if a.plan_id == "plan_starter" and a.usage_weight > 0
                 and business.is_active(a, START) and business.is_active(a, window_end))
    spiking = next(a.account_id for a in accounts if a.plan_id in ("plan_business", "plan_enterprise")
                   and a.usage_weight > 0 and business.is_active(a, START) and business.is_active(a, window_end))
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        customers = [a.account_id for a in accounts if a.usage_weight > 0 and business.is_active(a, day)
                     and a.account_id != heavy]
        for feature_id, (_, per_day, _, _, _, _) in PLAN.items():
            feature = features[feature_id]
            count = per_day * (SPIKE_FACTOR if (feature_id == "email_writer" and day == SPIKE_DATE) else 1)
            if feature_id == DROP_FEATURE and day == DROP_DATE:
                count = 0
            for _ in range(count):
                customer = heavy if feature_id == HEAVY_CUSTOMER_FEATURE else calls.rng.choice(customers)
                calls.task(feature, "production", customer, day,
                           RETRY_FAILURES.get(feature_id, 0))
            for _ in range(CUSTOMER_SPIKE_CALLS.get(feature_id, 0) if day == CUSTOMER_SPIKE_DATE else 0):
                calls.task(feature, "production", spiking, day, RETRY_FAILURES.get(feature_id, 0))
            for environment, share in (("staging", STAGING_SHARE.get(feature_id, 0)),
                                       ("dev", DEV_LEFT_RUNNING.get(feature_id, 0))):
                for _ in range(round(per_day * share)):
                    calls.task(feature, environment, "", day, 0)
    calls.writer.close()
    gt = out_dir / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    _write_calls(gt, calls)
    truth = {
        "opportunities.csv": _opportunities(gt, calls.rows),
        "anomalies.csv": _anomalies(gt, calls.rows, heavy, spiking),
        "budget_status.csv": _budget_status(gt, calls.rows),
        "budgets.csv": _budgets(gt),
        "customer_quota.csv": _customer_quota(gt, calls.rows, subscriptions),
    }
    from ai_finops.generate.billing import write_billing_exports

    billing_files = list(write_billing_exports(out_dir, seed) or [])
    manifest = {
        "generator": "ai_finops.generate", "scenario": "optimize", "seed": seed,
        "window": {"start": START.isoformat(), "days": DAYS,
                   "end_exclusive": (START + timedelta(days=DAYS)).isoformat()},
        "spans_written": sum(f[2] for f in calls.writer.files), "tasks": len(calls.tasks),
        "billable_calls": len(calls.rows), "billing": True,
        "files": {**{p.relative_to(out_dir).as_posix(): {"lines": n, "spans": s} for p, n, s in calls.writer.files},
                  **{f"app/{k}": {"rows": v} for k, v in app_counts.items()},
                  **{f"ground_truth/{k}": {"rows": v} for k, v in truth.items()},
                  **{Path(p).resolve().relative_to(out_dir.resolve()).as_posix(): {} for p in billing_files}},
    }
    with open(out_dir / "manifest.json", "w", encoding="utf-8", newline="\n") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    return manifest


def _write_calls(gt: Path, calls: _Calls) -> None:
    with open(gt / "calls.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write(CALLS_HEADER)
        for row in calls.rows:
            values = [row[c] for c in CALLS_HEADER.strip().split(",")]
            handle.write(",".join(_money(v) if isinstance(v, Decimal) else
                                  ("true" if v is True else "false" if v is False else str(v)) for v in values) + "\n")
    with open(gt / "tasks.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("task_id,trace_id,feature_id,customer_id,environment,outcome,calls,attempts,list_cost_usd\n")
        handle.writelines(calls.tasks)
    with open(gt / "spans.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write(SPANS_HEADER)
        handle.writelines(calls.spans)


def _window(rows: list[dict]) -> list[dict]:
    last = max(r["call_date"] for r in rows)
    first = last - timedelta(days=LOOKBACK_DAYS - 1)
    return [r for r in rows if r["call_date"] >= first]


def _cost_on(model_id: str, row: dict) -> Decimal:
    return call_cost(model_id, row["call_date"], "standard", row["input_uncached_tokens"], row["cache_read_tokens"],
                     0, 0, row["output_tokens"])


def _caching_savings(model_id: str, window_rows: list[dict]) -> Decimal:
    """Caching the prefix: the group's first window call and every call more than CACHE_TTL after the previous one
    write the cache (premium: write - input price); every other call reads it (saving: input - cache-read price)."""
    savings = Decimal(0)
    previous = None
    for row in sorted(window_rows, key=lambda r: r["called_at"]):
        called_at = datetime.strptime(row["called_at"], "%Y-%m-%d %H:%M:%S.%f")
        prices = period_for(model_id, row["call_date"]).prices
        if previous is None or called_at - previous > CACHE_TTL:
            savings -= PREFIX_TOKENS * (prices["cache_write_5m"] - prices["input"]) / MTOK
        else:
            savings += PREFIX_TOKENS * (prices["input"] - prices["cache_read"]) / MTOK
        previous = called_at
    return savings


def _bloat_savings(model_id: str, feature_rows: list[dict]) -> tuple[Decimal, Decimal]:
    """Window savings of prompt bloat and the factor that scales them to a month: the input tokens per call of the
    recent window above those of the baseline window before it, over the recent calls, at the input price."""
    last = max(r["call_date"] for r in feature_rows)
    recent_start = last - timedelta(days=BLOAT_RECENT_DAYS - 1)
    baseline_start = recent_start - timedelta(days=BLOAT_BASELINE_DAYS)
    recent = [r for r in feature_rows if r["call_date"] >= recent_start]
    baseline = [r for r in feature_rows if baseline_start <= r["call_date"] < recent_start]

    def input_tokens(row: dict) -> int:
        return row["input_uncached_tokens"] + row["cache_read_tokens"]

    baseline_per_call = Decimal(sum(input_tokens(r) for r in baseline)) / len(baseline)
    savings = sum(((input_tokens(r) - baseline_per_call) * period_for(model_id, r["call_date"]).prices["input"] / MTOK
                   for r in recent), Decimal(0))
    return savings, Decimal(DAYS_PER_MONTH) / Decimal(BLOAT_RECENT_DAYS)


def _opportunities(gt: Path, rows: list[dict]) -> int:
    window = _window(rows)
    monthly = Decimal(DAYS_PER_MONTH) / Decimal(LOOKBACK_DAYS)
    out = []
    features = {f.feature_id: f for f in FEATURES}
    for feature_id, (deployment_key, _, _, _, _, kind) in PLAN.items():
        if not kind:
            continue
        model_id = DEPLOYMENTS[deployment_key].model_id  # injected features use one deployment
        mine = [r for r in window if r["feature_id"] == feature_id]
        environment = "production"
        if kind == "prompt_caching":
            savings = _caching_savings(model_id, mine)
        elif kind == "prompt_bloat":
            savings, scale = _bloat_savings(model_id, [r for r in rows if r["feature_id"] == feature_id])
            out.append((kind, feature_id, features[feature_id].team_id, environment, model_id, savings * scale))
            continue
        elif kind == "model_routing":
            sibling = ROUTING_SIBLING[model_id]
            savings = sum((r["list_cost_usd"] - _cost_on(sibling, r) for r in mine), Decimal(0))
        elif kind == "retry_waste":
            savings = sum((r["list_cost_usd"] for r in mine if r["is_error"]), Decimal(0))
        else:  # non_production
            environment = "dev"
            production = sum((r["list_cost_usd"] for r in mine if r["environment"] == "production"), Decimal(0))
            dev = sum((r["list_cost_usd"] for r in mine if r["environment"] == "dev"), Decimal(0))
            savings = dev - NONPROD_ALLOWED_SHARE * production
        out.append((kind, feature_id, features[feature_id].team_id, environment, model_id, savings * monthly))
    # batch eligibility: the standard-tier calls of non-interactive features, per environment, at the batch tier
    for feature_id in PLAN:
        feature = features[feature_id]
        if feature.is_interactive:
            continue
        for environment in sorted({r["environment"] for r in window if r["feature_id"] == feature_id}):
            mine = [r for r in window if r["feature_id"] == feature_id and r["environment"] == environment]
            model_id = mine[0]["model_id"]
            savings = sum((r["list_cost_usd"] - call_cost(model_id, r["call_date"], "batch", r["input_uncached_tokens"],
                                                          r["cache_read_tokens"], 0, 0, r["output_tokens"])
                           for r in mine), Decimal(0))
            out.append(("batch_eligible", feature_id, feature.team_id, environment, model_id, savings * monthly))
    out.sort(key=lambda o: -o[5])
    with open(gt / "opportunities.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("rank,opportunity_kind,feature_id,team_id,environment,model_id,expected_monthly_savings_usd\n")
        for rank, o in enumerate(out, start=1):
            handle.write(f"{rank},{o[0]},{o[1]},{o[2]},{o[3]},{o[4]},{_money(o[5])}\n")
    return len(out)


def _anomalies(gt: Path, rows: list[dict], heavy: str, spiking: str) -> int:
    """The injected anomalies (by construction) with their jump from the calls: the day's list cost minus the mean
    daily cost of the ANOMALY_BASELINE_DAYS days before (a day without calls counts as 0)."""
    sonnet, opus = DEPLOYMENTS["anthropic/claude-sonnet-4-5"], DEPLOYMENTS["anthropic/claude-opus-4-1"]
    injected = (
        # the email_writer spike, also the largest move of its model that day
        (SPIKE_DATE, "feature", "email_writer", "spike"),
        (SPIKE_DATE, "model", f"{sonnet.provider}/{sonnet.model_id}", "spike"),
        # one customer's burst, spread thin over features and models
        (CUSTOMER_SPIKE_DATE, "customer", spiking, "spike"),
        # the code_review outage: the feature, its only customer and its only model fall to zero
        (DROP_DATE, "feature", DROP_FEATURE, "drop"),
        (DROP_DATE, "customer", heavy, "drop"),
        (DROP_DATE, "model", f"{opus.provider}/{opus.model_id}", "drop"),
    )

    def member(row: dict, dimension_type: str) -> str:
        return {"feature": row["feature_id"], "customer": row["customer_id"],
                "model": f"{row['provider']}/{row['model_id']}"}[dimension_type]

    with open(gt / "anomalies.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("spend_date,dimension_type,dimension_value,direction,main_driver,expected_jump_usd\n")
        for day, dimension_type, value, direction in injected:
            first = day - timedelta(days=ANOMALY_BASELINE_DAYS)
            mine = [r for r in rows if member(r, dimension_type) == value and first <= r["call_date"] <= day]
            today = sum((r["list_cost_usd"] for r in mine if r["call_date"] == day), Decimal(0))
            baseline = sum((r["list_cost_usd"] for r in mine if r["call_date"] < day), Decimal(0))
            jump = today - baseline / ANOMALY_BASELINE_DAYS
            handle.write(f"{day.isoformat()},{dimension_type},{value},{direction},calls,{_money(jump)}\n")
    return len(injected)


def _budgets(gt: Path) -> int:
    with open(gt / "budgets.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("budget_id,scope_type,scope_id,period_start_date,period_end_date,budget_usd\n")
        for b in BUDGETS:
            handle.write(f"{b[0]},{b[1]},{b[2]},{b[3].isoformat()},{b[4].isoformat()},{b[5]:.2f}\n")
    return len(BUDGETS)


def _budget_status(gt: Path, rows: list[dict]) -> int:
    as_of = max(r["call_date"] for r in rows)
    with open(gt / "budget_status.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("budget_id,burn_to_date_usd,forecast_usd,budget_usd,status\n")
        for budget_id, scope_type, scope_id, first, last, amount in BUDGETS:
            column = {"team": "team_id", "feature": "feature_id", "customer": "customer_id"}[scope_type]
            burn = sum((r["list_cost_usd"] for r in rows
                        if r[column] == scope_id and first <= r["call_date"] <= min(last, as_of)), Decimal(0))
            elapsed = (min(last, as_of) - first).days + 1
            forecast = burn / Decimal(elapsed) * Decimal((last - first).days + 1)
            status = "over" if burn > amount else ("at_risk" if forecast > amount else "ok")
            handle.write(f"{budget_id},{_money(burn)},{_money(forecast)},{amount:.2f},{status}\n")
    return len(BUDGETS)


def _customer_quota(gt: Path, rows: list[dict], subscriptions) -> int:
    """Per subscribed account in the window's month: AI list cost to date, month-end forecast, quota status and
    whether the forecast gross margin is below the plan's target (plans from business.PLANS)."""
    as_of = max(r["call_date"] for r in rows)
    month = as_of.replace(day=1)
    days_in_month = ((month + timedelta(days=32)).replace(day=1) - month).days
    elapsed = (as_of - month).days + 1
    cost: dict[str, Decimal] = {}
    for r in rows:
        if r["customer_id"] and r["call_date"] >= month:
            cost[r["customer_id"]] = cost.get(r["customer_id"], Decimal(0)) + r["list_cost_usd"]
    out = []
    for sub in subscriptions:
        if sub.revenue_month != month:
            continue
        plan = business.PLAN_BY_ID[sub.plan_id]
        to_date = cost.get(sub.account_id, Decimal(0))
        forecast = to_date * days_in_month / elapsed
        status = "over" if to_date > plan.included_ai_quota_usd else (
            "at_risk" if forecast > plan.included_ai_quota_usd else "ok")
        margin_pct = 100 * (sub.mrr_usd - forecast) / sub.mrr_usd if sub.mrr_usd else None
        below = margin_pct is not None and margin_pct < plan.target_gross_margin_pct
        out.append((sub.account_id, to_date, forecast, plan.included_ai_quota_usd, status, below))
    with open(gt / "customer_quota.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("account_id,ai_list_cost_to_date_usd,ai_list_cost_forecast_usd,included_ai_quota_usd,"
                     "quota_status,is_forecast_below_target_margin\n")
        for account_id, to_date, forecast, quota, status, below in sorted(out):
            handle.write(f"{account_id},{_money(to_date)},{_money(forecast)},{quota:.2f},{status},"
                         f"{'true' if below else 'false'}\n")
    return len(out)
