"""`ai-finops ratecard check|propose`: compare the rate-card seeds with genai-prices, or propose rows.

The rate cards under `seeds/rate_cards/` are the project's source of truth (finance edits them by hand).
genai-prices (offline, bundled data) is a well-kept public reference, used here to spot differences
(`check`) and to draft rows for a model the seeds lack (`propose`). Nothing here rewrites an existing row:
`propose --append` only adds rows whose key is not in the CSV yet.

The same module holds the Python mirror of the SQL pricing rules (`price_usage`), used by the parity test
to compare the seeds with `genai_prices` on randomized usages.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# OTel provider name (int_llm_calls.provider) -> genai-prices provider id.
REFERENCE_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "aws.bedrock": "aws",
    "gcp.vertex_ai": "google",
    "gcp.gemini": "google",
    "azure.ai.openai": "azure",
    "mistral_ai": "mistral",
}

# genai-prices price key -> (usage_type, unit, unit_quantity). Keys not listed are not representable in the seeds.
PRICE_KEYS = {
    "input_mtok": ("input", "token", 1_000_000),
    "cache_read_mtok": ("cache_read", "token", 1_000_000),
    "cache_write_mtok": ("cache_write_5m", "token", 1_000_000),
    "cache_write_5m_mtok": ("cache_write_5m", "token", 1_000_000),
    "cache_write_1h_mtok": ("cache_write_1h", "token", 1_000_000),
    "output_mtok": ("output", "token", 1_000_000),
    "output_reasoning_mtok": ("reasoning", "token", 1_000_000),
    "input_audio_mtok": ("input_audio", "token", 1_000_000),
    "output_audio_mtok": ("output_audio", "token", 1_000_000),
    "input_image_mtok": ("input_image", "token", 1_000_000),
    "web_searches_kcount": ("web_search", "search", 1_000),
    "requests_kcount": ("request", "request", 1_000),
}
USAGE_TYPE_TO_KEY = {usage_type: key for key, (usage_type, _, _) in PRICE_KEYS.items() if key != "cache_write_5m_mtok"}

# genai-prices variant `when` -> our service tier. `fast` duplicates `priority`; `default` is the standard price.
VARIANT_TIERS = {
    (("processing", "batch"),): "batch",
    (("service_tier", "flex"),): "flex",
    (("service_tier", "priority"),): "priority",
}
TIER_CONTEXT = {
    "standard": None,
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}

PRICE_COLUMNS = [
    "price_id", "provider", "model_id", "usage_type", "service_tier", "region_scope", "tier_threshold_tokens",
    "unit", "unit_quantity", "price", "currency", "valid_from", "valid_to", "source_url", "note",
]
PRICE_KEY_COLUMNS = ("provider", "model_id", "usage_type", "service_tier", "region_scope", "tier_threshold_tokens", "valid_from")
MODEL_COLUMNS = [
    "provider", "model_id", "reference_provider_id", "model_family", "mode", "context_window", "tier_rule", "note",
]
ALIAS_COLUMNS = [
    "alias_id", "provider", "match_type", "raw_model_pattern", "model_id", "region_scope", "priority",
    "valid_from", "valid_to", "note",
]

OPEN_END = dt.date(9999, 12, 31)


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def default_seed_dir() -> Path:
    return project_root() / "seeds" / "rate_cards"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# ---------------------------------------------------------------------------------------------------------------
# genai-prices access
# ---------------------------------------------------------------------------------------------------------------

def reference_model(reference_provider_id: str, model_id: str):
    """(provider, model) of genai-prices for a provider id and a model id, following the provider's fallbacks."""
    from genai_prices.data import providers

    by_id = {provider.id: provider for provider in providers}
    provider = by_id.get(reference_provider_id)
    if provider is None:
        return None, None
    for candidate in [provider] + [by_id[p] for p in (provider.fallback_model_providers or []) if p in by_id]:
        for model in candidate.models:
            if model.id == model_id:
                return provider, model
    return provider, None


