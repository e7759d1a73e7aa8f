"""Parity of the rate-card seeds with genai-prices 0.2.3, and the SQL pricing checked through dbt.

1. `test_parity_with_genai_prices`: for every model of `rate_card_models.csv` that genai-prices knows, on the first
   and last day of every price window and for every service tier the seeds price, randomized usages (uncached input,
   cache reads, 5m and 1h cache writes, output with reasoning, audio input, and both sides of every long-context
   threshold) are priced with the seed rules (`ratecard.price_usage`, the Python mirror of int_llm_cost_lines)
   and with `genai_prices` (`Model.calc_price`); they must agree to 1e-9 USD.
2. `test_dbt_sample_matches_genai_prices`: a sample of those calls (with realistic raw model strings) goes through
   the real dbt models on DuckDB (and PostgreSQL when AI_FINOPS_PG_DBNAME is set) in a temporary copy of the
   project whose `int_llm_calls` reads a fixture seed; every call's `list_cost_usd` must equal genai-prices.
3. `test_repricing_changes_only_the_changed_window`: in the same temporary project, one price row is split at a
   date with a new price, the project is rebuilt, and only the calls of that model on or after that date change
   cost (by exactly the hand-computed difference).

Deliberate differences with genai-prices (ALLOWLIST, each with its reason) are excluded from the comparison.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ai_finops import ratecard as rc

ROOT = rc.project_root()
SEEDS = rc.default_seed_dir()
CARD = rc.RateCard.load(SEEDS)
MODELS = rc.read_csv(SEEDS / "rate_card_models.csv")
TOLERANCE = Decimal("1e-9")
TODAY = dt.date(2026, 11, 30)

# Dates from which genai-prices 0.2.3 applies its service-tier variants ("verified on 2026-10-12/14").
VARIANT_VERIFIED_FROM = {"batch": dt.date(2026, 10, 14), "flex": dt.date(2026, 10, 12),
                         "priority": dt.date(2026, 10, 12)}

ALLOWLIST = {
    "tier_history": (
        "genai-prices 0.2.3 applies batch/flex/priority prices only from the date it verified them "
        "(VARIANT_VERIFIED_FROM) and prices earlier tier calls at the standard rate; the seeds apply the provider's "
        "published tier price from the start of the current standard price (the Batch API has been 50% off since "
        "launch). Non-standard tiers are compared only on dates on or after the variant date."
    ),
    "web_search_and_request_fees": (
        "int_llm_calls carries no web-search count; the seeds keep genai-prices' web_search prices but they are not "
        "exercised, so the parity usages contain no web searches."
    ),
    "unpriced_usage_types": (
        "genai-prices prices a usage type the model has no price for at zero (e.g. output tokens of an embedding "
        "model); the seeds leave the call unpriced with reason no_price_in_force. Embedding models get input-only "
        "usages."
    ),
    "azure_tiers": (
        "genai-prices ignores service-tier variants for Azure models borrowed from OpenAI; the seeds have no Azure "
        "tier rows either, so Azure batch/priority calls are reported as tier_fallback instead of guessed."
    ),
}

# Realistic raw model strings for the dbt sample (the rest use the canonical id, which has an exact alias).
RAW_MODEL_STRINGS = {
    ("openai", "gpt-4o"): "gpt-4o-2024-08-06",
    ("anthropic", "claude-sonnet-4-5"): "claude-sonnet-4-5-20250929",
    ("anthropic", "claude-opus-4-6"): "claude-opus-4-6",
    ("aws.bedrock", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0"):
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ("aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"):
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ("aws.bedrock", "amazon.nova-pro-v1:0"): "us.amazon.nova-pro-v1:0",
    ("gcp.gemini", "gemini-2.5-pro"): "models/gemini-2.5-pro",
    ("gcp.vertex_ai", "gemini-2.5-flash"): "gemini-2.5-flash",
    ("azure.ai.openai", "gpt-4o-mini"): "gpt-4o-mini-2024-07-18",
    ("mistral_ai", "mistral-large-2512"): "mistral-large-latest",
}


def referenced_models():
    for row in MODELS:
        if not row["reference_provider_id"]:
            continue
        _, model = rc.reference_model(row["reference_provider_id"], row["model_id"])
        if model is not None:
            yield row


def probe_points(provider: str, model_id: str):
    """(date, service_tier) pairs: first and last day of every price window, per tier the seeds price."""
    rows = [r for r in CARD.prices if r["provider"] == provider and r["model_id"] == model_id]
    points = set()
    for row in rows:
        if row["usage_type"] != "input" or row["tier_threshold_tokens"] != "0":
            continue
        start = rc.parse_date(row["valid_from"])
        end = (rc.parse_date(row["valid_to"]) or TODAY + dt.timedelta(days=1)) - dt.timedelta(days=1)
        tier = row["service_tier"]
        if tier != "standard":
            start = max(start, VARIANT_VERIFIED_FROM[tier])  # ALLOWLIST["tier_history"]
            if start > end:
                continue
        points.update({(start, tier), (end, tier)})
    return sorted(points)


def random_usages(rng: random.Random, thresholds: list[int]) -> list[dict[str, int]]:
    usages = []
    for _ in range(4):
        output = rng.randint(0, 20_000)
        usages.append({
            "input": rng.randint(0, 150_000),
            "cache_read": rng.choice([0, rng.randint(1, 120_000)]),
            "cache_write_5m": rng.choice([0, rng.randint(1, 30_000)]),
            "cache_write_1h": rng.choice([0, rng.randint(1, 30_000)]),
            "output": output,
            "reasoning": rng.randint(0, output),
        })
    input_only = rng.randint(1, 10_000)
    usages.append({"input": input_only, "input_audio": rng.randint(0, input_only), "output": rng.randint(0, 500)})
    for threshold in thresholds:
        for total in (threshold, threshold + 1, threshold + rng.randint(2, 300_000)):
            cache_read = rng.randint(0, total // 2)
            cache_write = rng.randint(0, (total - cache_read) // 4)
            usages.append({
                "input": total - cache_read - cache_write, "cache_read": cache_read,
                "cache_write_5m": cache_write, "output": rng.randint(1, 30_000),
            })
    return usages


def thresholds_of(provider: str, model_id: str) -> list[int]:
    return sorted({int(r["tier_threshold_tokens"]) for r in CARD.prices
                   if r["provider"] == provider and r["model_id"] == model_id} - {0})


def parity_cases():
    rng = random.Random(20261130)
    for row in referenced_models():
        provider, model_id = row["provider"], row["model_id"]
        for on, tier in probe_points(provider, model_id):
            if row["mode"] == "embedding":  # ALLOWLIST["unpriced_usage_types"]
                usages = [{"input": rng.randint(1, 2_000_000)} for _ in range(3)]
            else:
                usages = random_usages(rng, thresholds_of(provider, model_id))
            for usage in usages:
                yield row, on, tier, usage


def test_coverage_at_least_30_models_and_5_providers():
    models = {(row["provider"], row["model_id"]) for row in referenced_models()}
    providers = {provider for provider, _ in models}
    assert len(models) >= 30, models
    assert len(providers) >= 5, providers


def test_parity_with_genai_prices():
    failures, compared, usage_types_seen = [], 0, set()
    for row, on, tier, usage in parity_cases():
        ours, lines = rc.price_usage(CARD, row["provider"], row["model_id"], on, usage, tier)
        reference = rc.reference_price(row["reference_provider_id"], row["model_id"], on, usage, tier)
        compared += 1
        usage_types_seen.update(line["usage_type"] for line in lines)
        if abs(ours - reference) > TOLERANCE:
            failures.append(f"{row['provider']}/{row['model_id']} {on} {tier} {usage}: seeds {ours} "
                            f"genai-prices {reference}")
    assert not failures, f"{len(failures)} of {compared} differ:\n" + "\n".join(failures[:20])
    assert compared > 1000
    # Every token usage type with a price somewhere was exercised.
    assert {"input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "input_audio"} <= usage_types_seen


def test_parity_detects_a_wrong_price(tmp_path):
    """The comparison can fail: a seed price off by one cent per million tokens is caught."""
    broken = rc.RateCard(prices=[dict(r) for r in CARD.prices], usage_types=CARD.usage_types)
    target = next(r for r in broken.prices if r["model_id"] == "gpt-4o" and r["provider"] == "openai"
                  and r["usage_type"] == "output" and r["service_tier"] == "standard")
    target["price"] = str(Decimal(target["price"]) + Decimal("0.01"))
    usage = {"input": 1000, "output": 1_000_000}
    ours, _ = rc.price_usage(broken, "openai", "gpt-4o", TODAY, usage)
    reference = rc.reference_price("openai", "gpt-4o", TODAY, usage)
    assert abs(ours - reference) > TOLERANCE


def test_hand_computed_examples():
    """A few prices computed by hand from the providers' pages (independent of both implementations)."""
    # claude-sonnet-4-5, 150k uncached + 100k cache read = 250k > 200k: cliff, every token at the tier price.
    # 150_000 * 6 / 1e6 + 100_000 * 0.60 / 1e6 + 10_000 * 22.50 / 1e6 = 0.9 + 0.06 + 0.225
    ours, _ = rc.price_usage(CARD, "anthropic", "claude-sonnet-4-5", TODAY,
                             {"input": 150_000, "cache_read": 100_000, "output": 10_000})
    assert ours == Decimal("1.185")
    # o3 before and after the 2025-06-10 price cut ($10/$40 -> $2/$8), 1M in / 100k out.
    before, _ = rc.price_usage(CARD, "openai", "o3", dt.date(2025, 6, 9), {"input": 1_000_000, "output": 100_000})
    after, _ = rc.price_usage(CARD, "openai", "o3", dt.date(2025, 6, 10), {"input": 1_000_000, "output": 100_000})
    assert (before, after) == (Decimal("14"), Decimal("2.8"))


