"""Provider billing exports consistent with the generated traffic, plus the billing ground truth.

`write_billing_exports(out_dir, seed)` reads `out_dir/ground_truth/calls.csv` (streamed once) and
`out_dir/app/provider_accounts.csv`, aggregates usage per UTC day x provider x billing account x sub-account x region x
model x service tier x token type, and writes each provider's export in its own format under `out_dir/billing/`:

| provider        | files                                                                  | format |
|-----------------|------------------------------------------------------------------------|--------|
| openai          | `openai/costs_<org>.jsonl`, `openai/usage_completions_<org>.jsonl`     | Admin API pages, one page object per line (limit 7 buckets) |
| anthropic       | `anthropic/cost_report_<org>.jsonl`, `anthropic/usage_messages_<org>.jsonl` | Admin API pages; cost `amount` = decimal string in cents |
| aws.bedrock     | `aws/cur2_<payer>.csv`, `aws/focus_<payer>.csv`                        | CUR 2.0 rows (Usage, Tax, Credit) and the FOCUS 1.2 export of the same charges (literal `NULL`) |
| gcp.*           | `gcp/billing_export_<billing account>.jsonl`                           | BigQuery standard export rows as JSON lines (credits array, labels, invoice.month in US Pacific time) |
| azure.ai.openai | `azure/cost_export_<billing account>.csv`                              | Cost Management actual-cost CSV: BOM, CRLF, M/D/YYYY, Quantity in 1K blocks, E-notation, tags without braces |

Prices. Each call's `list_cost_usd` is split per token type with the generator's own price table
(`generate/prices.py`, the table `generate/traffic.py` prices calls with): the period in force on the call's UTC date,
the long-context cliff (every token of a request whose total input is above the period's threshold at the tier
prices), the service-tier variant (batch, flex, priority). The parts are exact and must sum exactly to the call's
`list_cost_usd`; a call whose list cost the table does not reproduce is a generator bug and raises (no guessed split).
A billed line is the sum of those parts over the day (x an injected factor), rounded to 12 decimals; every amount is
written exactly (decimal text, never a float round trip). A call without usage (`usage_status` missing) is billed
with its model's mean tokens per call at the prices in force on its day, unless a retry or fallback of its task
follows it (then it was a failed attempt, which providers do not bill).

Ground truth. `ground_truth/billing.csv` has one row per reconciliation cell (month = UTC month of the usage day,
provider, billing_account_id, sub_account_id, model_id, token_type, service_tier) with `estimated_cost_usd` (sum of the
split calls.csv `list_cost_usd`), `billed_cost_usd` (sum of the token lines of the provider's cost export, the
CUR for AWS) and `expected_status`; `ground_truth/billing_other_charges.csv` has one row per non-token charge (tax,
credit, tool fee). Per provider and month: sum of billed amounts in the cost export = sum(billing.csv billed_cost_usd)
+ sum(billing_other_charges.csv billed_cost_usd). token_type is one of input_uncached, cache_read, cache_write_5m,
cache_write_1h, output (the calls.csv partition without `_tokens`). Anthropic's default workspace (null
`workspace_id`) is `default` in the ground truth. GCP rows are dated in UTC; their `invoice.month` is the US Pacific
month, so usage on the 1st of a month before 08:00 UTC invoices in the previous month: reconcile on the usage month.

Tolerance assumption (propose as dbt var defaults): with delta = billed - estimated,
- `matched` when |delta| < `reconciliation_match_abs_usd` (0.005: equal to the cent),
- `within_tolerance` when |delta| <= max(`reconciliation_tolerance_abs_usd` 0.01,
  `reconciliation_tolerance_pct` 0.5 / 100 x |estimated|),
- otherwise `over` (billed more) or `under` (billed less);
- `no_telemetry` when no call was estimated for the cell, `no_billing` when the cost export has no line for it.

Injected differences (`injected_reason`, `;`-joined when several hit one cell):
- `usage_without_telemetry`: Anthropic Workbench usage in the default workspace (else an unused sub-account) -> no_telemetry
- `extra_untracked_tokens`: extra uncached input tokens on the largest tracked cell -> over
- `price_mismatch`: one model's output tokens billed 10 % above list -> over
- `rounding_noise`: +/-0.008 USD on one billed line -> within_tolerance
- `billing_lag`: the last usage day of one provider is not exported yet -> under / no_billing
- `usage_missing_in_telemetry`: calls whose spans carried no usage are billed with the model's mean tokens per call
- `tier_absent_from_cost_report`: Anthropic priority/flex costs are not in the cost report -> no_billing
Non-token charges: AWS tax (8.25 %) and a credit, a GCP promotional credit in `credits[]`, OpenAI web search and
Anthropic web search tool fees.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
import re
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from ai_finops.generate.prices import COMPONENTS, PRICE_TABLE, ModelPrices, period_for, unit_prices

TOKEN_TYPES = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")
TOKEN_COLUMNS = tuple(f"{t}_tokens" for t in TOKEN_TYPES)
PROVIDERS = ("openai", "anthropic", "aws.bedrock", "gcp.vertex_ai", "gcp.gemini", "azure.ai.openai")

MATCH_ABS_USD = Decimal("0.005")
TOLERANCE_ABS_USD = Decimal("0.01")
TOLERANCE_PCT = Decimal("0.5")

PRICE_MISMATCH_FACTOR = Fraction(11, 10)
ROUNDING_NOISE_USD = Fraction(8, 1000)
EXTRA_TOKENS_SHARE = Fraction(1, 5)
EXTRA_TOKENS_MIN_USD = Fraction(5, 100)
AWS_TAX_RATE = Fraction(825, 10000)
AWS_CREDIT_MAX_USD = Fraction(5)
GCP_CREDIT_SHARE = Fraction(1, 2)
WEB_SEARCH_PRICE_USD = Fraction(1, 100)  # per search (10 USD per 1,000), the generator's own figure
WEB_SEARCHES = (40, 120)

PAGE_BUCKETS = 7
TASK_ROWS_MAX = 10_000  # rows of one task held to look for a retry after a call without usage
Q12 = Decimal("1e-12")
PACIFIC = ZoneInfo("America/Los_Angeles")


# ----------------------------------------------------------------------------------------------------------------
# small helpers


def _q12(value: Fraction | Decimal | int) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator) if value.denominator != 1 else Decimal(value.numerator)
        # Decimal division uses the context precision (28 digits): enough for 12 decimals of amounts < 1e15.
    return Decimal(value).quantize(Q12, rounding=ROUND_HALF_EVEN)


def _plain(value: Decimal) -> str:
    """Exact decimal text without exponent and without trailing zeros ('0' for zero)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _e_notation(value: Decimal) -> str:
    """Exact Azure-style E-notation ('5.64902E-05') below 1E-4 (as .NET prints doubles), plain text otherwise."""
    if value == 0 or abs(value) >= Decimal("0.0001"):
        return _plain(value)
    sign, digits, exponent = value.normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    exp10 = exponent + len(digits) - 1
    text = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{text}E{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"


class _Num:
    """Marker for an exact JSON number inside a structure serialized by `_dumps`."""

    def __init__(self, value: Decimal | int):
        self.text = _plain(Decimal(value)) if not isinstance(value, int) else str(value)


_NUM_RE = re.compile(r'"\\u0000NUM:([-0-9.E+]+)"')


def _dumps(obj) -> str:
    def default(o):
        if isinstance(o, _Num):
            return "\u0000NUM:" + o.text
        raise TypeError(type(o))

    def walk(o):
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        if isinstance(o, list):
            return [walk(v) for v in o]
        if isinstance(o, _Num):
            return default(o)
        return o

    return _NUM_RE.sub(lambda m: m.group(1), json.dumps(walk(obj), separators=(",", ":")))


def _stable_hex(*parts: str, length: int = 12) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


def _month(day: str) -> str:
    return day[:7] + "-01"


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def _iso_day(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _fmt_status(estimated: Decimal | None, billed: Decimal | None) -> str:
    if estimated is None:
        return "no_telemetry"
    if billed is None:
        return "no_billing"
    delta = billed - estimated
    if abs(delta) < MATCH_ABS_USD:
        return "matched"
    if abs(delta) <= max(TOLERANCE_ABS_USD, TOLERANCE_PCT / 100 * abs(estimated)):
        return "within_tolerance"
    return "over" if delta > 0 else "under"


# ----------------------------------------------------------------------------------------------------------------
# prices from the generator's own table


class _Pricer:
    """USD per token of each token type for one request, from a price table of `generate/prices.py`'s shape.

    A token type the table has no price for is None (a call with such tokens cannot be priced: an error)."""

    _UNSET = object()

    def __init__(self, table: dict[str, ModelPrices]) -> None:
        self.table = table
        self.thresholds: dict[tuple, object] = {}
        self.cache: dict[tuple, tuple[Fraction | None, ...]] = {}

    def prices(self, model: str, day: str, tier: str, input_total_tokens: int) -> tuple[Fraction | None, ...]:
        key = (model, day, tier)
        threshold = self.thresholds.get(key, self._UNSET)
        if threshold is self._UNSET:
            threshold = self.thresholds[key] = period_for(model, dt.date.fromisoformat(day), self.table).tier_threshold
        above = threshold is not None and input_total_tokens > threshold
        full_key = key + (above,)
        if full_key not in self.cache:
            per_mtok = unit_prices(model, dt.date.fromisoformat(day), tier, input_total_tokens, self.table)
            self.cache[full_key] = tuple(
                Fraction(per_mtok[c]) / 1_000_000 if c in per_mtok else None for c in COMPONENTS)
        return self.cache[full_key]

    def parts(self, model: str, day: str, tier: str, tokens: list[int]) -> list[Fraction]:
        """Cost of each token type of one request (tokens in TOKEN_TYPES order), exact."""
        unit = self.prices(model, day, tier, tokens[0] + tokens[1] + tokens[2] + tokens[3])
        parts = []
        for token_type, n, price in zip(TOKEN_TYPES, tokens, unit):
            if n and price is None:
                raise ValueError(f"{model} has no {token_type} price ({tier}, {day})")
            parts.append(price * n if n else Fraction(0))
        return parts


class _MeanTokens:
    """Mean tokens per call of one (provider, model, tier), to bill calls whose spans reported no usage."""

    def __init__(self) -> None:
        self.sums = [0] * len(TOKEN_TYPES)
        self.calls = 0

    def add(self, tokens: list[int]) -> None:
        self.calls += 1
        for index, n in enumerate(tokens):
            self.sums[index] += n

    def mean(self) -> list[int]:
        return [round(Fraction(s, self.calls)) for s in self.sums] if self.calls else [0] * len(TOKEN_TYPES)


class _Call:
    __slots__ = ("day", "provider", "account", "sub_account", "region", "model", "tier", "tokens",
                 "cost_units", "cost_scale", "called_at", "task_id", "is_retry_or_fallback", "billed_without_usage")

    @property
    def cost(self) -> Fraction:
        return Fraction(self.cost_units, self.cost_scale)


_CALL_COLUMNS = ("call_date", "provider", "billing_account_id", "sub_account_id", "model_id", "service_tier",
                 "list_cost_usd", "called_at") + TOKEN_COLUMNS


def _calls(path: Path):
    """Stream calls.csv; a call without usage counts as billed unless a retry or fallback of its task follows it.

    Rationale: a stream that reported no usage was still served and billed; an attempt that failed (429/5xx) and was
    retried is not billed. calls.csv rows of one task are contiguous and in call order.
    """
    pending: list[tuple[int, _Call]] = []

    def flush():
        for position, (line_number, call) in enumerate(pending):
            call.billed_without_usage = call.tokens is None and not any(
                later.is_retry_or_fallback for _, later in pending[position + 1:])
            yield line_number, call

    for line_number, call in _read_calls(path):
        if pending and (call.task_id != pending[0][1].task_id or len(pending) >= TASK_ROWS_MAX):
            yield from flush()
            pending = []
        pending.append((line_number, call))
    yield from flush()


def _read_calls(path: Path):
    """Stream calls.csv as light records: tokens None when usage is missing, cost as integer units / scale."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        missing = [c for c in _CALL_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        index = {name: header.index(name) for name in _CALL_COLUMNS}
        region_index = header.index("region") if "region" in header else None
        optional = {name: header.index(name) if name in header else None for name in ("task_id", "is_retry", "is_fallback")}
        token_indexes = [index[c] for c in TOKEN_COLUMNS]
        (i_day, i_provider, i_account, i_sub, i_model, i_tier, i_cost, i_called) = (index[c] for c in _CALL_COLUMNS[:8])
        for line_number, values in enumerate(reader, start=2):
            call = _Call()
            call.day, call.provider, call.account = values[i_day], values[i_provider], values[i_account]
            call.sub_account, call.model, call.tier = values[i_sub], values[i_model], values[i_tier]
            call.region = values[region_index] if region_index is not None else ""
            call.called_at = values[i_called]
            call.task_id = values[optional["task_id"]] if optional["task_id"] is not None else str(line_number)
            call.is_retry_or_fallback = any(
                optional[name] is not None and values[optional[name]].lower() in ("true", "1") for name in ("is_retry", "is_fallback"))
            raw_tokens = [values[i] for i in token_indexes]
            try:
                call.tokens = None if all(v == "" for v in raw_tokens) else [int(v) if v else 0 for v in raw_tokens]
                text = values[i_cost].strip() or "0"
                whole, _, fraction = text.partition(".")
                if "e" in text.lower() or not (whole.lstrip("-").isdigit() and (fraction.isdigit() or not fraction)):
                    cost = Fraction(Decimal(text))
                    call.cost_units, call.cost_scale = cost.numerator, cost.denominator
                else:
                    call.cost_units, call.cost_scale = int(whole + fraction), 10 ** len(fraction)
            except (ValueError, ArithmeticError) as error:
                raise ValueError(f"{path}:{line_number}: unreadable token count or list_cost_usd ({error})") from None
            yield line_number, call


# ----------------------------------------------------------------------------------------------------------------
# naming per provider


_REGION_PREFIX = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-central-1": "EUC1",
    "eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "ap-northeast-1": "APN1", "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2", "ap-south-1": "APS3", "ca-central-1": "CAN1",
}


def _aws_prefix(region: str) -> str:
    if region in _REGION_PREFIX:
        return _REGION_PREFIX[region]
    parts = (region or "us-east-1").split("-")
    return "".join(p[:1].upper() for p in parts[:-1]) + parts[-1] if len(parts) >= 3 else "USE1"


def _bedrock_model_name(model_id: str) -> str:
    """`claude-sonnet-4-5-20250929` -> `ClaudeSonnet4.5` (the usage-type spelling, dates dropped)."""
    words = [w for w in re.split(r"[-_:.]", model_id.split("/")[-1]) if w and not re.fullmatch(r"\d{6,8}|v\d+", w)]
    out = ""
    for word in words:
        if word.isdigit() and out and out[-1].isdigit():
            out += "." + word
        else:
            out += word[:1].upper() + word[1:]
    return out or "Model"


_AWS_TOKEN_SUFFIX = {
    "input_uncached": "input-tokens", "output": "output-tokens", "cache_read": "cache-read-input-token-count",
    "cache_write_5m": "cache-write-input-token-count", "cache_write_1h": "cache-write-1h-input-token-count",
}
_AWS_MP_TOKEN = {
    "input_uncached": "InputTokenCount", "output": "OutputTokenCount", "cache_read": "CacheReadInputTokenCount",
    "cache_write_5m": "CacheWriteInputTokenCount", "cache_write_1h": "CacheWrite1hInputTokenCount",
}
_OPENAI_DIRECTION = {
    "input_uncached": "input", "cache_read": "cached input", "output": "output",
    "cache_write_5m": "cache writes", "cache_write_1h": "cache writes 1h",
}
_ANTHROPIC_TOKEN = {
    "input_uncached": ("uncached_input_tokens", "Input Tokens"),
    "cache_read": ("cache_read_input_tokens", "Cache Read Input Tokens"),
    "cache_write_5m": ("cache_creation.ephemeral_5m_input_tokens", "Cache Write 5m Input Tokens"),
    "cache_write_1h": ("cache_creation.ephemeral_1h_input_tokens", "Cache Write 1h Input Tokens"),
    "output": ("output_tokens", "Output Tokens"),
}
_HUMAN_TOKEN = {
    "input_uncached": "Input", "cache_read": "Cached Input", "cache_write_5m": "Cache Write",
    "cache_write_1h": "Cache Write 1h", "output": "Output",
}


def _tier_word(tier: str) -> str:
    return "" if tier == "standard" else tier.capitalize() + " "


def _azure_meter(model_id: str, tier: str, token_type: str) -> str:
    model = model_id.replace("-", " ").replace(".", " ")
    return f"{model} {_tier_word(tier)}{_HUMAN_TOKEN[token_type]} global Tokens".replace("  ", " ")


def _gcp_sku(model_id: str, tier: str, token_type: str) -> tuple[str, str]:
    name = " ".join(w.capitalize() if not w[:1].isdigit() else w for w in model_id.split("-"))
    description = f"{name} {_tier_word(tier)}{_HUMAN_TOKEN[token_type]} tokens".replace("  ", " ")
    sku_id = _stable_hex("gcp-sku", model_id, tier, token_type).upper()
    return f"{sku_id[:4]}-{sku_id[4:8]}-{sku_id[8:12]}", description


def _guid(*parts: str) -> str:
    h = _stable_hex(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text) or "unknown"


# ----------------------------------------------------------------------------------------------------------------
# main entry point


def write_billing_exports(out_dir: Path, seed: int, price_table: dict[str, ModelPrices] | None = None) -> list[Path]:
    """Write billing exports under out_dir/billing from out_dir/ground_truth/calls.csv; returns the files written.

    `price_table` defaults to the generator's own table (`generate/prices.py` PRICE_TABLE, the one that priced
    calls.csv); a hand-written calls.csv fixture passes its own table of the same shape."""
    out_dir = Path(out_dir)
    calls_path = out_dir / "ground_truth" / "calls.csv"
    accounts_path = out_dir / "app" / "provider_accounts.csv"
    rng = random.Random(f"billing-{seed}")
    pricer = _Pricer(PRICE_TABLE if price_table is None else price_table)

    # one pass over calls.csv: each call split per token type at the table's prices; tokens and amounts per line
    # line key: (day, provider, billing_account, sub_account, region, model, tier)
    mean_tokens: dict[tuple[str, str, str], _MeanTokens] = defaultdict(_MeanTokens)
    usage: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(TOKEN_TYPES))
    requests: dict[tuple, int] = defaultdict(int)
    line_amounts: dict[tuple, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * len(TOKEN_TYPES))
    unseen_calls: dict[tuple, int] = defaultdict(int)  # billed calls without usage in their spans, per line key
    reasons: dict[tuple, set[str]] = defaultdict(set)
    first_called_at: dict[str, str] = {}

    def cell_of(line_key: tuple) -> tuple:
        return (_month(line_key[0]), line_key[1], line_key[2], line_key[3], line_key[5], line_key[7], line_key[6])

    for line_number, call in _calls(calls_path):
        if call.provider not in PROVIDERS:
            raise ValueError(f"{calls_path}:{line_number}: provider {call.provider!r} has no billing export")
        if call.tier not in ("standard", "batch", "flex", "priority"):
            raise ValueError(f"{calls_path}:{line_number}: unknown service_tier {call.tier!r}")
        key = (call.day, call.provider, call.account, call.sub_account, call.region, call.model, call.tier)
        tokens = call.tokens
        if tokens is not None:
            try:
                parts = pricer.parts(call.model, call.day, call.tier, tokens)
            except ValueError as error:
                raise ValueError(f"{calls_path}:{line_number}: cannot price the call ({error})") from None
            if sum(parts) != call.cost:
                raise ValueError(
                    f"{calls_path}:{line_number}: list_cost_usd {_plain(_q12(call.cost))} is not the price table's "
                    f"cost {_plain(_q12(sum(parts)))} of {call.model} ({call.tier}, {call.day}, tokens {tokens}): "
                    "calls.csv and the price table disagree (a generator bug)")
            mean_tokens[(call.provider, call.model, call.tier)].add(tokens)
            line_tokens, amounts = usage[key], line_amounts[key]
            for index in range(len(TOKEN_TYPES)):
                line_tokens[index] += tokens[index]
                amounts[index] += parts[index]
        else:
            if call.cost_units:
                raise ValueError(f"{calls_path}:{line_number}: a call without usage has a list cost; expected 0")
            if call.billed_without_usage:
                unseen_calls[key] += 1
        requests[key] += 1
        if call.provider == "openai" and ("openai" not in first_called_at or call.called_at < first_called_at["openai"]):
            first_called_at["openai"] = call.called_at

    # estimate per cell = the split list costs of the calls that reported usage
    estimated: dict[tuple, Fraction] = defaultdict(Fraction)
    for key, amounts in line_amounts.items():
        for index, token_type in enumerate(TOKEN_TYPES):
            if amounts[index] or usage[key][index]:
                estimated[cell_of(key + (token_type,))] += amounts[index]

    # billed lines also carry the usage no span reported: the model's mean tokens per call at the day's prices
    for key in sorted(unseen_calls):
        count = unseen_calls[key]
        group = mean_tokens.get((key[1], key[5], key[6]))
        per_call = group.mean() if group else [0] * len(TOKEN_TYPES)
        try:
            parts = pricer.parts(key[5], key[0], key[6], per_call)
        except ValueError as error:
            raise ValueError(f"{calls_path}: cannot price calls without usage of {key} ({error})") from None
        amounts = line_amounts[key]
        for index, token_type in enumerate(TOKEN_TYPES):
            usage[key][index] += per_call[index] * count
            amounts[index] += parts[index] * count
            if per_call[index]:
                reasons[cell_of(key + (token_type,))].add("usage_missing_in_telemetry")

    accounts = []
    if accounts_path.exists():
        with accounts_path.open(newline="", encoding="utf-8") as handle:
            accounts = list(csv.DictReader(handle))

    # billed lines: amount per token type, Fraction
    # line: key + token_type -> [tokens, amount]
    lines: dict[tuple, list] = {}
    for key in sorted(usage):
        amounts = line_amounts.get(key, [Fraction(0)] * len(TOKEN_TYPES))
        for index, token_type in enumerate(TOKEN_TYPES):
            if usage[key][index] or amounts[index]:
                lines[key + (token_type,)] = [usage[key][index], amounts[index]]

    cell_estimate = {cell: value for cell, value in estimated.items()}

    def biggest(predicate) -> tuple | None:
        best = None
        for line_key in sorted(lines):
            if not predicate(line_key):
                continue
            cell = cell_of(line_key)
            if reasons.get(cell):
                continue
            value = cell_estimate.get(cell, Fraction(0))
            if best is None or value > best[0]:
                best = (value, cell)
        return best[1] if best else None

    providers_present = sorted({k[1] for k in usage})
    other_charges: list[dict] = []

    # injection: billing lag, the last usage day of one provider is not exported yet
    # (first, so that the other injections pick cells it does not touch)
    lag_provider = None
    for provider in ("azure.ai.openai", "gcp.vertex_ai", "gcp.gemini", "openai"):
        days = sorted({k[0] for k in usage if k[1] == provider})
        if len(days) >= 2:
            lag_provider, lag_day = provider, days[-1]
            break
    if lag_provider:
        for line_key in [k for k in lines if k[1] == lag_provider and k[0] == lag_day]:
            reasons[cell_of(line_key)].add("billing_lag")
            del lines[line_key]
        for key in [k for k in usage if k[1] == lag_provider and k[0] == lag_day]:
            del usage[key]

    # injection: price mismatch on one model's output (prefer a provider other than the extra-tokens one)
    mismatch_cell = biggest(lambda k: k[7] == "output" and k[1] != "anthropic")
    if mismatch_cell:
        _, provider, _, _, model, _, tier = mismatch_cell
        for line_key, line in lines.items():
            if line_key[1] == provider and line_key[5] == model and line_key[6] == tier and line_key[7] == "output":
                line[1] *= PRICE_MISMATCH_FACTOR
                reasons[cell_of(line_key)].add("price_mismatch")

    # injection: extra tokens no span saw, on the largest tracked uncached-input cell
    extra_cell = biggest(lambda k: k[7] == "input_uncached")
    if extra_cell:
        candidates = [k for k in sorted(lines) if cell_of(k) == extra_cell]
        line_key = candidates[rng.randrange(len(candidates))]
        tokens_in_cell = sum(lines[k][0] for k in candidates)
        unit = lines[line_key][1] / lines[line_key][0]
        extra = max(int(tokens_in_cell * EXTRA_TOKENS_SHARE), int(EXTRA_TOKENS_MIN_USD / unit) + 1 if unit else 0)
        lines[line_key][0] += extra
        lines[line_key][1] += unit * extra
        reasons[extra_cell].add("extra_untracked_tokens")

    # injection: rounding-level noise on one line of a cell nothing else touched
    noise_cell = biggest(lambda k: True)
    if noise_cell:
        candidates = [k for k in sorted(lines) if cell_of(k) == noise_cell]
        line_key = candidates[rng.randrange(len(candidates))]
        sign = 1 if rng.random() < 0.5 or lines[line_key][1] < ROUNDING_NOISE_USD else -1
        lines[line_key][1] += sign * ROUNDING_NOISE_USD
        reasons[noise_cell].add("rounding_noise")

    # injection: usage with no telemetry (Anthropic Workbench in the default workspace, else an unused sub-account)
    if providers_present:
        provider = "anthropic" if "anthropic" in providers_present else providers_present[0]
        template = max(
            (k for k in sorted(usage) if k[1] == provider and k[6] == "standard"),
            key=lambda k: sum(usage[k]), default=None,
        ) or next(k for k in sorted(usage) if k[1] == provider)
        if provider == "anthropic":
            sub_account = "default"
        else:
            used = {k[3] for k in usage if k[1] == provider}
            unused = sorted(a["sub_account_id"] for a in accounts if a.get("provider") == provider and a["sub_account_id"] not in used)
            sub_account = unused[0] if unused else f"{template[3]}-untracked"
        days = sorted({k[0] for k in usage if k[1] == provider})
        chosen = days[: min(3, len(days))]
        for day in chosen:
            key = (day, provider, template[2], sub_account, template[4], template[5], template[6])
            price = pricer.prices(template[5], day, template[6], 0)  # many small requests: below any cliff
            for index, token_type in enumerate(TOKEN_TYPES):
                n = usage[template][index] // 3
                if n and price[index]:
                    usage[key][index] += n
                    line = lines.setdefault(key + (token_type,), [0, Fraction(0)])
                    line[0] += n
                    line[1] += price[index] * n
                    reasons[cell_of(key + (token_type,))].add("usage_without_telemetry")
            requests[key] += 3

    # Anthropic priority/flex costs are absent from the cost report (still in the usage report)
    cost_lines = {}
    for line_key, line in lines.items():
        if line_key[1] == "anthropic" and line_key[6] not in ("standard", "batch"):
            reasons[cell_of(line_key)].add("tier_absent_from_cost_report")
            continue
        cost_lines[line_key] = (line[0], _q12(line[1]))

    files = _write_all(out_dir, seed, rng, usage, requests, cost_lines, accounts, first_called_at, other_charges)

    # ground truth
    billed: dict[tuple, Decimal] = defaultdict(Decimal)
    for line_key, (_, amount) in cost_lines.items():
        billed[cell_of(line_key)] += amount
    truth_dir = out_dir / "ground_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    cells = sorted(set(estimated) | set(billed) | set(reasons))
    billing_path = truth_dir / "billing.csv"
    with billing_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([
            "month", "provider", "billing_account_id", "sub_account_id", "model_id", "token_type", "service_tier",
            "estimated_cost_usd", "billed_cost_usd", "expected_status", "injected_reason",
        ])
        for cell in cells:
            est = _q12(estimated[cell]) if cell in estimated else None
            bill = billed[cell] if cell in billed else None
            writer.writerow(list(cell) + [
                "" if est is None else str(est), "" if bill is None else str(bill), _fmt_status(est, bill),
                ";".join(sorted(reasons.get(cell, ()))),
            ])
    other_path = truth_dir / "billing_other_charges.csv"
    with other_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        columns = ["month", "provider", "billing_account_id", "sub_account_id", "charge_type", "description",
                   "billed_cost_usd", "injected_reason"]
        writer.writerow(columns)
        merged: dict[tuple, Decimal] = defaultdict(Decimal)
        for charge in other_charges:
            merged[tuple(charge[c] for c in columns[:6]) + (charge["injected_reason"],)] += charge["billed_cost_usd"]
        for key in sorted(merged):
            writer.writerow(list(key[:6]) + [str(merged[key]), key[6]])
    return files + [billing_path, other_path]


# ----------------------------------------------------------------------------------------------------------------
# writers


def _write_all(out_dir, seed, rng, usage, requests, cost_lines, accounts, first_called_at, other_charges) -> list[Path]:
    billing_dir = out_dir / "billing"
    files: list[Path] = []
    by_provider: dict[str, dict] = defaultdict(dict)
    for line_key, value in cost_lines.items():
        by_provider[line_key[1]][line_key] = value
    usage_by_provider: dict[str, dict] = defaultdict(dict)
    for key, tokens in usage.items():
        usage_by_provider[key[1]][key] = tokens
    names = {(a.get("provider"), a.get("sub_account_id")): a.get("environment", "") for a in accounts}

    if by_provider.get("openai") or usage_by_provider.get("openai"):
        files += _write_openai(billing_dir, by_provider["openai"], usage_by_provider["openai"], requests,
                               first_called_at.get("openai", ""), other_charges)
    if by_provider.get("anthropic") or usage_by_provider.get("anthropic"):
        files += _write_anthropic(billing_dir, by_provider["anthropic"], usage_by_provider["anthropic"], other_charges)
    if by_provider.get("aws.bedrock"):
        files += _write_aws(billing_dir, by_provider["aws.bedrock"], names, other_charges)
    gcp = {**by_provider.get("gcp.vertex_ai", {}), **by_provider.get("gcp.gemini", {})}
    if gcp:
        files += _write_gcp(billing_dir, gcp, names, other_charges)
    if by_provider.get("azure.ai.openai"):
        files += _write_azure(billing_dir, by_provider["azure.ai.openai"], names)
    return files


def _pages(buckets: list[dict], cursor_prefix: str) -> list[dict]:
    pages = []
    for start in range(0, len(buckets), PAGE_BUCKETS):
        chunk = buckets[start:start + PAGE_BUCKETS]
        has_more = start + PAGE_BUCKETS < len(buckets)
        pages.append({"chunk": chunk, "has_more": has_more,
                      "next_page": f"{cursor_prefix}_{_stable_hex(cursor_prefix, str(start))}" if has_more else None})
    return pages


def _days(keys) -> list[dt.date]:
    days = sorted({k[0] for k in keys})
    if not days:
        return []
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _write_openai(billing_dir, cost_lines, usage, requests, first_called_at, other_charges) -> list[Path]:
    directory = billing_dir / "openai"
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    orgs = sorted({k[2] for k in cost_lines} | {k[2] for k in usage})
    for org in orgs:
        org_lines = {k: v for k, v in cost_lines.items() if k[2] == org}
        org_usage = {k: v for k, v in usage.items() if k[2] == org}
        days = _days(list(org_lines) + list(org_usage))
        # costs: grouped by project_id and line_item; one extra non-model line item (web search)
        per_day: dict[str, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for (day, _, _, project, _, model, tier, token_type), (_, amount) in sorted(org_lines.items()):
            prefix = "" if tier == "standard" else f"{tier} | "
            per_day[day][(project, f"{prefix}{model}, {_OPENAI_DIRECTION[token_type]}")] += amount
        if days and org_lines:
            project = sorted({k[3] for k in org_lines})[0]
            day = days[len(days) // 2].isoformat()
            searches = WEB_SEARCHES[0]
            fee = _q12(WEB_SEARCH_PRICE_USD * searches)
            per_day[day][(project, "web search tool calls")] += fee
            other_charges.append({"month": _month(day), "provider": "openai", "billing_account_id": org,
                                  "sub_account_id": project, "charge_type": "tool_fee",
                                  "description": "web search tool calls", "billed_cost_usd": fee, "injected_reason": "tool_fee"})
        buckets = []
        for day in days:
            results = [
                {"object": "organization.costs.result", "amount": {"value": _Num(amount), "currency": "usd"},
                 "line_item": line_item, "project_id": project}
                for (project, line_item), amount in sorted(per_day.get(day.isoformat(), {}).items())
            ]
            buckets.append({"object": "bucket", "start_time": _epoch(day), "end_time": _epoch(day) + 86400, "results": results})
        path = directory / f"costs_{_slug(org)}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for page in _pages(buckets, "page"):
                handle.write(_dumps({"object": "page", "data": page["chunk"], "has_more": page["has_more"],
                                     "next_page": page["next_page"]}) + "\n")
        files.append(path)

        # usage (completions): grouped by project_id, model, batch, service_tier; first bucket partial
        first_start = None
        if first_called_at:
            try:
                started = dt.datetime.fromisoformat(first_called_at.replace("Z", "+00:00").replace(" ", "T"))
                if started.tzinfo is None:
                    started = started.replace(tzinfo=dt.timezone.utc)
                first_start = int(started.timestamp()) // 60 * 60
            except ValueError:
                first_start = None
        buckets = []
        for position, day in enumerate(days):
            start = _epoch(day)
            if position == 0 and first_start and start < first_start < start + 86400:
                start = first_start
            per_group: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for key, tokens in sorted(org_usage.items()):
                if key[0] != day.isoformat():
                    continue
                group = (key[3], key[5], key[6] == "batch", "default" if key[6] in ("standard", "batch") else key[6])
                agg = per_group[group]
                agg[0] += tokens[0] + tokens[1] + tokens[2] + tokens[3]
                agg[1] += tokens[1]
                agg[2] += tokens[4]
                agg[3] += requests.get(key, 0)
            results = [
                {"object": "organization.usage.completions.result", "input_tokens": agg[0], "output_tokens": agg[2],
                 "input_cached_tokens": agg[1], "input_audio_tokens": 0, "output_audio_tokens": 0,
                 "num_model_requests": agg[3], "project_id": project, "user_id": None, "api_key_id": None,
                 "model": model, "batch": is_batch, "service_tier": tier}
                for (project, model, is_batch, tier), agg in sorted(per_group.items())
            ]
            buckets.append({"object": "bucket", "start_time": start, "end_time": _epoch(day) + 86400, "results": results})
        path = directory / f"usage_completions_{_slug(org)}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for page in _pages(buckets, "page"):
                handle.write(_dumps({"object": "page", "data": page["chunk"], "has_more": page["has_more"],
                                     "next_page": page["next_page"]}) + "\n")
        files.append(path)
    return files


def _write_anthropic(billing_dir, cost_lines, usage, other_charges) -> list[Path]:
    directory = billing_dir / "anthropic"
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    orgs = sorted({k[2] for k in cost_lines} | {k[2] for k in usage})
    for org in orgs:
        org_lines = {k: v for k, v in cost_lines.items() if k[2] == org}
        org_usage = {k: v for k, v in usage.items() if k[2] == org}
        days = _days(list(org_lines) + list(org_usage))
        search_day = days[len(days) // 2].isoformat() if days else None
        search_workspace = sorted({k[3] for k in org_usage if k[3] != "default"} or {"default"})[0]
        buckets = []
        for day in days:
            iso = day.isoformat()
            per_group: dict[tuple, Decimal] = defaultdict(Decimal)
            for (d, _, _, workspace, _, model, tier, token_type), (_, amount) in org_lines.items():
                if d == iso:
                    per_group[(workspace, model, tier, token_type)] += amount
            results = []
            for (workspace, model, tier, token_type), amount in sorted(per_group.items()):
                api_type, words = _ANTHROPIC_TOKEN[token_type]
                results.append({
                    "amount": _plain(amount * 100), "context_window": "0-200k", "cost_type": "tokens", "currency": "USD",
                    "description": f"{model} Usage - {words}", "inference_geo": "global", "model": model,
                    "service_tier": tier, "token_type": api_type,
                    "workspace_id": None if workspace == "default" else workspace,
                })
            if iso == search_day:
                fee = _q12(WEB_SEARCH_PRICE_USD * WEB_SEARCHES[1])
                results.append({
                    "amount": _plain(fee * 100), "context_window": None, "cost_type": "web_search", "currency": "USD",
                    "description": "Web Search Usage", "inference_geo": None, "model": None, "service_tier": None,
                    "token_type": None, "workspace_id": None if search_workspace == "default" else search_workspace,
                })
                other_charges.append({"month": _month(iso), "provider": "anthropic", "billing_account_id": org,
                                      "sub_account_id": search_workspace, "charge_type": "tool_fee",
                                      "description": "Web Search Usage", "billed_cost_usd": fee, "injected_reason": "tool_fee"})
            buckets.append({"starting_at": _iso_day(day), "ending_at": _iso_day(day + dt.timedelta(days=1)), "results": results})
        path = directory / f"cost_report_{_slug(org)}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for page in _pages(buckets, "page"):
                handle.write(_dumps({"data": page["chunk"], "has_more": page["has_more"], "next_page": page["next_page"]}) + "\n")
        files.append(path)

        buckets = []
        searches_left = WEB_SEARCHES[1]
        for day in days:
            iso = day.isoformat()
            results = []
            for key, tokens in sorted(org_usage.items()):
                if key[0] != iso:
                    continue
                web = 0
                if iso == search_day and key[3] == search_workspace and searches_left:
                    web, searches_left = searches_left, 0
                results.append({
                    "api_key_id": None if key[3] == "default" else "apikey_" + _stable_hex("key", org, key[3], length=24),
                    "cache_creation": {"ephemeral_1h_input_tokens": tokens[3], "ephemeral_5m_input_tokens": tokens[2]},
                    "cache_read_input_tokens": tokens[1], "context_window": "0-200k", "inference_geo": "global",
                    "model": key[5], "output_tokens": tokens[4], "server_tool_use": {"web_search_requests": web},
                    "service_tier": key[6], "uncached_input_tokens": tokens[0],
                    "workspace_id": None if key[3] == "default" else key[3],
                })
            buckets.append({"starting_at": _iso_day(day), "ending_at": _iso_day(day + dt.timedelta(days=1)), "results": results})
        path = directory / f"usage_messages_{_slug(org)}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for page in _pages(buckets, "page"):
                handle.write(_dumps({"data": page["chunk"], "has_more": page["has_more"], "next_page": page["next_page"]}) + "\n")
        files.append(path)
    return files


CUR2_COLUMNS = (
    "bill_bill_type", "bill_billing_entity", "bill_billing_period_start_date", "bill_billing_period_end_date",
    "bill_invoice_id", "bill_payer_account_id", "line_item_usage_account_id", "line_item_line_item_type",
    "line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type",
    "line_item_operation", "line_item_line_item_description", "line_item_resource_id", "line_item_usage_amount",
    "pricing_unit", "line_item_unblended_rate", "line_item_unblended_cost", "line_item_net_unblended_cost",
    "line_item_currency_code", "line_item_legal_entity", "product_region_code", "product", "resource_tags",
)

FOCUS_COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
    "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
    "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName",
    "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId",
    "SkuMeter", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags", "x_ServiceCode",
    "x_UsageType", "x_Operation",
)


def _aws_ts(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(month)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, end


def _write_aws(billing_dir, cost_lines, names, other_charges) -> list[Path]:
    directory = billing_dir / "aws"
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    marketplace_model = sorted({k[5] for k in cost_lines})[0]
    for payer in sorted({k[2] for k in cost_lines}):
        payer_lines = sorted((k, v) for k, v in cost_lines.items() if k[2] == payer)
        cur_rows: list[dict] = []
        focus_rows: list[dict] = []
        usage_totals: dict[tuple, Decimal] = defaultdict(Decimal)  # (month, usage account) -> billed usage
        for (day, _, _, account, region, model, tier, token_type), (tokens, amount) in payer_lines:
            region = region or "us-east-1"
            prefix = _aws_prefix(region)
            tier_part = "" if tier == "standard" else f"{tier}-"
            is_mp = model == marketplace_model
            if is_mp:
                usage_type = f"{prefix}-MP:{prefix}_{tier_part.rstrip('-').capitalize()}{_AWS_MP_TOKEN[token_type]}-Units"
                product_name = f"{_bedrock_model_name(model)} (Amazon Bedrock Edition)"
                unit, legal_entity = "Units", "Anthropic, PBC"
            else:
                usage_type = f"{prefix}-{_bedrock_model_name(model)}-{tier_part}{_AWS_TOKEN_SUFFIX[token_type]}"
                product_name, unit, legal_entity = "Amazon Bedrock", "tokens", "Amazon Web Services, Inc."
            month = _month(day)
            period_start, period_end = _month_bounds(month)
            date = dt.date.fromisoformat(day)
            rate = _plain(_q12(Fraction(amount) / tokens)) if tokens else "0"
            resource = f"arn:aws:bedrock:{region}:{account}:application-inference-profile/{_stable_hex('aip', account, model)}"
            usage_totals[(month, account)] += amount
            cur_rows.append({
                "bill_bill_type": "Anniversary", "bill_billing_entity": "AWS Marketplace" if is_mp else "AWS",
                "bill_billing_period_start_date": _aws_ts(period_start), "bill_billing_period_end_date": _aws_ts(period_end),
                "bill_invoice_id": "", "bill_payer_account_id": payer, "line_item_usage_account_id": account,
                "line_item_line_item_type": "Usage", "line_item_usage_start_date": _aws_ts(date),
                "line_item_usage_end_date": _aws_ts(date + dt.timedelta(days=1)), "line_item_product_code": "AmazonBedrock",
                "line_item_usage_type": usage_type, "line_item_operation": "InvokeModelInference" if tier != "batch" else "InvokeModelBatchInference",
                "line_item_line_item_description": f"{product_name} {_HUMAN_TOKEN[token_type]} tokens",
                "line_item_resource_id": resource, "line_item_usage_amount": str(tokens), "pricing_unit": unit,
                "line_item_unblended_rate": rate, "line_item_unblended_cost": _plain(amount),
                "line_item_net_unblended_cost": _plain(amount), "line_item_currency_code": "USD",
                "line_item_legal_entity": legal_entity, "product_region_code": region,
                "product": json.dumps({"product_name": product_name, "region": region, "servicecode": "AmazonBedrock"}, separators=(",", ":")),
                "resource_tags": json.dumps({"user_environment": names.get(("aws.bedrock", account), "")}, separators=(",", ":")),
            })
            focus_rows.append(_focus_row(payer, account, names, period_start, period_end, "Usage", date, date + dt.timedelta(days=1),
                                         amount, tokens, rate, region, resource, usage_type,
                                         f"{product_name} {_HUMAN_TOKEN[token_type]} tokens", is_mp))
        # tax and credit per month and usage account (credit only on the first account-month)
        for position, (month, account) in enumerate(sorted(usage_totals)):
            period_start, period_end = _month_bounds(month)
            charges = [("Tax", _q12(Fraction(usage_totals[(month, account)]) * AWS_TAX_RATE), "Tax for product code AmazonBedrock", "tax")]
            if position == 0:
                credit = -_q12(min(AWS_CREDIT_MAX_USD, Fraction(usage_totals[(month, account)]) / 10))
                charges.append(("Credit", credit, "AWS Activate Credits", "credit"))
            for line_type, amount, description, charge_type in charges:
                if amount == 0:
                    continue
                cur_rows.append({
                    "bill_bill_type": "Anniversary", "bill_billing_entity": "AWS",
                    "bill_billing_period_start_date": _aws_ts(period_start), "bill_billing_period_end_date": _aws_ts(period_end),
                    "bill_invoice_id": "", "bill_payer_account_id": payer, "line_item_usage_account_id": account,
                    "line_item_line_item_type": line_type, "line_item_usage_start_date": _aws_ts(period_start),
                    "line_item_usage_end_date": _aws_ts(period_end), "line_item_product_code": "AmazonBedrock",
                    "line_item_usage_type": "", "line_item_operation": "",
                    "line_item_line_item_description": description, "line_item_resource_id": "",
                    "line_item_usage_amount": "0" if line_type == "Tax" else "1", "pricing_unit": "",
                    "line_item_unblended_rate": "", "line_item_unblended_cost": _plain(amount),
                    "line_item_net_unblended_cost": _plain(amount), "line_item_currency_code": "USD",
                    "line_item_legal_entity": "Amazon Web Services, Inc.", "product_region_code": "",
                    "product": json.dumps({"servicecode": "AmazonBedrock"}, separators=(",", ":")), "resource_tags": "{}",
                })
                focus_rows.append(_focus_row(payer, account, names, period_start, period_end, line_type, period_start, period_end,
                                             amount, None, None, None, None, None, description, False))
                other_charges.append({"month": month, "provider": "aws.bedrock", "billing_account_id": payer,
                                      "sub_account_id": account, "charge_type": charge_type, "description": description,
                                      "billed_cost_usd": amount, "injected_reason": charge_type})
        path = directory / f"cur2_{_slug(payer)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CUR2_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(cur_rows)
        files.append(path)
        path = directory / f"focus_{_slug(payer)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FOCUS_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(focus_rows)
        files.append(path)
    return files


def _focus_ts(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _focus_row(payer, account, names, period_start, period_end, category, start, end, amount, tokens, rate, region,
               resource, usage_type, description, is_mp) -> dict:
    null = "NULL"
    usage = category == "Usage"
    return {
        "BilledCost": _plain(amount), "BillingAccountId": payer,
        "BillingAccountName": f"payer-{payer}", "BillingAccountType": "Billing Account", "BillingCurrency": "USD",
        "BillingPeriodEnd": _focus_ts(period_end), "BillingPeriodStart": _focus_ts(period_start),
        "ChargeCategory": category, "ChargeClass": null, "ChargeDescription": description,
        "ChargeFrequency": "Usage-Based" if usage else "One-Time", "ChargePeriodEnd": _focus_ts(end),
        "ChargePeriodStart": _focus_ts(start), "ConsumedQuantity": str(tokens) if usage else null,
        "ConsumedUnit": "Tokens" if usage else null, "ContractedCost": _plain(amount),
        "ContractedUnitPrice": rate if usage else null, "EffectiveCost": _plain(amount), "InvoiceId": null,
        "InvoiceIssuerName": "AWS Marketplace" if is_mp else "Amazon Web Services, Inc.", "ListCost": _plain(amount),
        "ListUnitPrice": rate if usage else null, "PricingCategory": "Standard" if usage else null,
        "PricingQuantity": str(tokens) if usage else null, "PricingUnit": "Tokens" if usage else null,
        "ProviderName": "AWS", "PublisherName": "Anthropic" if is_mp else "Amazon Web Services",
        "RegionId": region or null, "RegionName": region or null, "ResourceId": resource or null,
        "ResourceName": resource.rsplit("/", 1)[-1] if resource else null,
        "ResourceType": "Application Inference Profile" if resource else null,
        "ServiceCategory": "AI and Machine Learning", "ServiceName": "Amazon Bedrock",
        "ServiceSubcategory": "Generative AI", "SkuId": null, "SkuMeter": usage_type or null, "SkuPriceId": null,
        "SubAccountId": account, "SubAccountName": names.get(("aws.bedrock", account)) or account,
        "SubAccountType": "Account", "Tags": "{}", "x_ServiceCode": "AmazonBedrock", "x_UsageType": usage_type or null,
        "x_Operation": "InvokeModelInference" if usage else null,
    }


def _write_gcp(billing_dir, cost_lines, names, other_charges) -> list[Path]:
    directory = billing_dir / "gcp"
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    services = {"gcp.vertex_ai": ("C7E2-9256-1C43", "Vertex AI"), "gcp.gemini": ("AEE4-F1E7-0DB2", "Gemini API")}
    for account in sorted({k[2] for k in cost_lines}):
        rows = sorted((k, v) for k, v in cost_lines.items() if k[2] == account)
        credit_project = rows[0][0][3] if rows else None
        credit_day = rows[0][0][0] if rows else None
        path = directory / f"billing_export_{_slug(account)}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for (day, provider, _, project, region, model, tier, token_type), (tokens, amount) in rows:
                region = region or "us-central1"
                date = dt.date.fromisoformat(day)
                start = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
                invoice_month = start.astimezone(PACIFIC).strftime("%Y%m")
                sku_id, sku_description = _gcp_sku(model, tier, token_type)
                credits = []
                if project == credit_project and day == credit_day:
                    credit = -_q12(Fraction(amount) * GCP_CREDIT_SHARE)
                    if credit:
                        credits.append({"name": "Free trial credit", "amount": _Num(credit),
                                        "full_name": "Free trial credit", "id": "FreeTrial:" + _stable_hex("ft", account, length=8),
                                        "type": "FREE_TRIAL"})
                        other_charges.append({"month": _month(day), "provider": provider, "billing_account_id": account,
                                              "sub_account_id": project, "charge_type": "credit",
                                              "description": "Free trial credit", "billed_cost_usd": credit,
                                              "injected_reason": "credit"})
                service_id, service_description = services[provider]
                record = {
                    "billing_account_id": account,
                    "service": {"id": service_id, "description": service_description},
                    "sku": {"id": sku_id, "description": sku_description},
                    "usage_start_time": start.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    "usage_end_time": (start + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S UTC"),
                    "project": {"id": project, "number": str(int(_stable_hex("pn", project), 16) % 10**12),
                                "name": project, "labels": [], "ancestry_numbers": None},
                    "labels": [{"key": "env", "value": names.get((provider, project), "")},
                               {"key": "goog-vertex-model", "value": model}],
                    "system_labels": [],
                    "location": {"location": region, "country": "US" if region.startswith("us") else None,
                                 "region": region, "zone": None},
                    "export_time": (start + dt.timedelta(days=1, hours=6)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
                    "cost": _Num(amount), "currency": "USD", "currency_conversion_rate": _Num(Decimal(1)),
                    "usage": {"amount": _Num(tokens), "unit": "count", "amount_in_pricing_units": _Num(Decimal(tokens) / 1000),
                              "pricing_unit": "count"},
                    "credits": credits,
                    "invoice": {"month": invoice_month},
                    "cost_type": "regular", "adjustment_info": None, "cost_at_list": _Num(amount),
                    "transaction_type": "GOOGLE", "seller_name": "Google",
                }
                handle.write(_dumps(record) + "\n")
        files.append(path)
    return files


AZURE_COLUMNS = (
    "InvoiceSectionName", "AccountName", "AccountOwnerId", "SubscriptionId", "SubscriptionName", "ResourceGroup",
    "ResourceLocation", "Date", "ProductName", "MeterCategory", "MeterSubCategory", "MeterId", "MeterName",
    "MeterRegion", "UnitOfMeasure", "Quantity", "EffectivePrice", "CostInBillingCurrency", "CostCenter",
    "ConsumedService", "ResourceId", "Tags", "OfferId", "AdditionalInfo", "ServiceInfo1", "ServiceInfo2",
    "ResourceName", "ReservationId", "ReservationName", "UnitPrice", "ProductOrderId", "ProductOrderName", "Term",
    "PublisherType", "PublisherName", "ChargeType", "Frequency", "PricingModel", "AvailabilityZone",
    "BillingAccountId", "BillingAccountName", "BillingCurrencyCode", "BillingPeriodStartDate", "BillingPeriodEndDate",
    "BillingProfileId", "BillingProfileName", "InvoiceSectionId", "IsAzureCreditEligible", "PartNumber", "PayGPrice",
    "PlanName", "ServiceFamily", "CostAllocationRuleName", "benefitId", "benefitName",
)


def _mdy(day: dt.date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _write_azure(billing_dir, cost_lines, names) -> list[Path]:
    directory = billing_dir / "azure"
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for account in sorted({k[2] for k in cost_lines}):
        path = directory / f"cost_export_{_slug(account)}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.DictWriter(handle, fieldnames=AZURE_COLUMNS, lineterminator="\r\n")
            writer.writeheader()
            for (day, _, _, subscription, region, model, tier, token_type), (tokens, amount) in sorted(
                (k, v) for k, v in cost_lines.items() if k[2] == account
            ):
                region = region or "eastus"
                date = dt.date.fromisoformat(day)
                period_start, period_end = _month_bounds(_month(day))
                quantity = Decimal(tokens) / 1000
                price_1k = _q12(Fraction(amount) * 1000 / tokens) if tokens else Decimal(0)
                resource_name = f"aoai-{_stable_hex('aoai', subscription, region, length=6)}"
                environment = names.get(("azure.ai.openai", subscription), "")
                meter = _azure_meter(model, tier, token_type)
                writer.writerow({
                    "InvoiceSectionName": "AI Platform", "AccountName": "ai-platform", "AccountOwnerId": "finops@example.com",
                    "SubscriptionId": subscription, "SubscriptionName": f"ai-{environment or subscription[:8]}",
                    "ResourceGroup": f"rg-ai-{environment or 'shared'}", "ResourceLocation": region, "Date": _mdy(date),
                    "ProductName": f"Azure OpenAI - {meter}", "MeterCategory": "Foundry Models",
                    "MeterSubCategory": "Azure OpenAI", "MeterId": _guid("meter", model, tier, token_type), "MeterName": meter,
                    "MeterRegion": "Global", "UnitOfMeasure": "1K", "Quantity": _e_notation(quantity),
                    "EffectivePrice": _e_notation(price_1k), "CostInBillingCurrency": _e_notation(amount), "CostCenter": "",
                    "ConsumedService": "Microsoft.CognitiveServices",
                    "ResourceId": f"/subscriptions/{subscription}/resourceGroups/rg-ai-{environment or 'shared'}/providers/Microsoft.CognitiveServices/accounts/{resource_name}",
                    "Tags": f'"env": "{environment}","app": "ai_finops"', "OfferId": "MS-AZR-0017P",
                    "AdditionalInfo": json.dumps({"DeploymentName": model}, separators=(",", ":")), "ServiceInfo1": "",
                    "ServiceInfo2": "", "ResourceName": resource_name, "ReservationId": "", "ReservationName": "",
                    "UnitPrice": _e_notation(price_1k), "ProductOrderId": "", "ProductOrderName": "", "Term": "",
                    "PublisherType": "Azure", "PublisherName": "Microsoft", "ChargeType": "Usage", "Frequency": "UsageBased",
                    "PricingModel": "OnDemand", "AvailabilityZone": "", "BillingAccountId": account,
                    "BillingAccountName": "Example Corp", "BillingCurrencyCode": "USD",
                    "BillingPeriodStartDate": _mdy(period_start), "BillingPeriodEndDate": _mdy(period_end - dt.timedelta(days=1)),
                    "BillingProfileId": "", "BillingProfileName": "", "InvoiceSectionId": "", "IsAzureCreditEligible": "True",
                    "PartNumber": _stable_hex("part", meter, length=8).upper(), "PayGPrice": _e_notation(price_1k),
                    "PlanName": "", "ServiceFamily": "AI + Machine Learning", "CostAllocationRuleName": "",
                    "benefitId": "", "benefitName": "",
                })
        files.append(path)
    return files