def _flatten(value):
    """TieredPrices or Decimal -> [(threshold, price)]."""
    from genai_prices.types import TieredPrices

    if isinstance(value, TieredPrices):
        return [(0, value.base)] + [(tier.start, tier.price) for tier in value.tiers]
    return [(0, value)]


def _price_items(model_price):
    for key, value in model_price.__dict__.items():
        if value is None or key.startswith("_") or key not in PRICE_KEYS:
            continue
        yield key, value


def reference_blocks(model, first_valid_from: dt.date):
    """Standard price blocks of a genai-prices model as (valid_from, valid_to, ModelPrice)."""
    from genai_prices.types import ModelPrice, StartDateConstraint

    if isinstance(model.prices, ModelPrice):
        return [(first_valid_from, None, model.prices)]
    blocks = []
    for conditional in model.prices:
        constraint = conditional.constraint
        if constraint is None:
            start = first_valid_from
        elif isinstance(constraint, StartDateConstraint):
            start = constraint.start_date
        else:  # time-of-day prices are not representable in the seeds
            continue
        blocks.append([start, None, conditional.prices])
    blocks.sort(key=lambda block: block[0])
    for current, following in zip(blocks, blocks[1:]):
        current[1] = following[0]
    return [tuple(block) for block in blocks]


def propose_price_rows(provider: str, model_id: str, first_valid_from: dt.date, source_url: str, id_prefix: str):
    """Rows for the prices seed drafted from genai-prices: every standard block plus batch/flex/priority variants.

    Variants are proposed from the start of the last standard block (genai-prices only verified tier prices
    recently and keeps no tier history), which the user should check against the provider's page.
    """
    reference_provider_id = REFERENCE_PROVIDERS[provider]
    _, model = reference_model(reference_provider_id, model_id)
    if model is None:
        raise LookupError(f"genai-prices has no model {model_id!r} for provider {reference_provider_id!r}")
    rows = []
    blocks = reference_blocks(model, first_valid_from)
    keys_written = set()

    def add(usage_key, value, tier, valid_from, valid_to, note):
        usage_type, unit, unit_quantity = PRICE_KEYS[usage_key]
        for threshold, price in _flatten(value):
            key = (usage_type, tier, threshold, valid_from)
            if key in keys_written:
                continue
            keys_written.add(key)
            rows.append({
                "price_id": "", "provider": provider, "model_id": model_id, "usage_type": usage_type,
                "service_tier": tier, "region_scope": "*", "tier_threshold_tokens": str(threshold),
                "unit": unit, "unit_quantity": str(unit_quantity), "price": _fmt(price), "currency": "USD",
                "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else "",
                "source_url": source_url, "note": note,
            })

    for valid_from, valid_to, model_price in blocks:
        # A specific 5m key wins over the generic cache-write key.
        items = dict(_price_items(model_price))
        if "cache_write_5m_mtok" in items:
            items.pop("cache_write_mtok", None)
        for key, value in items.items():
            add(key, value, "standard", valid_from, valid_to, "")
    last_from = blocks[-1][0]
    reference_provider, _ = reference_model(reference_provider_id, model_id)
    # Like genai-prices, variants of a model borrowed from a fallback provider (Azure -> OpenAI) are not applied.
    own_model = any(candidate is model for candidate in reference_provider.models)
    for variant in (model.price_variants or []) if own_model else []:
        tier = VARIANT_TIERS.get(tuple(sorted(variant.when.items())))
        if tier is None:
            continue
        items = dict(_price_items(variant.prices))
        if "cache_write_5m_mtok" in items:
            items.pop("cache_write_mtok", None)
        for key, value in items.items():
            add(key, value, tier, last_from, None, f"{tier} tier; genai-prices verified it from its variant date")
    for index, row in enumerate(rows, start=1):
        row["price_id"] = f"{id_prefix}-{index:03d}"
    return rows