# ---------------------------------------------------------------------------------------------------------------
# the SQL itself, through dbt
# ---------------------------------------------------------------------------------------------------------------

CALL_COLUMNS = [
    "call_id", "called_at", "call_date", "provider", "pricing_model", "service_tier", "usage_status",
    "input_uncached_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
    "output_tokens", "reasoning_tokens", "input_audio_tokens", "expected_model_id", "expected_list_cost_usd",
]

FIXTURE_MODEL = """-- Test fixture: int_llm_calls read from the seed pricing_sample_calls (see test_rate_card_parity.py).
select
    call_id,
    call_id as trace_id,
    call_id as span_id,
    cast(null as varchar(64)) as parent_span_id,
    call_id as task_id,
    call_id as attempt_group_id,
    1 as attempt_number,
    false as is_retry,
    false as is_fallback,
    false as is_streaming,
    service_tier = 'batch' as is_batch,
    false as is_error,
    cast(called_at as timestamp) as called_at,
    cast(call_date as date) as call_date,
    cast(call_date as date) as trace_date,
    provider,
    pricing_model as request_model,
    pricing_model as response_model,
    pricing_model,
    'chat' as operation_name,
    service_tier,
    cast(null as varchar(64)) as region,
    cast(null as varchar(64)) as server_address,
    cast(null as varchar(64)) as service_name,
    'test' as environment,
    cast(null as varchar(64)) as customer_id,
    cast(null as varchar(64)) as user_id,
    cast(null as varchar(64)) as feature_id,
    cast(null as varchar(64)) as team_id,
    cast(null as varchar(64)) as session_id,
    cast(null as varchar(64)) as request_path,
    'fixture' as convention,
    usage_status,
    'cache_exclusive_corrected' as input_basis,
    cast(coalesce(input_uncached_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_5m_tokens, 0)
        + coalesce(cache_write_1h_tokens, 0) as bigint) as input_total_tokens,
    cast(input_uncached_tokens as bigint) as input_uncached_tokens,
    cast(cache_read_tokens as bigint) as cache_read_tokens,
    cast(cache_write_5m_tokens as bigint) as cache_write_5m_tokens,
    cast(cache_write_1h_tokens as bigint) as cache_write_1h_tokens,
    cast(output_tokens as bigint) as output_tokens,
    cast(reasoning_tokens as bigint) as reasoning_tokens,
    cast(input_audio_tokens as bigint) as input_audio_tokens,
    cast(null as bigint) as output_audio_tokens,
    cast(null as bigint) as input_image_tokens,
    cast(null as double precision) as latency_ms,
    cast(null as double precision) as time_to_first_token_ms,
    'ok' as status,
    cast(null as varchar(64)) as error_type
from {{ ref('pricing_sample_calls') }}
"""


