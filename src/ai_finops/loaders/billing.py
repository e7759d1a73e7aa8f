"""Raw readers for provider billing exports: one `FileKind` per export, raw table `billing_<kind>`.

Values are kept as delivered (no unit conversion, no casting): JSON numbers keep their literal text (`0.06`,
`1.5E-7`), JSON booleans become `true`/`false`, JSON null and CSV empty or literal `NULL` cells become None. Nested
records named in a kind's `flatten` list become `<record>_<field>` columns (`amount_value`, `sku_id`); any other nested
value (GCP `credits`/`labels`, a nested record inside a record) is kept as JSON text. Fields or CSV columns a kind does
not know are not dropped: they are kept as one JSON object in `extra_fields`. CSV readers accept a UTF-8 BOM and CRLF
line ends; `source_line` is the data line number with the header as line 1. JSON API pages (one page object per line)
are flattened to one row per result item, with the bucket bounds (`start_time`/`end_time` for OpenAI,
`starting_at`/`ending_at` for Anthropic) and `bucket_index`/`result_index` (0-based), so that
(`source_file`, `source_line`, `bucket_index`, `result_index`) identifies a row. The Admin APIs do not return the
organization: `organization_id` is taken from the file name (`costs_<organization_id>.jsonl`, as
`ai-finops generate` writes them; None when the name does not follow that form).

| kind | files (relative to the dataset folder) | raw table |
|---|---|---|
| openai_costs | billing/openai/costs*.jsonl | billing_openai_costs |
| openai_usage_completions | billing/openai/usage_completions*.jsonl | billing_openai_usage_completions |
| anthropic_cost_report | billing/anthropic/cost_report*.jsonl | billing_anthropic_cost_report |
| anthropic_usage_messages | billing/anthropic/usage_messages*.jsonl | billing_anthropic_usage_messages |
| aws_cur2 | billing/aws/cur2*.csv | billing_aws_cur2 |
| aws_focus | billing/aws/focus*.csv | billing_aws_focus |
| gcp_billing_export | billing/gcp/*.jsonl | billing_gcp_billing_export |
| azure_cost_export | billing/azure/*.csv | billing_azure_cost_export |

The columns of each table are the `columns` of its kind below.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Iterator

from ai_finops.generate.billing import AZURE_COLUMNS, CUR2_COLUMNS, FOCUS_COLUMNS
from ai_finops.loaders.kinds import BadInput, FileKind, Row


class _Raw(str):
    """A JSON number kept as its literal text."""


def _loads(text: str):
    return json.loads(text, parse_float=_Raw, parse_int=_Raw)


def _to_json(value) -> str:
    """JSON text of a parsed value, numbers written back exactly as delivered."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _to_json(v) for k, v in value.items()) + "}"
    return json.dumps(value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _to_json(value)
    return str(value)


def _flatten(item: dict, flatten: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in item.items():
        if key in flatten and isinstance(value, dict):
            for sub_key, sub_value in value.items():
                out[f"{key}_{sub_key}"] = sub_value
        elif key in flatten and value is None:
            continue  # a null record: its flattened columns stay None
        else:
            out[key] = value
    return out


def _shape(path: Path, line_number: int, flat: dict[str, object], data_columns: tuple[str, ...]) -> Row:
    row: Row = {column: None for column in data_columns}
    extra = {}
    for key, value in flat.items():
        if key in row:
            row[key] = _text(value)
        else:
            extra[key] = value
    row["extra_fields"] = _to_json(extra) if extra else None
    return row


_ORG_RE = re.compile(r"^(?:costs|usage_completions|cost_report|usage_messages)_(.+)\.jsonl$")


def _page_reader(start_key: str, end_key: str, fields: tuple[str, ...], flatten: tuple[str, ...]):
    def read(path: Path) -> Iterator[tuple[int, Row]]:
        match = _ORG_RE.match(Path(path).name)
        organization_id = match.group(1) if match else None
        with open(path, encoding="utf-8-sig") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    page = _loads(line)
                except json.JSONDecodeError as error:
                    raise BadInput(path, line_number, f"not a JSON object: {error.msg} at column {error.colno}") from None
                if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                    raise BadInput(path, line_number, "expected a page object with a `data` list of buckets")
                for bucket_index, bucket in enumerate(page["data"]):
                    if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
                        raise BadInput(path, line_number, f"bucket {bucket_index} has no `results` list")
                    if bucket.get(start_key) is None or bucket.get(end_key) is None:
                        raise BadInput(path, line_number, f"bucket {bucket_index} lacks `{start_key}`/`{end_key}`")
                    for result_index, item in enumerate(bucket["results"]):
                        if not isinstance(item, dict):
                            raise BadInput(path, line_number, f"bucket {bucket_index} result {result_index} is not an object")
                        row = _shape(path, line_number, _flatten(item, flatten), fields)
                        row["organization_id"] = organization_id
                        row["bucket_index"] = str(bucket_index)
                        row["result_index"] = str(result_index)
                        row[start_key] = _text(bucket[start_key])
                        row[end_key] = _text(bucket[end_key])
                        yield line_number, row

    return read


def _record_reader(fields: tuple[str, ...], flatten: tuple[str, ...], required: tuple[str, ...]):
    def read(path: Path) -> Iterator[tuple[int, Row]]:
        with open(path, encoding="utf-8-sig") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = _loads(line)
                except json.JSONDecodeError as error:
                    raise BadInput(path, line_number, f"not a JSON object: {error.msg} at column {error.colno}") from None
                if not isinstance(record, dict):
                    raise BadInput(path, line_number, "expected one JSON object per line")
                row = _shape(path, line_number, _flatten(record, flatten), fields)
                missing = [c for c in required if row.get(c) is None]
                if missing:
                    raise BadInput(path, line_number, f"missing required field(s): {', '.join(missing)}")
                yield line_number, row

    return read


def _csv_reader(fields: tuple[str, ...], required: tuple[str, ...]):
    def read(path: Path) -> Iterator[tuple[int, Row]]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                raise BadInput(path, 1, "empty file: no header line") from None
            except csv.Error as error:
                raise BadInput(path, 1, f"unreadable CSV header: {error}") from None
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise BadInput(path, 1, f"header lacks required column(s): {', '.join(missing)}")
            if len(set(header)) != len(header):
                raise BadInput(path, 1, "header repeats a column name")
            line_number = 1
            try:
                for values in reader:
                    line_number += 1
                    if not values:
                        continue
                    if len(values) != len(header):
                        raise BadInput(path, line_number, f"{len(values)} fields, header has {len(header)}")
                    row: Row = {column: None for column in fields}
                    extra = {}
                    for name, value in zip(header, values):
                        value = None if value == "" or value == "NULL" else value
                        if name in row:
                            row[name] = value
                        else:
                            extra[name] = value
                    row["extra_fields"] = json.dumps(extra, ensure_ascii=False) if extra else None
                    yield line_number, row
            except csv.Error as error:
                raise BadInput(path, line_number + 1, f"unreadable CSV line: {error}") from None

    return read


_PAGE_LINEAGE = ("organization_id", "bucket_index", "result_index")

OPENAI_COSTS_FIELDS = ("object", "amount_value", "amount_currency", "line_item", "project_id", "api_key_id")
OPENAI_USAGE_FIELDS = (
    "object", "input_tokens", "output_tokens", "input_cached_tokens", "input_audio_tokens", "output_audio_tokens",
    "num_model_requests", "project_id", "user_id", "api_key_id", "model", "batch", "service_tier",
)
ANTHROPIC_COST_FIELDS = (
    "amount", "currency", "cost_type", "token_type", "description", "model", "service_tier", "context_window",
    "inference_geo", "workspace_id",
)
ANTHROPIC_USAGE_FIELDS = (
    "uncached_input_tokens", "cache_read_input_tokens", "cache_creation_ephemeral_5m_input_tokens",
    "cache_creation_ephemeral_1h_input_tokens", "output_tokens", "server_tool_use_web_search_requests", "api_key_id",
    "workspace_id", "model", "service_tier", "context_window", "inference_geo", "account_id", "service_account_id",
)
GCP_FIELDS = (
    "billing_account_id", "service_id", "service_description", "sku_id", "sku_description", "usage_start_time",
    "usage_end_time", "project_id", "project_number", "project_name", "project_labels", "project_ancestry_numbers",
    "labels", "system_labels", "location_location", "location_country", "location_region", "location_zone",
    "resource_name", "resource_global_name", "export_time", "cost", "currency", "currency_conversion_rate",
    "usage_amount", "usage_unit", "usage_amount_in_pricing_units", "usage_pricing_unit", "credits", "invoice_month",
    "cost_type", "adjustment_info", "tags", "price_effective_price", "price_tier_start_amount", "price_unit",
    "price_pricing_unit_quantity", "cost_at_list", "transaction_type", "seller_name",
)


def _page_kind(name, pattern, start_key, end_key, fields, flatten, description) -> FileKind:
    columns = _PAGE_LINEAGE + (start_key, end_key) + fields + ("extra_fields",)
    return FileKind(name=name, patterns=(pattern,), table=f"billing_{name}", columns=columns,
                    reader=_page_reader(start_key, end_key, columns, flatten), description=description)


BILLING_KINDS: list[FileKind] = [
    _page_kind("openai_costs", "billing/openai/costs*.jsonl", "start_time", "end_time", OPENAI_COSTS_FIELDS,
               ("amount",), "OpenAI organization Costs API pages (GET /v1/organization/costs), one row per result"),
    _page_kind("openai_usage_completions", "billing/openai/usage_completions*.jsonl", "start_time", "end_time",
               OPENAI_USAGE_FIELDS, (), "OpenAI organization Usage API pages for completions, one row per result"),
    _page_kind("anthropic_cost_report", "billing/anthropic/cost_report*.jsonl", "starting_at", "ending_at",
               ANTHROPIC_COST_FIELDS, (), "Anthropic Admin API cost report pages (amount: decimal string in cents)"),
    _page_kind("anthropic_usage_messages", "billing/anthropic/usage_messages*.jsonl", "starting_at", "ending_at",
               ANTHROPIC_USAGE_FIELDS, ("cache_creation", "server_tool_use"),
               "Anthropic Admin API messages usage report pages, one row per result"),
    FileKind(name="aws_cur2", patterns=("billing/aws/cur2*.csv",), table="billing_aws_cur2",
             columns=CUR2_COLUMNS + ("extra_fields",),
             reader=_csv_reader(CUR2_COLUMNS + ("extra_fields",), (
                 "bill_payer_account_id", "line_item_usage_account_id", "line_item_line_item_type",
                 "line_item_usage_start_date", "line_item_product_code", "line_item_usage_type",
                 "line_item_unblended_cost")),
             description="AWS Data Exports CUR 2.0 CSV rows (Amazon Bedrock usage, tax and credit line items)"),
    FileKind(name="aws_focus", patterns=("billing/aws/focus*.csv",), table="billing_aws_focus",
             columns=FOCUS_COLUMNS + ("extra_fields",),
             reader=_csv_reader(FOCUS_COLUMNS + ("extra_fields",), (
                 "BilledCost", "BillingAccountId", "BillingCurrency", "ChargeCategory", "ChargePeriodStart",
                 "ChargePeriodEnd", "ServiceName")),
             description="AWS Data Exports FOCUS 1.2 with AWS columns, CSV"),
    FileKind(name="gcp_billing_export", patterns=("billing/gcp/*.jsonl",), table="billing_gcp_billing_export",
             columns=GCP_FIELDS + ("extra_fields",),
             reader=_record_reader(GCP_FIELDS + ("extra_fields",),
                                   ("service", "sku", "project", "location", "usage", "invoice", "price", "resource"),
                                   ("billing_account_id", "usage_start_time", "cost")),
             description="Google Cloud Billing BigQuery export rows as JSON lines (Vertex AI, Gemini API)"),
    FileKind(name="azure_cost_export", patterns=("billing/azure/*.csv",), table="billing_azure_cost_export",
             columns=AZURE_COLUMNS + ("extra_fields",),
             reader=_csv_reader(AZURE_COLUMNS + ("extra_fields",), (
                 "Date", "SubscriptionId", "MeterName", "UnitOfMeasure", "Quantity", "CostInBillingCurrency",
                 "BillingCurrencyCode")),
             description="Azure Cost Management actual-cost export CSV (Azure OpenAI meters)"),
]