def _fmt(value: Decimal) -> str:
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# ---------------------------------------------------------------------------------------------------------------
# Python mirror of the SQL pricing rules (int_llm_cost_lines), used by the parity test
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class RateCard:
    prices: list[dict[str, str]]
    usage_types: dict[str, dict[str, str]]

    @classmethod
    def load(cls, seed_dir: Path | None = None) -> "RateCard":
        seed_dir = seed_dir or default_seed_dir()
        return cls(
            prices=read_csv(seed_dir / "rate_card_prices.csv"),
            usage_types={row["usage_type"]: row for row in read_csv(seed_dir / "rate_card_usage_types.csv")},
        )

    def rows_in_force(self, provider, model_id, on: dt.date):
        for row in self.prices:
            if row["provider"] != provider or row["model_id"] != model_id:
                continue
            valid_to = parse_date(row["valid_to"]) or OPEN_END
            if parse_date(row["valid_from"]) <= on < valid_to:
                yield row


def price_usage(card: RateCard, provider: str, model_id: str, on: dt.date, usage: dict[str, int],
                service_tier: str = "standard", region_scope: str = "*") -> tuple[Decimal, list[dict]]:
    """Price one call's token partition with the seed rules (same rules as int_llm_cost_lines).

    `usage` holds leaf-or-subset quantities by usage type (`input` = uncached input, `reasoning` within `output`,
    `input_audio`/`input_image` within `input`, `output_audio` within `output`).
    Returns (list cost USD, lines); raises LookupError when a non-zero quantity finds no price in force.
    """
    rows = list(card.rows_in_force(provider, model_id, on))
    total_input = sum(usage.get(u, 0) for u in ("input", "cache_read", "cache_write_5m", "cache_write_1h"))

    def best(usage_type):
        candidates = [
            r for r in rows
            if r["usage_type"] == usage_type
            and r["service_tier"] in (service_tier, "standard")
            and r["region_scope"] in (region_scope, "*")
            and (int(r["tier_threshold_tokens"]) == 0 or total_input > int(r["tier_threshold_tokens"]))
        ]
        candidates.sort(key=lambda r: (
            r["service_tier"] != service_tier, r["region_scope"] != region_scope, -int(r["tier_threshold_tokens"])))
        return candidates[0] if candidates else None

    # A usage type without its own price is billed as its parent (the chain in rate_card_usage_types).
    billed_as = {}
    for usage_type in card.usage_types:
        current, chain = usage_type, 0
        while current and best(current) is None:
            current = card.usage_types[current]["parent_usage_type"] or None
            chain += 1
        billed_as[usage_type] = (current, best(current) if current else None)

    quantities = dict(usage)
    # Subsets with their own price are taken out of their parent (leaf = parent - priced subsets); a subset
    # without its own price stays inside its parent and gets no line.
    for usage_type, quantity in usage.items():
        meta = card.usage_types[usage_type]
        if meta["is_subset_of_parent"] == "true":
            if billed_as[usage_type][0] == usage_type:
                quantities[meta["parent_usage_type"]] = quantities.get(meta["parent_usage_type"], 0) - quantity
            else:
                quantities.pop(usage_type)
    lines, total = [], Decimal(0)
    for usage_type, quantity in quantities.items():
        if not quantity:
            continue
        if quantity < 0:
            raise ValueError(f"subset larger than its parent for {usage_type}")
        target, row = billed_as[usage_type]
        if row is None:
            raise LookupError(f"no price in force for {provider}/{model_id} {usage_type} on {on}")
        cost = Decimal(quantity) * Decimal(row["price"]) / Decimal(row["unit_quantity"])
        total += cost
        lines.append({"usage_type": usage_type, "price_id": row["price_id"], "quantity": quantity, "cost": cost})
    return total, lines


