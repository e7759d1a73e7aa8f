"""The generator's own list-price table, independent of the project's rate-card seeds and SQL.

Prices are USD per million tokens, typed from the providers' public list prices (as recorded by genai-prices 0.2.3;
`tests/python/test_generator.py` checks every entry against `genai_prices.calc_price`). Each model has one or more
effective-dated periods; a period holds the standard prices, an optional long-context tier (cliff: when the request's
total input tokens are strictly above `tier_threshold`, every token of the request is priced at the tier prices) and
explicit prices for service-tier variants (`batch`, `flex`, `priority`). A variant component that is not listed keeps
the standard price (as in genai-prices: e.g. OpenAI batch does not discount cached input for gpt-4o).

Components: `input` (uncached input), `cache_read`, `cache_write_5m`, `cache_write_1h`, `output` (reasoning included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

D = Decimal
COMPONENTS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output")
MTOK = D(1_000_000)
Q12 = D("0.000000000001")


@dataclass(frozen=True)
class Period:
    effective_from: date  # inclusive, UTC date; the first period's date is a floor (launch date where known)
    prices: dict[str, Decimal]
    tier_threshold: int | None = None
    tier_prices: dict[str, Decimal] = field(default_factory=dict)
    variants: dict[str, dict[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelPrices:
    model_id: str  # genai-prices 0.2.3 model id (canonical)
    genai_provider_id: str  # genai-prices provider whose entry the prices come from
    periods: tuple[Period, ...]


def _p(**kw: str) -> dict[str, Decimal]:
    return {k: D(v) for k, v in kw.items()}


_OPENAI_GPT4O = Period(
    date(2024, 8, 6),
    _p(input="2.5", cache_read="1.25", output="10"),
    variants={"batch": _p(input="1.25", output="5"), "priority": _p(input="4.25", cache_read="2.125", output="17")},
)

PRICE_TABLE: dict[str, ModelPrices] = {
    m.model_id: m
    for m in (
        ModelPrices("gpt-4o", "openai", (_OPENAI_GPT4O,)),
        ModelPrices("gpt-4o-mini", "openai", (Period(
            date(2024, 7, 18),
            _p(input="0.15", cache_read="0.075", output="0.6"),
            variants={"batch": _p(input="0.075", output="0.3"),
                      "priority": _p(input="0.25", cache_read="0.125", output="1")},
        ),)),
        ModelPrices("gpt-5", "openai", (Period(
            date(2025, 8, 7),
            _p(input="1.25", cache_read="0.125", output="10"),
            variants={"batch": _p(input="0.625", cache_read="0.0625", output="5"),
                      "flex": _p(input="0.625", cache_read="0.0625", output="5"),
                      "priority": _p(input="2.5", cache_read="0.25", output="20")},
        ),)),
        ModelPrices("gpt-5-mini", "openai", (Period(
            date(2025, 8, 7),
            _p(input="0.25", cache_read="0.025", output="2"),
            variants={"batch": _p(input="0.125", cache_read="0.0125", output="1"),
                      "flex": _p(input="0.125", cache_read="0.0125", output="1"),
                      "priority": _p(input="0.45", cache_read="0.045", output="3.6")},
        ),)),
        ModelPrices("o4-mini", "openai", (Period(
            date(2025, 4, 16),
            _p(input="1.1", cache_read="0.275", output="4.4"),
            variants={"batch": _p(input="0.55", output="2.2"),
                      "flex": _p(input="0.55", cache_read="0.138", output="2.2"),
                      "priority": _p(input="2", cache_read="0.5", output="8")},
        ),)),
        # Real price cut on 2026-08-21 (input 5 -> 4, output 30 -> 20); long-context cliff above 272k input tokens.
        ModelPrices("gpt-5.6-sol", "openai", (
            Period(date(2026, 1, 1), _p(input="5", cache_read="0.5", output="30"),
                   tier_threshold=272_000, tier_prices=_p(input="10", cache_read="1", output="45")),
            Period(date(2026, 8, 21), _p(input="4", cache_read="0.4", output="20"),
                   tier_threshold=272_000, tier_prices=_p(input="8", cache_read="0.8", output="30")),
        )),
        ModelPrices("text-embedding-3-small", "openai", (Period(date(2024, 1, 25), _p(input="0.02")),)),
        ModelPrices("claude-sonnet-4-5", "anthropic", (Period(
            date(2025, 9, 29),
            _p(input="3", cache_read="0.3", cache_write_5m="3.75", cache_write_1h="6", output="15"),
            tier_threshold=200_000,
            tier_prices=_p(input="6", cache_read="0.6", cache_write_5m="7.5", cache_write_1h="12", output="22.5"),
            variants={"batch": _p(input="1.5", cache_read="0.15", cache_write_5m="1.875", cache_write_1h="3",
                                  output="7.5")},
        ),)),
        ModelPrices("claude-haiku-4-5", "anthropic", (Period(
            date(2025, 10, 15),
            _p(input="1", cache_read="0.1", cache_write_5m="1.25", cache_write_1h="2", output="5"),
            variants={"batch": _p(input="0.5", cache_read="0.05", cache_write_5m="0.625", cache_write_1h="1",
                                  output="2.5")},
        ),)),
        ModelPrices("claude-opus-4-1", "anthropic", (Period(
            date(2025, 8, 5),
            _p(input="15", cache_read="1.5", cache_write_5m="18.75", cache_write_1h="30", output="75"),
        ),)),
        # Bedrock: regional (us./eu.) inference profiles are 1.1x the global price; no long-context tier on Bedrock.
        ModelPrices("regional.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws", (Period(
            date(2025, 9, 29),
            _p(input="3.3", cache_read="0.33", cache_write_5m="4.125", cache_write_1h="6.6", output="16.5"),
        ),)),
        ModelPrices("global.anthropic.claude-haiku-4-5-20251001-v1:0", "aws", (Period(
            date(2025, 10, 15),
            _p(input="1", cache_read="0.1", cache_write_5m="1.25", cache_write_1h="2", output="5"),
        ),)),
        ModelPrices("gemini-2.5-pro", "google", (Period(
            date(2025, 6, 17),
            _p(input="1.25", cache_read="0.125", output="10"),
            tier_threshold=200_000,
            tier_prices=_p(input="2.5", cache_read="0.25", output="15"),
            variants={"batch": _p(input="0.625", output="5")},
        ),)),
        ModelPrices("gemini-2.5-flash", "google", (Period(
            date(2025, 6, 17),
            _p(input="0.3", cache_read="0.03", output="2.5"),
            variants={"batch": _p(input="0.15", output="1.25")},
        ),)),
    )
}


def period_for(model_id: str, call_date: date, table: dict[str, ModelPrices] | None = None) -> Period:
    """The price period in force on call_date (the last one whose effective_from <= call_date)."""
    table = PRICE_TABLE if table is None else table
    if model_id not in table:
        raise ValueError(f"no price for {model_id}")
    chosen = None
    for period in table[model_id].periods:
        if period.effective_from <= call_date:
            chosen = period
    if chosen is None:
        raise ValueError(f"no price for {model_id} on {call_date}")
    return chosen


def unit_prices(
    model_id: str,
    call_date: date,
    service_tier: str,
    input_total_tokens: int,
    table: dict[str, ModelPrices] | None = None,
) -> dict[str, Decimal]:
    """Per-MTok prices that apply to one request (effective date, long-context cliff, service-tier variant).

    `table` defaults to PRICE_TABLE; a test fixture can bring its own hand-typed table of the same shape."""
    period = period_for(model_id, call_date, table)
    above = period.tier_threshold is not None and input_total_tokens > period.tier_threshold
    prices = dict(period.tier_prices if above else period.prices)
    if service_tier != "standard":
        if above:
            raise ValueError("the generator never prices a service-tier variant above the long-context threshold")
        if service_tier not in period.variants:
            raise ValueError(f"{model_id} has no {service_tier} price")
        prices.update(period.variants[service_tier])
    return prices


def call_cost(
    model_id: str,
    call_date: date,
    service_tier: str,
    input_uncached: int,
    cache_read: int,
    cache_write_5m: int,
    cache_write_1h: int,
    output: int,
) -> Decimal:
    """List cost in USD of one call, exact (Decimal), quantized to 12 decimals (exact for per-MTok prices)."""
    quantities = {
        "input": input_uncached,
        "cache_read": cache_read,
        "cache_write_5m": cache_write_5m,
        "cache_write_1h": cache_write_1h,
        "output": output,
    }
    total_input = input_uncached + cache_read + cache_write_5m + cache_write_1h
    prices = unit_prices(model_id, call_date, service_tier, total_input)
    amount = D(0)
    for component, quantity in quantities.items():
        if quantity:
            if component not in prices:
                raise ValueError(f"{model_id} has no {component} price")
            amount += quantity * prices[component]
    return (amount / MTOK).quantize(Q12)
