"""OTLP/JSON encoding helpers (as the Collector file exporter writes it) and the rotating span file writer.

Encoding: hex ids, integer enums, int64 (`intValue`, `*UnixNano`) as decimal strings, typed AnyValue attributes,
status `{}` when unset. Helpers return pre-encoded JSON fragments so a span is one string join, not a json.dumps of
a nested structure.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _quote  # what json.dumps uses for a str (ensure_ascii)
from pathlib import Path

_STR_CACHE: dict[tuple[str, str], str] = {}


def a_str(key: str, value: str) -> str:
    return '{"key":"%s","value":{"stringValue":%s}}' % (key, _quote(value))


def a_const(key: str, value: str) -> str:
    """a_str for low-cardinality values (model names, providers, routes...): encoded once, then reused."""
    cached = _STR_CACHE.get((key, value))
    if cached is None:
        if len(_STR_CACHE) > 50_000:  # keeps memory bounded if a caller misuses it
            _STR_CACHE.clear()
        cached = _STR_CACHE[(key, value)] = a_str(key, value)
    return cached


def a_int(key: str, value: int) -> str:
    return '{"key":"%s","value":{"intValue":"%d"}}' % (key, value)


def a_int_as_str(key: str, value: str) -> str:
    """An integer delivered as a string attribute (ClickHouse-style maps, some SDKs) or a bad value."""
    return '{"key":"%s","value":{"stringValue":"%s"}}' % (key, value)


def a_bool(key: str, value: bool) -> str:
    return '{"key":"%s","value":{"boolValue":%s}}' % (key, "true" if value else "false")


def a_double(key: str, value: float) -> str:
    return '{"key":"%s","value":{"doubleValue":%r}}' % (key, value)


def a_str_array(key: str, values: list[str]) -> str:
    return '{"key":"%s","value":{"arrayValue":{"values":[%s]}}}' % (
        key, ",".join('{"stringValue":%s}' % _quote(v) for v in values))


def resource_json(attributes: list[str]) -> str:
    return '{"attributes":[%s]}' % ",".join(attributes)


def scope_json(name: str, version: str | None) -> str:
    if version:
        return '{"name":%s,"version":%s}' % (_quote(name), _quote(version))
    return '{"name":%s}' % _quote(name)


def span_json(
    trace_id: str,
    span_id: str,
    parent_span_id: str | None,
    name: str,
    kind: int,
    start: str,
    end: str,
    attributes: list[str],
    status: str,
) -> str:
    parent = ',"parentSpanId":"%s"' % parent_span_id if parent_span_id else ""
    return (
        '{"traceId":"%s","spanId":"%s"%s,"name":%s,"kind":%d,"startTimeUnixNano":"%s","endTimeUnixNano":"%s",'
        '"attributes":[%s],"status":%s}'
        % (trace_id, span_id, parent, _quote(name), kind, start, end, ",".join(attributes), status)
    )


def request_line(resource: str, scopes: list[tuple[str, list[str]]]) -> str:
    """One ExportTraceServiceRequest line: one resource, spans grouped by instrumentation scope."""
    return '{"resourceSpans":[{"resource":%s,"scopeSpans":[%s]}]}\n' % (
        resource,
        ",".join('{"scope":%s,"spans":[%s]}' % (scope, ",".join(spans)) for scope, spans in scopes),
    )


class RotatingSpanWriter:
    """Writes request lines to DIR/otlp/spans-NNNN.jsonl, starting a new file once ~rotate_spans spans are written."""

    def __init__(self, otlp_dir: Path, rotate_spans: int = 200_000):
        self.otlp_dir = otlp_dir
        self.rotate_spans = rotate_spans
        self.files: list[tuple[Path, int, int]] = []  # (path, lines, spans)
        self._handle = None
        self._lines = 0
        self._spans = 0
        otlp_dir.mkdir(parents=True, exist_ok=True)

    @property
    def current_path(self) -> Path:
        return self.otlp_dir / f"spans-{len(self.files) + 1:04d}.jsonl"

    def write(self, line: str, span_count: int) -> None:
        if self._handle is not None and self._spans >= self.rotate_spans:
            self._close_current()
        if self._handle is None:
            self._handle = open(self.current_path, "w", encoding="utf-8", newline="\n")
        self._handle.write(line)
        self._lines += 1
        self._spans += span_count

    def _close_current(self) -> None:
        self._handle.close()
        self.files.append((self.current_path, self._lines, self._spans))
        self._handle = None
        self._lines = 0
        self._spans = 0

    def close(self) -> None:
        if self._handle is not None:
            self._close_current()