def reference_price(reference_provider_id: str, model_id: str, on: dt.date, usage: dict[str, int],
                    service_tier: str = "standard") -> Decimal:
    """genai_prices' own price for the same usage (its hierarchical usage: totals including subsets)."""
    from genai_prices import Usage

    provider, model = reference_model(reference_provider_id, model_id)
    cache_write = usage.get("cache_write_5m", 0) + usage.get("cache_write_1h", 0)
    total_input = usage.get("input", 0) + usage.get("cache_read", 0) + cache_write
    kwargs = dict(
        input_tokens=total_input,
        cache_read_tokens=usage.get("cache_read", 0),
        cache_write_tokens=cache_write,
        output_tokens=usage.get("output", 0),
    )
    if usage.get("cache_write_1h"):
        kwargs["cache_write_1h_tokens"] = usage["cache_write_1h"]
        kwargs["cache_write_5m_tokens"] = usage.get("cache_write_5m", 0)
    if usage.get("reasoning"):
        kwargs["output_reasoning_tokens"] = usage["reasoning"]
    if usage.get("input_audio"):
        kwargs["input_audio_tokens"] = usage["input_audio"]
    timestamp = dt.datetime.combine(on, dt.time(12), tzinfo=dt.timezone.utc)
    result = model.calc_price(Usage(**kwargs), provider, genai_request_timestamp=timestamp,
                              price_context=TIER_CONTEXT[service_tier])
    return result.total_price


# ---------------------------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------------------------

def check(seed_dir: Path, on: dt.date | None = None) -> list[dict[str, str]]:
    """Differences between the seeds and genai-prices. One dict per difference (kind, key, ours, reference)."""
    models = read_csv(seed_dir / "rate_card_models.csv")
    prices = read_csv(seed_dir / "rate_card_prices.csv")
    differences = []
    for model_row in models:
        provider, model_id = model_row["provider"], model_row["model_id"]
        reference_provider_id = model_row["reference_provider_id"]
        if not reference_provider_id:
            continue
        _, model = reference_model(reference_provider_id, model_id)
        if model is None:
            differences.append(_diff("model_unknown_to_reference", provider, model_id, "", "", ""))
            continue
        ours = [r for r in prices if r["provider"] == provider and r["model_id"] == model_id]
        for row in ours:
            key = PRICE_KEYS_BY_USAGE.get(row["usage_type"])
            if key is None:
                continue
            valid_from = parse_date(row["valid_from"])
            valid_to = parse_date(row["valid_to"]) or OPEN_END
            probe = valid_from
            if row["service_tier"] != "standard":
                # genai-prices only knows tier prices from its variant dates: compare at the latest date in the window.
                probe = min(valid_to - dt.timedelta(days=1), dt.date.today())
            if not (valid_from <= probe < valid_to):
                continue
            reference = _reference_value(model, probe, row)
            if reference is None:
                differences.append(_diff("missing_in_reference", provider, model_id, _label(row, probe),
                                         row["price"], ""))
            elif Decimal(row["price"]) != reference:
                differences.append(_diff("price_differs", provider, model_id, _label(row, probe),
                                         row["price"], _fmt(reference)))
        # Keys genai-prices prices today that our seeds lack.
        today = on or dt.date.today()
        price_now = model.get_prices(dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc))
        ours_today = {r["usage_type"] for r in ours if r["service_tier"] == "standard"
                      and parse_date(r["valid_from"]) <= today < (parse_date(r["valid_to"]) or OPEN_END)}
        for key, _ in _price_items(price_now):
            usage_type = PRICE_KEYS[key][0]
            if usage_type not in ours_today:
                differences.append(_diff("missing_in_seed", provider, model_id, f"{usage_type} standard {today}",
                                         "", key))
    return differences


PRICE_KEYS_BY_USAGE = USAGE_TYPE_TO_KEY


def _reference_value(model, probe: dt.date, row) -> Decimal | None:
    timestamp = dt.datetime.combine(probe, dt.time(12), tzinfo=dt.timezone.utc)
    prices = model.get_prices(timestamp, TIER_CONTEXT[row["service_tier"]])
    usage_type = row["usage_type"]
    value = getattr(prices, USAGE_TYPE_TO_KEY[usage_type], None)
    if usage_type == "cache_write_5m":
        value = getattr(prices, "cache_write_5m_mtok", None) or value
    if value is None:
        return None
    threshold = int(row["tier_threshold_tokens"])
    matches = [price for start, price in _flatten(value) if start == threshold]
    return Decimal(matches[0]) if matches else None


