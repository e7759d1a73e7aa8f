"""OTLP JSON lines reader: one `ExportTraceServiceRequest` per line, as the Collector `file` exporter writes it.

Each span becomes one row of `raw.otel_spans` (columns in docs/landing_contract.md §1). Typed AnyValue lists are decoded
into flat JSON objects: `stringValue` → string, `intValue` (decimal string, number or JS Long `{low,high,unsigned}`)
→ number, `doubleValue` → number (a non-finite value such as `"NaN"` stays a string: JSON has no NaN), `boolValue` →
boolean, `arrayValue` → array, `kvlistValue` → object, `bytesValue` → base64 string as delivered, empty → null.
An attribute list that is already a flat object (ClickHouse-style map, all values strings) is kept as delivered.

Both `scopeSpans`/`scope` and the older `instrumentationLibrarySpans`/`instrumentationLibrary` keys are accepted.
Anything that is not JSON, or JSON of the wrong shape, raises `BadInput` naming the file and the line.
The reader streams: it holds one line in memory at a time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable, Iterator

from ai_finops.loaders.kinds import BadInput, FileKind, Row

OTEL_SPANS_COLUMNS: tuple[str, ...] = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "trace_state",
    "span_name",
    "span_kind",
    "start_time_unix_nano",
    "end_time_unix_nano",
    "status_code",
    "status_message",
    "scope_name",
    "scope_version",
    "resource_attributes",
    "span_attributes",
    "span_index",
)

_MASK32 = 0xFFFFFFFF
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class _Malformed(ValueError):
    """Raised inside a line; the reader turns it into `BadInput` with the file and line."""


def decode_long(value: dict) -> int:
    """Decode a JS Long `{low, high, unsigned}` (two 32-bit halves) into a Python int."""
    try:
        low = int(value["low"])
        high = int(value["high"])
    except (KeyError, TypeError, ValueError) as error:
        raise _Malformed(f"not a Long object {{low, high}}: {value!r}") from error
    if value.get("unsigned"):
        return ((high & _MASK32) << 32) | (low & _MASK32)
    return (high << 32) | (low & _MASK32)  # high carries the sign


def decode_int(value) -> int:
    """An OTLP int64: decimal string, JSON number or JS Long object."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError as error:
            raise _Malformed(f"not an integer: {value!r}") from error
    if isinstance(value, bool):
        raise _Malformed(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return decode_long(value)
    raise _Malformed(f"not an integer: {value!r}")


def _int_text(value) -> str | None:
    """A `*UnixNano` field as text (None when absent). A string is kept exactly as delivered, even when it is not a
    number: the raw table keeps what the producer sent and staging quarantines the span (`bad_timestamp`), so one
    bad timestamp never blocks the rest of the file. Numbers and JS Long objects are decoded to decimal text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return str(decode_int(value))


def _double(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):  # proto3 JSON: "NaN", "Infinity", "-Infinity" or a numeric string
        try:
            number = float(value)
        except ValueError as error:
            raise _Malformed(f"not a double: {value!r}") from error
        return number if math.isfinite(number) else value
    raise _Malformed(f"not a double: {value!r}")


def _array(value):
    if not isinstance(value, dict):
        raise _Malformed(f"arrayValue is not an object: {value!r}")
    values = value.get("values") or []
    if not isinstance(values, list):
        raise _Malformed("arrayValue.values is not a list")
    return [decode_any(item) for item in values]


def _kvlist(value):
    if not isinstance(value, dict):
        raise _Malformed(f"kvlistValue is not an object: {value!r}")
    return decode_key_values(value.get("values"))


_DECODERS = {
    "stringValue": lambda value: value,
    "intValue": decode_int,
    "doubleValue": _double,
    "boolValue": lambda value: value if isinstance(value, bool) else _bad_bool(value),
    "arrayValue": _array,
    "kvlistValue": _kvlist,
    "bytesValue": lambda value: value,
}


def _bad_bool(value):
    raise _Malformed(f"not a boolean: {value!r}")


def decode_any(value):
    """Decode one AnyValue object into a plain JSON value."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Malformed(f"AnyValue is not an object: {value!r}")
    for key, inner in value.items():  # a oneof: at most one key
        decoder = _DECODERS.get(key)
        if decoder is None:
            raise _Malformed(f"unknown AnyValue field {key!r}")
        return decoder(inner)
    return None  # empty AnyValue


def decode_key_values(key_values) -> dict:
    """A list of `{key, value}` into a dict; an already flat object is returned as is."""
    if type(key_values) is list:
        # Fast path: every item a well-formed {key, value}; string values need no decoding.
        try:
            result = {}
            for item in key_values:
                value = item["value"]
                if "stringValue" in value:
                    result[item["key"]] = value["stringValue"]
                elif "intValue" in value:
                    result[item["key"]] = int(value["intValue"]) if type(value["intValue"]) is str else decode_any(value)
                else:
                    result[item["key"]] = decode_any(value)
            return result
        except (TypeError, KeyError, AttributeError, ValueError):
            return _decode_key_values_checked(key_values)  # names the offending item
    if key_values is None:
        return {}
    if isinstance(key_values, dict):  # ClickHouse-style map, values as delivered
        return key_values
    raise _Malformed(f"attributes are neither a list nor an object: {type(key_values).__name__}")


def _decode_key_values_checked(key_values: list) -> dict:
    result = {}
    for item in key_values:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise _Malformed(f"attribute without a string key: {item!r}")
        result[item["key"]] = decode_any(item.get("value"))  # a missing value is an empty AnyValue
    return result


def _attributes_json(key_values) -> str:
    try:
        return _dumps(decode_key_values(key_values))
    except ValueError as error:  # NaN / Infinity in a ClickHouse-style map
        raise _Malformed(str(error)) from error


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise _Malformed(f"expected a scalar, got {type(value).__name__}")


def _list(container: dict, key: str, alternative: str | None = None) -> list:
    value = container.get(key)
    if value is None and alternative is not None:
        value = container.get(alternative)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed(f"{key} is not a list")
    return value


def _object(container: dict, key: str, alternative: str | None = None) -> dict:
    value = container.get(key)
    if value is None and alternative is not None:
        value = container.get(alternative)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Malformed(f"{key} is not an object")
    return value


def spans_of_request(request) -> Iterator[Row]:
    """Rows (without lineage) for every span of one decoded `ExportTraceServiceRequest`."""
    if not isinstance(request, dict) or not isinstance(request.get("resourceSpans"), list):
        raise _Malformed("not an OTLP traces request (expected an object with a resourceSpans list)")
    span_index = 0
    for resource_spans in request["resourceSpans"]:
        if not isinstance(resource_spans, dict):
            raise _Malformed("resourceSpans item is not an object")
        resource = _object(resource_spans, "resource")
        resource_attributes = _attributes_json(resource.get("attributes"))
        for scope_spans in _list(resource_spans, "scopeSpans", "instrumentationLibrarySpans"):
            if not isinstance(scope_spans, dict):
                raise _Malformed("scopeSpans item is not an object")
            scope = _object(scope_spans, "scope", "instrumentationLibrary")
            scope_name = _text(scope.get("name"))
            scope_version = _text(scope.get("version"))
            for span in _list(scope_spans, "spans"):
                if not isinstance(span, dict):
                    raise _Malformed("span is not an object")
                status = span.get("status") or {}
                if not isinstance(status, dict):
                    raise _Malformed("span status is not an object")
                yield {
                    "trace_id": _text(span.get("traceId")),
                    "span_id": _text(span.get("spanId")),
                    "parent_span_id": _text(span.get("parentSpanId")),
                    "trace_state": _text(span.get("traceState")),
                    "span_name": _text(span.get("name")),
                    "span_kind": _text(span.get("kind")),
                    "start_time_unix_nano": _int_text(span.get("startTimeUnixNano")),
                    "end_time_unix_nano": _int_text(span.get("endTimeUnixNano")),
                    "status_code": _text(status.get("code")),
                    "status_message": _text(status.get("message")),
                    "scope_name": scope_name,
                    "scope_version": scope_version,
                    "resource_attributes": resource_attributes,
                    "span_attributes": _attributes_json(span.get("attributes")),
                    "span_index": str(span_index),
                }
                span_index += 1


def read_otlp_lines(path: Path | str, numbered_lines: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, Row]]:
    """Yield `(line_number, row)` for every span of the given `(line_number, line)` pairs. Blank lines are skipped."""
    loads = json.loads
    for line_number, line in numbered_lines:
        if not line.strip():
            continue
        try:
            request = loads(line)
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
            raise BadInput(path, line_number, f"not valid JSON ({error})") from None
        try:
            for row in spans_of_request(request):
                yield line_number, row
        except _Malformed as error:
            raise BadInput(path, line_number, str(error)) from None
        except RecursionError:
            raise BadInput(path, line_number, "attribute values nested too deeply") from None


def read_otlp_jsonl(path: Path) -> Iterator[tuple[int, Row]]:
    """Yield `(line_number, row)` for every span of an OTLP JSON lines file (streaming)."""
    with open(path, "rb") as handle:
        yield from read_otlp_lines(path, enumerate(handle, start=1))


OTLP_KIND = FileKind(
    name="otel_spans",
    patterns=("otlp/*.jsonl", "otlp/*.json"),
    table="otel_spans",
    columns=OTEL_SPANS_COLUMNS,
    reader=read_otlp_jsonl,
    description="OTLP JSON lines (Collector file exporter): one row per span",
)

#: Column types other than varchar (the framework adds the lineage columns).
OTLP_COLUMN_TYPES = {"span_index": "integer"}