def sample_calls(per_model: int = 2) -> list[dict[str, str]]:
    rng = random.Random(7)
    calls, by_model = [], {}
    for row, on, tier, usage in parity_cases():
        key = (row["provider"], row["model_id"])
        if by_model.get(key, 0) >= per_model and not (tier != "standard" and by_model.get(key + (tier,), 0) == 0):
            continue
        by_model[key] = by_model.get(key, 0) + 1
        by_model[key + (tier,)] = 1
        reference = rc.reference_price(row["reference_provider_id"], row["model_id"], on, usage, tier)
        calls.append({
            "call_id": f"c{len(calls):04d}",
            "called_at": f"{on.isoformat()} {rng.randint(0, 23):02d}:00:00",
            "call_date": on.isoformat(),
            "provider": row["provider"],
            "pricing_model": RAW_MODEL_STRINGS.get(key, row["model_id"]),
            "service_tier": tier,
            "usage_status": "reported",
            "input_uncached_tokens": usage.get("input", 0),
            "cache_read_tokens": usage.get("cache_read", 0),
            "cache_write_5m_tokens": usage.get("cache_write_5m", 0),
            "cache_write_1h_tokens": usage.get("cache_write_1h", 0),
            "output_tokens": usage.get("output", 0),
            "reasoning_tokens": usage.get("reasoning", ""),
            "input_audio_tokens": usage.get("input_audio", ""),
            "expected_model_id": row["model_id"],
            "expected_list_cost_usd": str(reference),
        })
    return calls


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def make_project(tmp_path: Path, calls: list[dict[str, str]]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("macros", "models", "seeds"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.copytree(ROOT / "tests" / "pricing", project / "tests" / "pricing")
    (project / "seeds" / "fixtures").mkdir()
    with (project / "seeds" / "fixtures" / "pricing_sample_calls.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CALL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(calls)
    (project / "seeds" / "fixtures" / "_fixtures__seeds.yml").write_text(
        "version: 2\nseeds:\n  - name: pricing_sample_calls\n    description: test fixture\n"
        "    config:\n      column_types: {call_id: varchar, called_at: varchar, call_date: varchar,"
        " pricing_model: varchar, expected_list_cost_usd: varchar}\n")
    (project / "models" / "intermediate" / "llm_calls" / "int_llm_calls.sql").write_text(FIXTURE_MODEL)
    return project


ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=[pytest.mark.postgres]),
]


@pytest.fixture
def engine_env(request, target) -> dict[str, str]:
    """The environment for the engine under test: PostgreSQL uses the suite's test database (the conftest
    `postgres_env` fixture creates it, and skips or, under CI=true, fails when no server is reachable)."""
    if target == "postgres":
        return request.getfixturevalue("postgres_env")
    return dict(os.environ)


class Warehouse:
    def __init__(self, project: Path, target: str, tmp_path: Path, env: dict[str, str] | None = None):
        self.project, self.target, self.tmp_path = project, target, tmp_path
        self.schema = f"pricing_test_{os.getpid()}_{abs(hash(str(tmp_path))) % 100000}"
        self.env = dict(env if env is not None else os.environ, DO_NOT_TRACK="1", AI_FINOPS_SCHEMA=self.schema,
                        AI_FINOPS_DUCKDB_PATH=str(tmp_path / "wh.duckdb"))

    def build(self):
        # Seeds, models and unit tests of the pricing lineage; the data tests run in the project's own dbt build.
        command = [dbt_executable(), "build", "--profiles-dir", ".", "--target", self.target,
                   "--select", "+int_llm_calls_unpriced", "--exclude", "test_type:data", "--target-path", str(self.tmp_path / "target"),
                   "--log-path", str(self.tmp_path / "logs")]
        result = subprocess.run(command, cwd=self.project, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-4000:]

    def query(self, sql: str):
        sql = sql.replace("{schema}", self.schema)
        if self.target == "duckdb":
            import duckdb
            with duckdb.connect(str(self.tmp_path / "wh.duckdb"), read_only=True) as connection:
                return connection.execute(sql).fetchall()
        import psycopg2
        from ai_finops.project import postgres_settings
        with psycopg2.connect(**postgres_settings(self.env)) as connection:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

    def drop(self):
        if self.target == "postgres":
            import psycopg2
            from ai_finops.project import postgres_settings
            connection = psycopg2.connect(**postgres_settings(self.env))
            connection.autocommit = True
            connection.cursor().execute(f"drop schema if exists {self.schema} cascade")
            connection.close()


@pytest.mark.slow
@pytest.mark.parametrize("target", ENGINES)
def test_dbt_sample_matches_genai_prices(tmp_path, target, engine_env):
    calls = sample_calls()
    warehouse = Warehouse(make_project(tmp_path, calls), target, tmp_path, engine_env)
    try:
        warehouse.build()
        rows = warehouse.query(
            "select priced.call_id, priced.model_id, priced.pricing_status, priced.unpriced_reason, "
            "priced.list_cost_usd, fixture.expected_model_id, fixture.expected_list_cost_usd "
            "from {schema}.int_llm_calls_priced as priced "
            "inner join {schema}.pricing_sample_calls as fixture on fixture.call_id = priced.call_id")
    finally:
        warehouse.drop()
    assert len(rows) == len(calls)
    problems = [row for row in rows
                if row[2] != "priced" or row[1] != row[5] or abs(Decimal(row[4]) - Decimal(row[6])) > TOLERANCE]
    assert not problems, problems[:10]
    assert len({row[5] for row in rows}) >= 30


@pytest.mark.slow
def test_repricing_changes_only_the_changed_window(tmp_path):
    """Split the open gpt-4o output price at 2026-11-15 with a new price; rebuild; only later gpt-4o calls move."""
    calls = sample_calls(per_model=1)
    split = dt.date(2026, 11, 15)
    for day, call_id in ((split - dt.timedelta(days=1), "before"), (split, "on"), (TODAY, "after")):
        calls.append({"call_id": f"gpt4o-{call_id}", "called_at": f"{day} 10:00:00", "call_date": day.isoformat(),
                      "provider": "openai", "pricing_model": "gpt-4o", "service_tier": "standard",
                      "usage_status": "reported", "input_uncached_tokens": 1000, "cache_read_tokens": 0,
                      "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0, "output_tokens": 200_000,
                      "reasoning_tokens": "", "input_audio_tokens": "", "expected_model_id": "gpt-4o",
                      "expected_list_cost_usd": ""})
    project = make_project(tmp_path, calls)
    warehouse = Warehouse(project, "duckdb", tmp_path)
    warehouse.build()
    query = "select call_id, list_cost_usd from {schema}.int_llm_calls_priced order by call_id"
    before = dict(warehouse.query(query))

    prices_path = project / "seeds" / "rate_cards" / "rate_card_prices.csv"
    rows = rc.read_csv(prices_path)
    old = next(r for r in rows if r["provider"] == "openai" and r["model_id"] == "gpt-4o"
               and r["usage_type"] == "output" and r["service_tier"] == "standard" and not r["valid_to"])
    old["valid_to"] = split.isoformat()
    rows.append(dict(old, price_id=old["price_id"] + "-v2", valid_from=split.isoformat(), valid_to="",
                     price="12", note="test: output price raised from 10 to 12"))
    with prices_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rc.PRICE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    warehouse.build()
    after = dict(warehouse.query(query))

    changed = {call_id: after[call_id] - before[call_id] for call_id in before if after[call_id] != before[call_id]}
    # 200_000 output tokens * (12 - 10) / 1e6 = 0.4 USD more, only for gpt-4o calls on or after the split date.
    expected = {"gpt4o-on": Decimal("0.4"), "gpt4o-after": Decimal("0.4")}
    expected.update({c["call_id"]: None for c in calls
                     if c["provider"] == "openai" and c["expected_model_id"] == "gpt-4o"
                     and c["call_date"] >= split.isoformat() and not c["call_id"].startswith("gpt4o-")
                     and int(c["output_tokens"] or 0) > 0})
    assert set(changed) == set(expected), changed
    assert all(changed[k] == v for k, v in expected.items() if v is not None)


# The generator's ground truth (every generated call priced at its list_cost_usd) is checked through the real
# pipeline in test_end_to_end.py::test_every_call_is_priced_as_the_ground_truth_says, on both engines.


# ---------------------------------------------------------------------------------------------------------------
# the seed validation tests fail on bad edits
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_seed_validation_catches_bad_edits(tmp_path):
    """Typical hand-editing mistakes make the named data tests fail (and the shipped seeds pass them)."""
    project = make_project(tmp_path, sample_calls(per_model=1)[:5])
    warehouse = Warehouse(project, "duckdb", tmp_path)
    checks = ["assert_rate_card_aliases_unambiguous", "assert_rate_card_chat_models_priced_today",
              "assert_rate_card_cache_prices_ordered", "assert_rate_card_price_jumps_plausible",
              "assert_rate_card_tier_rows_have_base_rows", "assert_rate_card_alias_examples_resolve"]

    def failing_tests() -> set[str]:
        base = ["--profiles-dir", ".", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
        for command in (["build", "--select", "path:seeds/rate_cards", "path:models/staging/rate_cards",
                         "--exclude", "test_type:data"], ["test", "--select", *checks]):
            subprocess.run([dbt_executable(), *command, *base], cwd=project, env=warehouse.env, capture_output=True)
        results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
        return {result["unique_id"].split(".")[2] for result in results if result["status"] in ("fail", "warn")}

    assert failing_tests() == set()

    seeds = project / "seeds" / "rate_cards"
    prices = rc.read_csv(seeds / "rate_card_prices.csv")
    aliases = rc.read_csv(seeds / "rate_card_model_aliases.csv")
    # 1. a second pattern at the same priority sends claude-sonnet-4-5 strings to another model: ambiguous (and the
    #    documented example claude-sonnet-4-5-20250929 no longer resolves)
    aliases.append(dict(next(a for a in aliases if a["raw_model_pattern"] == "^claude-sonnet-4[.-]5"),
                        alias_id="bad.1", raw_model_pattern="^claude-sonnet-4", model_id="claude-sonnet-4-0"))
    # 2. gpt-4o's output price row removed: a chat model without an output price today
    prices = [p for p in prices if not (p["provider"] == "openai" and p["model_id"] == "gpt-4o"
                                        and p["usage_type"] == "output" and p["service_tier"] == "standard")]
    # 3. a cache read dearer than input; 4. a per-token typo (x1000 jump) in a new version of a price
    for p in prices:
        if p["provider"] == "openai" and p["model_id"] == "gpt-4o-mini" and p["usage_type"] == "cache_read" \
                and p["service_tier"] == "standard":
            p["price"] = "0.9"
    typo = next(p for p in prices if p["provider"] == "anthropic" and p["model_id"] == "claude-haiku-4-5"
                and p["usage_type"] == "output" and p["service_tier"] == "standard")
    typo["valid_to"] = "2026-11-01"
    prices.append(dict(typo, price_id="bad.2", price="0.000005", valid_from="2026-11-01", valid_to="", note=""))
    # 5. a long-context tier row without its base row
    prices.append(dict(typo, price_id="bad.3", model_id="claude-opus-4-1", usage_type="input_audio",
                       tier_threshold_tokens="200000",
                       valid_from="2025-08-05", valid_to="", price="150"))
    rewrite_csv(seeds / "rate_card_prices.csv", prices, rc.PRICE_COLUMNS)
    rewrite_csv(seeds / "rate_card_model_aliases.csv", aliases, rc.ALIAS_COLUMNS)
    assert failing_tests() == set(checks)


def rewrite_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