def _label(row, probe):
    return (f"{row['price_id']} {row['usage_type']} {row['service_tier']} tier>{row['tier_threshold_tokens']} "
            f"on {probe}")


def _diff(kind, provider, model_id, what, ours, reference):
    return {"kind": kind, "provider": provider, "model_id": model_id, "what": what, "ours": ours,
            "reference": reference}


# ---------------------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="ratecard_command", required=True)
    check_parser = sub.add_parser("check", help="list differences between the seeds and genai-prices")
    check_parser.add_argument("--seed-dir", type=Path, default=None, help="folder of the rate-card CSVs")
    check_parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                              help="also compare standard prices in force on this date (YYYY-MM-DD)")
    check_parser.add_argument("--fail-on-diff", action="store_true", help="exit 1 when there is any difference")
    propose_parser = sub.add_parser("propose", help="print seed rows for a model the CSV lacks")
    propose_parser.add_argument("--provider", required=True, choices=sorted(REFERENCE_PROVIDERS))
    propose_parser.add_argument("--model", required=True, help="genai-prices model id")
    propose_parser.add_argument("--valid-from", type=dt.date.fromisoformat, required=True,
                                help="date the first price row is valid from (the model's launch date)")
    propose_parser.add_argument("--source-url", default="", help="provider pricing page for the source_url column")
    propose_parser.add_argument("--seed-dir", type=Path, default=None)
    propose_parser.add_argument("--append", action="store_true",
                                help="append the rows whose key is not in the CSV yet (never changes existing rows)")


def run(args: argparse.Namespace) -> int:
    seed_dir = args.seed_dir or default_seed_dir()
    if args.ratecard_command == "check":
        differences = check(seed_dir, args.on)
        writer = csv.DictWriter(sys.stdout, fieldnames=["kind", "provider", "model_id", "what", "ours", "reference"])
        writer.writeheader()
        writer.writerows(differences)
        print(f"# {len(differences)} difference(s)", file=sys.stderr)
        return 1 if differences and args.fail_on_diff else 0
    return _propose(args, seed_dir)


def _propose(args, seed_dir: Path) -> int:
    prices_path = seed_dir / "rate_card_prices.csv"
    existing = read_csv(prices_path) if prices_path.exists() else []
    prefix = f"{args.provider.replace('.', '-')}-{args.model}".replace(":", "-").replace("/", "-")
    try:
        rows = propose_price_rows(args.provider, args.model, args.valid_from, args.source_url, prefix)
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    existing_keys = {tuple(row[c] for c in PRICE_KEY_COLUMNS) for row in existing}
    existing_ids = {row["price_id"] for row in existing}
    new_rows = [row for row in rows if tuple(row[c] for c in PRICE_KEY_COLUMNS) not in existing_keys]
    for row in new_rows:
        base, n = row["price_id"], 1
        while row["price_id"] in existing_ids:
            n += 1
            row["price_id"] = f"{base}-{n}"
    skipped = len(rows) - len(new_rows)
    if args.append:
        with prices_path.open("a", newline="", encoding="utf-8") as handle:
            csv.DictWriter(handle, fieldnames=PRICE_COLUMNS, lineterminator="\n").writerows(new_rows)
        print(f"# appended {len(new_rows)} row(s) to {prices_path}; {skipped} already present (left untouched)",
              file=sys.stderr)
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=PRICE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(new_rows)
        print(f"# {len(new_rows)} proposed row(s); {skipped} already present in {prices_path.name}", file=sys.stderr)
        print("# also add a row to rate_card_models.csv and rate_card_model_aliases.csv for this model",
              file=sys.stderr)
    return 0
