"""LLM traffic as OTLP traces (one trace per user task) plus the ground truth for every span occurrence and call.

Streaming: a task is generated, written (one OTLP request line) and forgotten; only per-day/feature and
per-month/customer aggregates and a short queue of pending re-deliveries stay in memory.

Ground-truth conventions (see docs/landing_contract.md §2):
- `calls.csv` token columns are the true partition of the call as reported by its span (0 when a part does not
  occur); they are empty only when `usage_status = missing` (failed attempt or stream without usage; cost 0).
- `tasks.csv`: `attempts` = billable model-call spans of the task (every retry attempt counts), `calls` = logical
  calls (first attempts; a fallback to another model is a new logical call), `list_cost_usd` = sum over attempts.
- `feature_day.csv` / `customer_month.csv` sum `list_cost_usd` of billable calls in every environment; staging, dev
  and eval traffic has no customer.
- `spans.csv` `convention` is the label of the instrumentation that emitted the span (empty for the HTTP root span).
"""

from __future__ import annotations

import json
import random
from bisect import bisect
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

from ai_finops.generate import otlp
from ai_finops.generate.business import Account, is_active
from ai_finops.generate.catalog import DEPLOYMENTS, FEATURES, LONG_CONTEXT, Deployment, Feature
from ai_finops.generate.otlp import a_bool, a_const, a_double, a_int, a_int_as_str, a_str, a_str_array
from ai_finops.generate.prices import PRICE_TABLE, call_cost

MARKER = "PII-CONTENT-MARKER"
ZERO = Decimal(0)

CONVENTION_PROVIDERS = {
    "otel_genai_latest": {"openai", "anthropic", "aws.bedrock", "gcp.vertex_ai", "gcp.gemini", "azure.ai.openai"},
    "otel_genai_legacy": {"openai", "azure.ai.openai", "gcp.vertex_ai", "gcp.gemini"},
    "openllmetry_legacy": {"openai", "anthropic", "aws.bedrock"},
    "openinference": {"openai", "anthropic", "azure.ai.openai"},
    "vercel_v4": {"openai", "anthropic"},
    "vercel_v6": {"openai", "anthropic"},
    "langfuse": {"openai", "anthropic"},
}
# What each convention can express; the generator only produces usage the span can report.
CAN_CACHE = {"otel_genai_latest", "openllmetry_legacy", "openinference", "vercel_v6", "langfuse"}
CAN_CACHE_1H = {"langfuse"}
CAN_REASON = {"otel_genai_latest", "openinference", "vercel_v6", "langfuse"}
CAN_TIER = {"otel_genai_latest": {"batch", "flex", "priority"}, "otel_genai_legacy": {"batch", "flex", "priority"},
            "langfuse": {"batch"}}
CAN_RETRY = {"otel_genai_latest", "otel_genai_legacy", "openllmetry_legacy", "openinference", "vercel_v4",
             "vercel_v6", "langfuse"}

ENV_WEIGHTS = (("production", 80), ("staging", 8), ("dev", 5), ("eval", 7))

SCOPES = {
    "http_py": ("opentelemetry.instrumentation.fastapi", "0.48b0"),
    "http_node": ("@opentelemetry/instrumentation-http", "0.52.1"),
    "app": ("ai_finops_demo.app", "1.4.2"),
    "latest/openai": ("opentelemetry.instrumentation.openai_v2", "2.4b0"),
    "latest/anthropic": ("opentelemetry.instrumentation.genai.anthropic", "1.3b0"),
    "latest/bedrock": ("opentelemetry.instrumentation.botocore", "0.59b0"),
    "latest/vertex": ("opentelemetry.instrumentation.vertexai", "2.1b0"),
    "latest/gemini": ("opentelemetry.instrumentation.google_genai", "1.3b0"),
    "latest/agent": ("opentelemetry.util.genai", "1.3b0"),
    "gateway": ("litellm", "1.77.5"),
    "legacy/openai": ("opentelemetry.instrumentation.openai_v2", "2.0b0"),
    "legacy/vertex": ("opentelemetry.instrumentation.vertexai", "2.0b0"),
    "legacy/gemini": ("opentelemetry.instrumentation.google_genai", "0.1b0"),
    "olm/openai": ("opentelemetry.instrumentation.openai", "0.33.9"),
    "olm/anthropic": ("opentelemetry.instrumentation.anthropic", "0.33.9"),
    "olm/bedrock": ("opentelemetry.instrumentation.bedrock", "0.33.9"),
    "olm/langchain": ("opentelemetry.instrumentation.langchain", "0.33.9"),
    "olm/traceloop": ("traceloop.tracer", None),
    "oi/openai": ("openinference.instrumentation.openai", "0.1.30"),
    "oi/anthropic": ("openinference.instrumentation.anthropic", "0.1.18"),
    "oi/langchain": ("openinference.instrumentation.langchain", "0.1.29"),
    "vercel": ("ai", None),
    "langfuse": ("langfuse-sdk", "3.3.0"),
}
SCOPE_JSON = {key: otlp.scope_json(*value) for key, value in SCOPES.items()}
LATEST_SCOPE = {"openai": "latest/openai", "azure.ai.openai": "latest/openai", "anthropic": "latest/anthropic",
                "aws.bedrock": "latest/bedrock", "gcp.vertex_ai": "latest/vertex", "gcp.gemini": "latest/gemini"}
LEGACY_SCOPE = {"openai": "legacy/openai", "azure.ai.openai": "legacy/openai", "gcp.vertex_ai": "legacy/vertex",
                "gcp.gemini": "legacy/gemini"}
LEGACY_SYSTEM = {"openai": "openai", "azure.ai.openai": "az.ai.openai", "gcp.vertex_ai": "vertex_ai",
                 "gcp.gemini": "gemini"}
OLM_SCOPE = {"openai": "olm/openai", "anthropic": "olm/anthropic", "aws.bedrock": "olm/bedrock"}
OLM_SYSTEM = {"openai": "OpenAI", "anthropic": "Anthropic", "aws.bedrock": "AWS"}
OLM_NAME = {"openai": "openai.chat", "anthropic": "anthropic.chat", "aws.bedrock": "bedrock.completion"}
OLM_LANGCHAIN = {"openai": "ChatOpenAI.chat", "anthropic": "ChatAnthropic.chat", "aws.bedrock": "ChatBedrock.chat"}
OI_SCOPE = {"openai": "oi/openai", "azure.ai.openai": "oi/openai", "anthropic": "oi/anthropic"}
OI_PROVIDER = {"openai": ("openai", "openai"), "azure.ai.openai": ("azure", "openai"),
               "anthropic": ("anthropic", "anthropic")}
OI_LANGCHAIN = {"openai": "ChatOpenAI", "azure.ai.openai": "AzureChatOpenAI", "anthropic": "ChatAnthropic"}
VERCEL_PROVIDER = {"openai": "openai.chat", "anthropic": "anthropic.messages"}
LANGFUSE_PROVIDER = {"openai": "openai", "anthropic": "anthropic"}
TOOLS = ("lookup_order", "search_tickets", "get_account", "run_query", "fetch_diff", "create_draft")

UNSET = "{}"
STATUS_OK = '{"code":1}'

SPANS_HEADER = "trace_id,span_id,occurrence,expected_disposition,reason,duplicate_of_span_id,convention\n"
CALLS_HEADER = (
    "trace_id,span_id,task_id,called_at,call_date,provider,model_id,raw_model,service_tier,environment,customer_id,"
    "feature_id,team_id,usage_status,input_uncached_tokens,cache_read_tokens,cache_write_5m_tokens,"
    "cache_write_1h_tokens,output_tokens,reasoning_tokens,is_retry,is_fallback,list_cost_usd,billing_account_id,"
    "sub_account_id,region\n"
)
TASKS_HEADER = "task_id,trace_id,feature_id,customer_id,environment,outcome,calls,attempts,list_cost_usd\n"


def _weighted(pairs):
    keys = [k for k, _ in pairs]
    cumulative = list(accumulate(w for _, w in pairs))
    return keys, cumulative


_CONTENT: dict[tuple[str, str], str] = {}


def _content(kind: str, feature_id: str) -> str:
    cached = _CONTENT.get((kind, feature_id))
    if cached is None:
        cached = _CONTENT[(kind, feature_id)] = _content_text(kind, feature_id)
    return cached


def _content_text(kind: str, feature_id: str) -> str:
    return json.dumps([{"role": kind, "parts": [{"type": "text", "content": f"{MARKER} {feature_id} {kind} text"}]}],
                      separators=(",", ":"))


def _available(deployment: Deployment, day: date) -> bool:
    return PRICE_TABLE[deployment.model_id].periods[0].effective_from <= day


def _usable(feature: Feature, day: date) -> bool:
    return any(_available(DEPLOYMENTS[key], day) for key, _ in feature.deployments)


class Task:
    """Mutable state of the task being generated."""

    __slots__ = ("trace_id", "task_id", "environment", "feature", "customer_id", "user_id", "session_id",
                 "convention", "cursor", "spans", "cost", "calls", "attempts", "cache", "string_ints",
                 "failed", "legacy_prompt_names", "wrapped", "call_rows", "stream_mode", "usages", "day")


class TrafficGenerator:
    def __init__(self, out_dir: Path, seed: int, start: date, days: int, target_spans: int,
                 accounts: list[Account], provider_accounts: list[tuple[str, str, str, str]],
                 rotate_spans: int = 200_000):
        self.out_dir = out_dir
        self.rng = random.Random(f"traffic-{seed}")
        self.start = start
        self.days = days
        self.target_spans = target_spans
        self.window_start_us = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp()) \
            * 1_000_000
        self.window_us = days * 86_400 * 1_000_000
        self.accounts = accounts
        self.account_keys, self.account_cum = _weighted([(a, a.usage_weight) for a in accounts])
        self.feature_keys, self.feature_cum = _weighted([(f, f.weight) for f in FEATURES])
        self.env_keys, self.env_cum = _weighted(ENV_WEIGHTS)
        self.billing = {(p, e): (b, s) for p, e, b, s in provider_accounts}
        self.writer = otlp.RotatingSpanWriter(out_dir / "otlp", rotate_spans)
        self.pending: list[tuple[int, str, str, str, str, str, str]] = []
        self.resources: dict[tuple, str] = {}
        self.feature_day: dict[tuple[str, str], list] = {}
        self.customer_month: dict[tuple[str, str], Decimal] = {}
        self.counts = {"spans": 0, "tasks": 0, "calls": 0, "lines": 0}
        self.dispositions: dict[str, int] = {}
        self.task_index = 0
        gt = out_dir / "ground_truth"
        gt.mkdir(parents=True, exist_ok=True)
        self.spans_out = open(gt / "spans.csv", "w", encoding="utf-8", newline="\n")
        self.calls_out = open(gt / "calls.csv", "w", encoding="utf-8", newline="\n")
        self.tasks_out = open(gt / "tasks.csv", "w", encoding="utf-8", newline="\n")
        self.spans_out.write(SPANS_HEADER)
        self.calls_out.write(CALLS_HEADER)
        self.tasks_out.write(TASKS_HEADER)

    # ------------------------------------------------------------------ small helpers
    def _pick(self, keys, cumulative):
        return keys[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _randint(self, low: int, high: int) -> int:
        """Uniform integer in [low, high] (cheaper than random.randint; deterministic for a seed)."""
        return low + int(self.rng.random() * (high - low + 1))

    def _span_id(self) -> str:
        return "%016x" % self.rng.getrandbits(64)

    def _error_status(self, message: str) -> str:
        roll = self.rng.random()
        code = "2" if roll < 0.9 else ('"STATUS_CODE_ERROR"' if roll < 0.96 else '"Error"')
        return '{"code":%s,"message":%s}' % (code, json.dumps(message))

    def _ok_status(self) -> str:
        roll = self.rng.random()
        return UNSET if roll < 0.7 else (STATUS_OK if roll < 0.97 else '{"code":"STATUS_CODE_OK"}')

    def _resource(self, service: str, environment: str, node: bool, old_env_key: bool) -> str:
        key = (service, environment, node, old_env_key)
        if key not in self.resources:
            attributes = [
                a_const("service.name", service),
                a_const("service.version", "2026.8.1"),
                a_const("deployment.environment" if old_env_key else "deployment.environment.name", environment),
                a_const("cloud.provider", "aws"),
                a_const("cloud.region", "us-east-1"),
                a_const("telemetry.sdk.language", "nodejs" if node else "python"),
                a_const("telemetry.sdk.name", "opentelemetry"),
                a_const("telemetry.sdk.version", "1.26.0" if node else "1.27.0"),
            ]
            self.resources[key] = otlp.resource_json(attributes)
        return self.resources[key]

    def _emit(self, task: Task, scope: str, parent: str | None, name: str, kind: int, start_us: int, end_us: int,
              attributes: list[str], status: str, disposition: str, reason: str = "", duplicate_of: str = "",
              convention: str | None = None, span_id: str | None = None, bad_timestamp: bool = False,
              redeliverable: bool = True) -> str:
        span_id = span_id or self._span_id()
        if bad_timestamp:
            start = datetime.fromtimestamp(start_us / 1_000_000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        else:
            start = "%d000" % start_us
        text = otlp.span_json(task.trace_id, span_id, parent, name, kind, start, "%d000" % end_us, attributes,
                              status)
        conv = task.convention if convention is None else convention
        task.spans.append((scope, text, span_id, disposition, reason, duplicate_of, conv, redeliverable))
        return span_id

    def _ints(self, task: Task, attrs: list[str], key: str, value: int, bad: bool = False) -> None:
        if bad:
            attrs.append(a_int_as_str(key, f"{value}abc"))
        elif task.string_ints:
            attrs.append(a_int_as_str(key, str(value)))
        else:
            attrs.append(a_int(key, value))

    # ------------------------------------------------------------------ usage
    def _partition(self, task: Task, feature: Feature, deployment: Deployment, step: int):
        """(input_uncached, cache_read, cache_write_5m, cache_write_1h, output, reasoning) of one logical call."""
        rng = self.rng
        conv = task.convention
        low, high = feature.input_tokens
        total = low + int((high - low) * rng.random() ** 2)
        if deployment.operation == "embeddings":
            return (self._randint(200, 3000), 0, 0, 0, 0, 0)
        if feature.structure == "longdoc" and deployment.model_id in LONG_CONTEXT and rng.random() < 0.12:
            threshold = LONG_CONTEXT[deployment.model_id]
            total = self._randint(threshold - 40_000, threshold + 90_000)
        cache_read = cache_5m = cache_1h = 0
        if conv in CAN_CACHE and deployment.cache == "anthropic":
            prefix = task.cache.get(deployment.key)
            if prefix is None and rng.random() < 0.6:
                prefix = min(total - 100, self._randint(1024, 6000))
                task.cache[deployment.key] = prefix
                if conv in CAN_CACHE_1H and rng.random() < 0.35:
                    cache_1h = prefix
                else:
                    cache_5m = prefix
            elif prefix is not None:
                total = max(total, prefix + 50)
                cache_read = prefix
        elif conv in CAN_CACHE and deployment.cache == "auto" and total >= 1100 and (step > 0 or rng.random() < 0.3):
            cache_read = int(total * (0.3 + 0.6 * rng.random())) // 128 * 128
        low, high = feature.output_tokens
        output = self._randint(low, high)
        reasoning = 0
        if conv in CAN_REASON and deployment.reasoning == "openai":
            reasoning = self._randint(64, 4000)
            output += reasoning
        elif conv in CAN_REASON and deployment.reasoning == "thinking" and rng.random() < 0.5:
            reasoning = self._randint(200, 3000)
            output += reasoning
        return (total - cache_read - cache_5m - cache_1h, cache_read, cache_5m, cache_1h, output, reasoning)

    # ------------------------------------------------------------------ model call spans, by convention
    def _call_span(self, task: Task, parent: str, deployment: Deployment, tier: str, usage, start_us: int,
                   end_us: int, error: str, streaming: bool, response_id: str | None, bad: str,
                   wrapped: bool, span_id: str | None = None, gateway_copy: bool = False):
        """Emit one model-call span; returns (span_id, response_model_reported)."""
        conv = task.convention
        rng = self.rng
        provider = deployment.provider
        attrs: list[str] = []
        ok = not error
        response_model = deployment.response_model if (ok or usage is not None) else None
        if ok and usage is None and response_model and rng.random() < 0.5:
            response_model = None  # streams cut short often lack the final chunk with model and usage
        disposition = "quarantine" if bad else ("duplicate" if gateway_copy else "billable_call")
        reason = bad if bad else ("same_response_id" if gateway_copy else "")
        total_in = out = 0
        if usage is not None:
            total_in = usage[0] + usage[1] + usage[2] + usage[3]
            out = usage[4]
        status = self._error_status(f"{error} from {deployment.server_address}") if error else self._ok_status()
        feature_id = task.feature.feature_id
        if conv in ("otel_genai_latest", "otel_genai_legacy"):
            latest = conv == "otel_genai_latest"
            op = deployment.operation
            name = f"{op} {deployment.request_model}"
            scope = "gateway" if gateway_copy else (LATEST_SCOPE if latest else LEGACY_SCOPE)[provider]
            attrs.append(a_const("gen_ai.operation.name", op))
            if latest:
                attrs.append(a_const("gen_ai.provider.name", provider))
            else:
                attrs.append(a_const("gen_ai.system", LEGACY_SYSTEM[provider]))
            attrs.append(a_const("gen_ai.request.model", deployment.request_model))
            if response_model:
                attrs.append(a_const("gen_ai.response.model", response_model))
            if response_id:
                attrs.append(a_str("gen_ai.response.id", response_id))
            attrs.append(a_const("server.address", deployment.server_address))
            attrs.append(a_int("server.port", 443))
            mask = [True, False, False, False, op != "embeddings", False]
            if usage is not None:
                old_names = not latest and task.legacy_prompt_names
                self._ints(task, attrs, "gen_ai.usage.prompt_tokens" if old_names else "gen_ai.usage.input_tokens",
                           total_in, bad == "bad_token_value")
                if op != "embeddings":
                    self._ints(task, attrs,
                               "gen_ai.usage.completion_tokens" if old_names else "gen_ai.usage.output_tokens", out)
                if latest and not gateway_copy:
                    if deployment.cache and (usage[1] or deployment.cache == "auto"):
                        self._ints(task, attrs, "gen_ai.usage.cache_read.input_tokens", usage[1])
                        mask[1] = True
                    if usage[2]:
                        key = ("gen_ai.usage.cache_write.input_tokens" if rng.random() < 0.4
                               else "gen_ai.usage.cache_creation.input_tokens")
                        self._ints(task, attrs, key, usage[2])
                        mask[2] = True
                    if usage[5]:
                        self._ints(task, attrs, "gen_ai.usage.reasoning.output_tokens", usage[5])
                        mask[5] = True
            if streaming:
                attrs.append(a_bool("gen_ai.request.stream", True))
                if ok:
                    attrs.append(a_double("gen_ai.response.time_to_first_chunk", round(0.2 + rng.random(), 3)))
            if provider in ("openai", "azure.ai.openai"):
                prefix = "openai." if latest else "gen_ai.openai."
                if tier in ("flex", "priority"):
                    attrs.append(a_const(prefix + "request.service_tier", tier))
                    if ok:
                        served = "scale" if tier == "priority" and rng.random() < 0.15 else tier
                        attrs.append(a_const(prefix + "response.service_tier", served))
                elif tier == "standard" and ok and rng.random() < 0.7:
                    attrs.append(a_const(prefix + "request.service_tier", "auto"))
                    attrs.append(a_const(prefix + "response.service_tier", "default"))
            if tier == "batch":
                if rng.random() < 0.5:
                    attrs.append(a_bool("app.llm.batch", True))
                else:
                    attrs.append(a_const("gen_ai.request.service_tier", "batch"))
            if error:
                attrs.append(a_const("error.type", error))
            elif op != "embeddings":
                attrs.append(a_str_array("gen_ai.response.finish_reasons", ["stop"]))
            if latest:
                attrs.append(a_str("gen_ai.conversation.id", task.session_id))
                attrs.append(a_const("gen_ai.input.messages", _content("user", feature_id)))
                if ok and op != "embeddings":
                    attrs.append(a_const("gen_ai.output.messages", _content("assistant", feature_id)))
            else:
                attrs.append(a_const("gen_ai.prompt", f"{MARKER} prompt for {feature_id}"))
                if ok and op != "embeddings":
                    attrs.append(a_const("gen_ai.completion", f"{MARKER} completion for {feature_id}"))
            kind = 3
        elif conv == "openllmetry_legacy":
            name = OLM_NAME[provider]
            scope = OLM_SCOPE[provider]
            attrs.append(a_const("llm.request.type", "chat"))
            attrs.append(a_const("gen_ai.system", OLM_SYSTEM[provider]))
            attrs.append(a_const("gen_ai.request.model", deployment.request_model))
            if response_model:
                attrs.append(a_const("gen_ai.response.model", response_model))
            if response_id:
                attrs.append(a_str("gen_ai.response.id", response_id))
            if usage is not None:
                exclusive = provider in ("anthropic", "aws.bedrock")
                prompt = usage[0] if exclusive else total_in
                attrs.append(a_int("gen_ai.usage.prompt_tokens", prompt))
                attrs.append(a_int("gen_ai.usage.completion_tokens", out))
                attrs.append(a_int("llm.usage.total_tokens", prompt + out))
                if usage[1] or deployment.cache == "anthropic":
                    attrs.append(a_int("gen_ai.usage.cache_read_input_tokens", usage[1]))
                if deployment.cache == "anthropic":
                    attrs.append(a_int("gen_ai.usage.cache_creation_input_tokens", usage[2]))
            mask = [True, bool(usage and (usage[1] or deployment.cache == "anthropic")),
                    deployment.cache == "anthropic", False, True, False]
            attrs.append(a_bool("llm.is_streaming", streaming))
            self._traceloop_associations(task, attrs)
            attrs.append(a_const("gen_ai.prompt.0.role", "user"))
            attrs.append(a_const("gen_ai.prompt.0.content", f"{MARKER} prompt for {feature_id}"))
            if ok:
                attrs.append(a_const("gen_ai.completion.0.role", "assistant"))
                attrs.append(a_const("gen_ai.completion.0.content", f"{MARKER} completion for {feature_id}"))
            if error:
                attrs.append(a_const("error.type", error))
            kind = 3
        elif conv == "openinference" and deployment.operation == "embeddings":
            name = "CreateEmbeddingResponse"
            scope = OI_SCOPE[provider]
            attrs.append(a_const("openinference.span.kind", "EMBEDDING"))
            attrs.append(a_const("embedding.model_name", response_model or deployment.request_model))
            if usage is not None:
                attrs.append(a_int("llm.token_count.prompt", total_in))
                attrs.append(a_int("llm.token_count.total", total_in))
            mask = [True, False, False, False, False, False]
            attrs.append(a_const("input.value", f"{MARKER} text to embed for {feature_id}"))
            if error:
                attrs.append(a_const("exception.type", "RateLimitError" if error == "429" else "InternalServerError"))
            kind = 1
        elif conv == "openinference":
            name = "Messages" if provider == "anthropic" else "ChatCompletion"
            scope = OI_SCOPE[provider]
            llm_provider, llm_system = OI_PROVIDER[provider]
            attrs.append(a_const("openinference.span.kind", "LLM"))
            attrs.append(a_const("llm.model_name", response_model or deployment.request_model))
            attrs.append(a_const("llm.provider", llm_provider))
            attrs.append(a_const("llm.system", llm_system))
            attrs.append(a_const("llm.invocation_parameters",
                               json.dumps({"model": deployment.request_model, "temperature": 0.2},
                                          separators=(",", ":"))))
            if usage is not None:
                for key, value in (("llm.token_count.prompt", total_in), ("llm.token_count.completion", out),
                                   ("llm.token_count.total", total_in + out),
                                   ("llm.token_count.prompt_details.cache_read", usage[1]),
                                   ("llm.token_count.prompt_details.cache_write", usage[2]),
                                   ("llm.token_count.completion_details.reasoning", usage[5])):
                    if value:  # OpenInference only emits truthy counts
                        attrs.append(a_int(key, value))
            mask = [True, bool(usage and usage[1]), bool(usage and usage[2]), False, bool(out),
                    bool(usage and usage[5])]
            attrs.append(a_const("input.value", f"{MARKER} prompt for {feature_id}"))
            attrs.append(a_const("input.mime_type", "text/plain"))
            attrs.append(a_const("llm.input_messages.0.message.role", "user"))
            attrs.append(a_const("llm.input_messages.0.message.content", f"{MARKER} prompt for {feature_id}"))
            if ok:
                attrs.append(a_const("output.value", f"{MARKER} completion for {feature_id}"))
                attrs.append(a_const("llm.output_messages.0.message.role", "assistant"))
                attrs.append(a_const("llm.output_messages.0.message.content", f"{MARKER} completion for {feature_id}"))
            attrs.append(a_str("session.id", task.session_id))
            attrs.append(a_const("user.id", task.user_id))
            if error:
                attrs.append(a_const("exception.type", "RateLimitError" if error == "429" else "InternalServerError"))
            kind = 1
        elif conv in ("vercel_v4", "vercel_v6"):
            v6 = conv == "vercel_v6"
            operation = "ai.streamText.doStream" if streaming else "ai.generateText.doGenerate"
            name = operation
            scope = "vercel"
            model_provider = VERCEL_PROVIDER[provider]
            attrs.append(a_const("ai.operationId", operation))
            attrs.append(a_const("operation.name", f"{operation} {feature_id}"))
            attrs.append(a_const("ai.model.id", deployment.request_model))
            attrs.append(a_const("ai.model.provider", model_provider))
            self._vercel_metadata(task, attrs)
            attrs.append(a_const("ai.prompt.messages", _content("user", feature_id)))
            attrs.append(a_const("gen_ai.system", model_provider))
            attrs.append(a_const("gen_ai.request.model", deployment.request_model))
            if response_model:
                attrs.append(a_const("ai.response.model", response_model))
                attrs.append(a_const("gen_ai.response.model", response_model))
            if response_id:
                attrs.append(a_str("ai.response.id", response_id))
                attrs.append(a_str("gen_ai.response.id", response_id))
            if ok:
                attrs.append(a_const("ai.response.text", f"{MARKER} completion for {feature_id}"))
                attrs.append(a_const("ai.response.finishReason", "stop"))
                if streaming:
                    attrs.append(a_double("ai.response.msToFirstChunk" if v6 else "ai.stream.msToFirstChunk",
                                          float(self._randint(150, 1500))))
            mask = [True, v6, v6, False, True, v6]
            if usage is not None:
                if v6:
                    attrs.extend(self._vercel_v6_usage(usage))
                    metadata = ({"anthropic": {"cacheCreationInputTokens": usage[2]}} if provider == "anthropic"
                                else {"openai": {"cachedPromptTokens": usage[1], "reasoningTokens": usage[5]}})
                    attrs.append(a_str("ai.response.providerMetadata", json.dumps(metadata, separators=(",", ":"))))
                else:
                    attrs.append(a_int("ai.usage.promptTokens", usage[0]))
                    attrs.append(a_int("ai.usage.completionTokens", out))
                    attrs.append(a_int("gen_ai.usage.prompt_tokens", usage[0]))
                    attrs.append(a_int("gen_ai.usage.completion_tokens", out))
            if error:
                attrs.append(a_const("error.type", "AI_APICallError"))
                attrs.append(a_int("ai.response.statusCode" if v6 else "http.status_code", int(error)))
            kind = 1
        else:  # langfuse
            name = f"{feature_id}.generation"
            scope = "langfuse"
            attrs.append(a_const("langfuse.observation.type", "generation"))
            attrs.append(a_const("langfuse.observation.model.name", response_model or deployment.request_model))
            attrs.append(a_const("langfuse.observation.metadata.ls_provider", LANGFUSE_PROVIDER[provider]))
            attrs.append(a_const("langfuse.observation.model.parameters", '{"temperature":0.3}'))
            if usage is not None:
                details = {"input": usage[0], "output": usage[4] - usage[5]}
                for key, value in (("input_cached_tokens", usage[1]), ("input_cache_creation_5m", usage[2]),
                                   ("input_cache_creation_1h", usage[3]), ("output_reasoning_tokens", usage[5])):
                    if value:
                        details[key] = value
                attrs.append(a_str("langfuse.observation.usage_details", json.dumps(details, separators=(",", ":"))))
            mask = [True, bool(usage and usage[1]), bool(usage and usage[2]), bool(usage and usage[3]), True,
                    bool(usage and usage[5])]
            if tier == "batch":
                attrs.append(a_bool("app.llm.batch", True))
            attrs.append(a_const("langfuse.observation.input", f"{MARKER} prompt for {feature_id}"))
            if ok:
                attrs.append(a_const("langfuse.observation.output", f"{MARKER} completion for {feature_id}"))
            else:
                attrs.append(a_const("langfuse.observation.level", "ERROR"))
                attrs.append(a_const("langfuse.observation.status_message", f"HTTP {error}"))
            kind = 1
        span_id = self._emit(task, scope, parent, name, kind, start_us, end_us, attrs, status, disposition, reason,
                             duplicate_of=span_id if gateway_copy else "",
                             span_id=None if gateway_copy else span_id,
                             bad_timestamp=bad == "bad_timestamp", redeliverable=not bad)
        return span_id, response_model, mask

    def _vercel_v6_usage(self, usage) -> list[str]:
        total_in = usage[0] + usage[1] + usage[2] + usage[3]
        return [
            a_int("ai.usage.inputTokens", total_in),
            a_int("ai.usage.inputTokenDetails.noCacheTokens", usage[0]),
            a_int("ai.usage.inputTokenDetails.cacheReadTokens", usage[1]),
            a_int("ai.usage.inputTokenDetails.cacheWriteTokens", usage[2] + usage[3]),
            a_int("ai.usage.outputTokens", usage[4]),
            a_int("ai.usage.outputTokenDetails.textTokens", usage[4] - usage[5]),
            a_int("ai.usage.outputTokenDetails.reasoningTokens", usage[5]),
            a_int("ai.usage.totalTokens", total_in + usage[4]),
            a_int("ai.usage.cachedInputTokens", usage[1]),
            a_int("ai.usage.reasoningTokens", usage[5]),
            a_int("gen_ai.usage.input_tokens", total_in),
            a_int("gen_ai.usage.output_tokens", usage[4]),
        ]

    def _vercel_metadata(self, task: Task, attrs: list[str]) -> None:
        attrs.append(a_const("ai.telemetry.functionId", task.feature.feature_id))
        attrs.append(a_const("ai.telemetry.metadata.featureId", task.feature.feature_id))
        if task.customer_id:
            attrs.append(a_const("ai.telemetry.metadata.customerId", task.customer_id))
        attrs.append(a_const("ai.telemetry.metadata.userId", task.user_id))
        attrs.append(a_str("ai.telemetry.metadata.sessionId", task.session_id))

    def _traceloop_associations(self, task: Task, attrs: list[str]) -> None:
        if task.customer_id:
            attrs.append(a_const("traceloop.association.properties.customer_id", task.customer_id))
        attrs.append(a_const("traceloop.association.properties.feature_id", task.feature.feature_id))
        attrs.append(a_const("traceloop.association.properties.user_id", task.user_id))
        attrs.append(a_str("traceloop.association.properties.session_id", task.session_id))

    # ------------------------------------------------------------------ logical calls, retries, fallbacks
    def _logical_call(self, task: Task, parent: str, deployment: Deployment, tier: str, step: int,
                      is_fallback: bool, wrapper_parent: bool):
        """Emit the attempts of one logical call under parent; returns (succeeded, usage list of successful/partial
        attempts for aggregates, end time)."""
        rng = self.rng
        conv = task.convention
        usage = self._partition(task, task.feature, deployment, step)
        reported = []
        allow_retry = conv in CAN_RETRY and not wrapper_parent
        for attempt in range(1, 4):
            start_us = task.cursor
            failing = allow_retry and rng.random() < (0.05 if attempt == 1 else 0.35)
            error = ""
            attempt_usage = usage
            streaming = bool(task.stream_mode)  # Vercel: doStream under streamText, doGenerate under generateText
            if failing:
                error = "429" if rng.random() < 0.7 else "500"
                if not (error == "500" and rng.random() < 0.3):
                    attempt_usage = None
                duration = self._randint(80_000, 900_000)
            else:
                if task.stream_mode is not None:
                    streaming = task.stream_mode
                else:
                    streaming = conv != "langfuse" and task.feature.is_interactive and rng.random() < 0.25
                if (streaming and conv in ("otel_genai_latest", "otel_genai_legacy")
                        and deployment.provider in ("openai", "azure.ai.openai") and rng.random() < 0.2):
                    attempt_usage = None  # stream_options.include_usage not set
                duration = self._randint(400_000, 2_500_000) + (attempt_usage[4] if attempt_usage else 300) * 12_000
            end_us = start_us + duration
            response_id = None
            if attempt_usage is not None and deployment.provider != "aws.bedrock":
                response_id = self._response_id(deployment)
            bad = ""
            if (attempt_usage is not None and not error and conv in ("otel_genai_latest", "otel_genai_legacy")
                    and not wrapper_parent and rng.random() < 0.004):
                bad = "bad_token_value" if rng.random() < 0.7 else "bad_timestamp"
            wrapper_id = None
            call_parent = parent
            if wrapper_parent:
                wrapper_id = self._span_id()
                call_parent = wrapper_id
            span_id, response_model, mask = self._call_span(
                task, call_parent, deployment, tier, attempt_usage, start_us + 2_000, end_us - 1_000, error,
                streaming, response_id, bad, wrapper_parent)
            if wrapper_parent:
                self._framework_wrapper(task, parent, wrapper_id, deployment, attempt_usage, start_us, end_us,
                                        error)
            if (not bad and response_id and not error and conv == "otel_genai_latest"
                    and rng.random() < 0.03):
                self._call_span(task, parent, deployment, tier, attempt_usage, start_us + 3_500, end_us, error,
                                streaming, response_id, "", False, span_id=span_id, gateway_copy=True)
            if not bad:
                self._record_call(task, span_id, start_us + 2_000, deployment, tier, attempt_usage, mask,
                                  response_model, attempt > 1, is_fallback)
                if attempt_usage is not None:
                    reported.append(attempt_usage)
            task.cursor = end_us + self._randint(5_000, 60_000)
            if not error:
                return True, reported
        return False, reported

    def _response_id(self, deployment: Deployment) -> str:
        bits = self.rng.getrandbits(96)
        if deployment.provider in ("anthropic",):
            return "msg_01%024x" % bits
        if deployment.provider in ("gcp.vertex_ai", "gcp.gemini"):
            return "%024x" % bits
        return "chatcmpl-%024x" % bits

    def _framework_wrapper(self, task: Task, parent: str, wrapper_id: str, deployment: Deployment, usage,
                           start_us: int, end_us: int, error: str) -> None:
        attrs: list[str] = []
        feature_id = task.feature.feature_id
        provider = deployment.provider
        status = self._error_status(f"{error} upstream") if error else UNSET
        if task.convention == "openinference":
            name = OI_LANGCHAIN[provider]
            scope = "oi/langchain"
            llm_provider, llm_system = OI_PROVIDER[provider]
            attrs.append(a_const("openinference.span.kind", "LLM"))
            attrs.append(a_const("llm.model_name", deployment.request_model))
            attrs.append(a_const("llm.provider", llm_provider))
            attrs.append(a_const("llm.system", llm_system))
            if usage is not None:
                total_in = usage[0] + usage[1] + usage[2] + usage[3]
                attrs.append(a_int("llm.token_count.prompt", total_in))
                attrs.append(a_int("llm.token_count.completion", usage[4]))
                attrs.append(a_int("llm.token_count.total", total_in + usage[4]))
            attrs.append(a_const("input.value", f"{MARKER} prompt for {feature_id}"))
            attrs.append(a_const("output.value", f"{MARKER} completion for {feature_id}"))
            attrs.append(a_str("session.id", task.session_id))
        else:  # openllmetry LangChain instrumentation: cache-blind usage
            name = OLM_LANGCHAIN[provider]
            scope = "olm/langchain"
            attrs.append(a_const("llm.request.type", "chat"))
            attrs.append(a_const("traceloop.span.kind", "task"))
            attrs.append(a_const("gen_ai.system", OLM_SYSTEM[provider]))
            attrs.append(a_const("gen_ai.request.model", deployment.request_model))
            if usage is not None:
                attrs.append(a_int("gen_ai.usage.prompt_tokens", usage[0]))
                attrs.append(a_int("gen_ai.usage.completion_tokens", usage[4]))
                attrs.append(a_int("llm.usage.total_tokens", usage[0] + usage[4]))
            self._traceloop_associations(task, attrs)
            attrs.append(a_const("gen_ai.prompt.0.content", f"{MARKER} prompt for {feature_id}"))
            attrs.append(a_const("gen_ai.completion.0.content", f"{MARKER} completion for {feature_id}"))
        self._emit(task, scope, parent, name, 1, start_us, end_us, attrs, status, "wrapper", "framework_wrapper",
                   span_id=wrapper_id)

    def _record_call(self, task: Task, span_id: str, start_us: int, deployment: Deployment, tier: str, usage,
                     mask: list[bool], response_model: str | None, is_retry: bool, is_fallback: bool) -> None:
        moment = datetime.fromtimestamp(start_us // 1_000_000, timezone.utc)
        call_date = moment.date()
        called_at = "%s.%06d" % (moment.strftime("%Y-%m-%d %H:%M:%S"), start_us % 1_000_000)
        if usage is None:
            cost = ZERO
            tokens = ",,,,,"
            status = "missing"
        else:
            cost = call_cost(deployment.model_id, call_date, tier, usage[0], usage[1], usage[2], usage[3], usage[4])
            # A part the span does not report is NULL (empty), as int_llm_calls has it; its true value is 0.
            tokens = ",".join(str(value) if shown else "" for value, shown in zip(usage, mask))
            status = "reported"
        billing_account, sub_account = self.billing[(deployment.provider, task.environment)]
        date_text = call_date.isoformat()
        feature_id = task.feature.feature_id
        raw_model = response_model or deployment.request_model
        task.call_rows.append(",".join((
            task.trace_id, span_id, task.task_id, called_at, date_text, deployment.provider, deployment.model_id,
            raw_model, tier, task.environment, task.customer_id, feature_id, task.feature.team_id, status, tokens,
            "true" if is_retry else "false", "true" if is_fallback else "false", f"{cost:.12f}", billing_account,
            sub_account, deployment.region)))
        task.cost += cost
        task.usages.append(usage)
        task.attempts += 1
        if not is_retry:
            task.calls += 1
        key = (date_text, feature_id)
        bucket = self.feature_day.get(key)
        if bucket is None:
            self.feature_day[key] = [1, cost]
        else:
            bucket[0] += 1
            bucket[1] += cost
        if task.customer_id:
            month_key = (date_text[:7] + "-01", task.customer_id)
            self.customer_month[month_key] = self.customer_month.get(month_key, ZERO) + cost

    # ------------------------------------------------------------------ task structure
    def _options(self, task: Task, convention: str) -> list[tuple[Deployment, float]]:
        """The feature's deployments this convention can instrument and whose model is priced on the task's day."""
        allowed = CONVENTION_PROVIDERS[convention]
        return [(DEPLOYMENTS[k], w) for k, w in task.feature.deployments
                if DEPLOYMENTS[k].provider in allowed and _available(DEPLOYMENTS[k], task.day)]

    def _choose_deployment(self, task: Task) -> Deployment:
        keys, cumulative = _weighted(self._options(task, task.convention))
        return self._pick(keys, cumulative)

    def _choose_tier(self, task: Task, deployment: Deployment) -> str:
        allowed = CAN_TIER.get(task.convention, set())
        tiers = [t for t in deployment.tiers if t in allowed]
        if not tiers:
            return "standard"
        roll = self.rng.random()
        if task.feature.structure == "batch":
            if "batch" in tiers and roll < 0.7:
                return "batch"
            if "flex" in tiers and roll < 0.9:
                return "flex"
            return "standard"
        if "flex" in tiers and roll < 0.1:
            return "flex"
        if "priority" in tiers and roll > 0.95:
            return "priority"
        return "standard"

    def _tool_span(self, task: Task, parent: str, tool: str) -> None:
        rng = self.rng
        start_us = task.cursor
        end_us = start_us + self._randint(20_000, 800_000)
        conv = task.convention
        feature_id = task.feature.feature_id
        attrs: list[str] = []
        call_id = "call_%012x" % rng.getrandbits(48)
        if conv == "otel_genai_latest":
            scope, name = "latest/agent", f"execute_tool {tool}"
            attrs += [a_const("gen_ai.operation.name", "execute_tool"), a_const("gen_ai.tool.name", tool),
                      a_str("gen_ai.tool.call.id", call_id),
                      a_const("gen_ai.tool.call.arguments", f'{{"q":"{MARKER} {feature_id}"}}'),
                      a_const("gen_ai.tool.call.result", f"{MARKER} tool result")]
        elif conv == "openllmetry_legacy":
            scope, name = "olm/traceloop", f"{tool}.tool"
            attrs += [a_const("traceloop.span.kind", "tool"), a_const("traceloop.entity.name", tool)]
            self._traceloop_associations(task, attrs)
        elif conv == "openinference":
            scope, name = "oi/langchain", tool
            attrs += [a_const("openinference.span.kind", "TOOL"), a_const("tool.name", tool),
                      a_const("input.value", f"{MARKER} tool input"), a_const("output.value", f"{MARKER} tool output")]
        elif conv in ("vercel_v4", "vercel_v6"):
            scope, name = "vercel", "ai.toolCall"
            attrs += [a_const("ai.operationId", "ai.toolCall"), a_const("ai.toolCall.name", tool),
                      a_str("ai.toolCall.id", call_id)]
        elif conv == "langfuse":
            scope, name = "langfuse", tool
            attrs += [a_const("langfuse.observation.type", "tool")]
        else:
            scope, name = "app", f"tool {tool}"
            attrs += [a_const("app.tool.name", tool)]
        self._emit(task, scope, parent, name, 1, start_us, end_us, attrs, UNSET, "non_model")
        task.cursor = end_us + self._randint(1_000, 20_000)

    def _retrieval_span(self, task: Task, parent: str) -> None:
        rng = self.rng
        start_us = task.cursor
        end_us = start_us + self._randint(10_000, 200_000)
        conv = task.convention
        if conv == "otel_genai_latest":
            scope, name = "latest/agent", "retrieval kb-main"
            attrs = [a_const("gen_ai.operation.name", "retrieval"), a_const("gen_ai.data_source.id", "kb-main")]
        elif conv == "openinference":
            scope, name = "oi/langchain", "VectorStoreRetriever"
            attrs = [a_const("openinference.span.kind", "RETRIEVER"), a_const("input.value", f"{MARKER} query")]
        else:
            scope, name = "app", "vector_search"
            attrs = [a_const("db.system", "pgvector"), a_const("db.operation.name", "SELECT")]
        self._emit(task, scope, parent, name, 1, start_us, end_us, attrs, UNSET, "non_model")
        task.cursor = end_us + self._randint(1_000, 10_000)

    def _steps(self, task: Task, parent: str, wrapper_parent: bool) -> bool:
        """The model calls (and tools) of the task under parent; returns False when the task failed."""
        rng = self.rng
        feature = task.feature
        structure = feature.structure
        deployment = self._choose_deployment(task)
        if structure == "rag":
            embed = DEPLOYMENTS["openai/text-embedding-3-small"]
            ok, _ = self._logical_call(task, parent, embed, "standard", 0, False, False)
            if not ok:
                return False
            self._retrieval_span(task, parent)
            steps = 1 + (rng.random() < 0.3)
        elif structure == "agent":
            steps = self._randint(2, 5)
        elif structure == "batch":
            steps = 1 + (rng.random() < 0.4)
        elif structure == "longdoc":
            steps = 1 + (rng.random() < 0.3)
        else:
            steps = self._randint(1, 3)
        tier = self._choose_tier(task, deployment)
        for step in range(steps):
            if structure == "agent" and step > 0:
                self._tool_span(task, parent, TOOLS[rng.randrange(len(TOOLS))])
            ok, _ = self._logical_call(task, parent, deployment, tier, step, False, wrapper_parent)
            if not ok:
                fallback = DEPLOYMENTS[feature.fallback]
                if (fallback.key != deployment.key and fallback.provider in CONVENTION_PROVIDERS[task.convention]
                        and _available(fallback, task.day) and rng.random() < 0.6):
                    ok, _ = self._logical_call(task, parent, fallback, "standard", 0, True, wrapper_parent)
                if not ok:
                    return False
        return True

    def _body(self, task: Task, root_id: str) -> bool:
        """Convention-specific span tree under the root; returns False when the task failed."""
        rng = self.rng
        conv = task.convention
        feature = task.feature
        start_us = task.cursor
        if conv == "otel_genai_latest" and feature.structure == "agent":
            agent_id = self._span_id()
            first = len(task.usages)
            task.cursor += 1_000
            ok = self._steps(task, agent_id, False)
            attrs = [a_const("gen_ai.operation.name", "invoke_agent"), a_const("gen_ai.agent.name", feature.feature_id),
                     a_const("gen_ai.agent.id", f"agent_{feature.feature_id}")]
            # Aggregate usage of the child calls (what many agent frameworks report on the agent span).
            carries_usage = rng.random() < 0.7
            if carries_usage:
                total_in = out = cache_read = 0
                for u in task.usages[first:]:
                    if u is not None:
                        total_in += u[0] + u[1] + u[2] + u[3]
                        out += u[4]
                        cache_read += u[1]
                attrs += [a_int("gen_ai.usage.input_tokens", total_in), a_int("gen_ai.usage.output_tokens", out),
                          a_int("gen_ai.usage.cache_read.input_tokens", cache_read)]
            attrs.append(a_str("gen_ai.conversation.id", task.session_id))
            status = UNSET if ok else self._error_status("agent run failed")
            self._emit(task, "latest/agent", root_id, f"invoke_agent {feature.feature_id}", 1, start_us,
                       task.cursor, attrs, status, "wrapper" if carries_usage else "non_model",
                       "agent_aggregate" if carries_usage else "", span_id=agent_id)
            return ok
        if conv == "openllmetry_legacy":
            workflow_id = self._span_id()
            task.cursor += 1_000
            ok = self._steps(task, workflow_id, task.wrapped)
            attrs = [a_const("traceloop.span.kind", "workflow"), a_const("traceloop.workflow.name", feature.feature_id),
                     a_const("traceloop.entity.name", feature.feature_id)]
            self._traceloop_associations(task, attrs)
            self._emit(task, "olm/traceloop", root_id, f"{feature.feature_id}.workflow", 1, start_us, task.cursor,
                       attrs, UNSET if ok else self._error_status("workflow failed"), "non_model",
                       span_id=workflow_id)
            return ok
        if conv == "openinference":
            chain_id = self._span_id()
            task.cursor += 1_000
            ok = self._steps(task, chain_id, task.wrapped)
            attrs = [a_const("openinference.span.kind", "AGENT" if feature.structure == "agent" else "CHAIN"),
                     a_const("input.value", f"{MARKER} request"), a_str("session.id", task.session_id),
                     a_const("user.id", task.user_id)]
            if ok:
                attrs.append(a_const("output.value", f"{MARKER} answer"))
            self._emit(task, "oi/langchain", root_id, "AgentExecutor" if feature.structure == "agent"
                       else "RunnableSequence", 1, start_us, task.cursor, attrs,
                       UNSET if ok else self._error_status("chain failed"), "non_model", span_id=chain_id)
            return ok
        if conv in ("vercel_v4", "vercel_v6"):
            return self._vercel_body(task, root_id)
        if conv == "langfuse":
            span_id = self._span_id()
            task.cursor += 1_000
            ok = self._steps(task, span_id, False)
            attrs = [a_const("langfuse.observation.type", "agent" if feature.structure == "agent" else "span"),
                     a_const("langfuse.trace.name", feature.feature_id),
                     a_const("langfuse.trace.metadata.feature_id", feature.feature_id),
                     a_const("langfuse.user.id", task.user_id), a_str("langfuse.session.id", task.session_id)]
            if task.customer_id:
                attrs.append(a_const("langfuse.trace.metadata.customer_id", task.customer_id))
            self._emit(task, "langfuse", root_id, feature.feature_id, 1, start_us, task.cursor, attrs,
                       UNSET if ok else self._error_status("failed"), "non_model", span_id=span_id)
            return ok
        task.cursor += 1_000
        return self._steps(task, root_id, False)

    def _vercel_body(self, task: Task, root_id: str) -> bool:
        """One outer ai.generateText/ai.streamText per model invocation; its doGenerate steps and retries inside."""
        rng = self.rng
        feature = task.feature
        v6 = task.convention == "vercel_v6"
        invocations = 1 if feature.structure == "agent" else self._randint(1, 2)
        for _ in range(invocations):
            outer_id = self._span_id()
            start_us = task.cursor
            task.cursor += 1_500
            first = len(task.usages)
            deployment = self._choose_deployment(task)
            steps = self._randint(2, 4) if feature.structure == "agent" else 1
            streaming = feature.is_interactive and rng.random() < 0.3
            task.stream_mode = streaming
            ok = True
            for step in range(steps):
                if step > 0:
                    self._tool_span(task, outer_id, TOOLS[rng.randrange(len(TOOLS))])
                ok, _ = self._logical_call(task, outer_id, deployment, "standard", step, False, False)
                if not ok:
                    break
            task.stream_mode = None
            operation = "ai.streamText" if streaming else "ai.generateText"
            attrs = [a_const("ai.operationId", operation),
                     a_const("operation.name", f"{operation} {feature.feature_id}"),
                     a_const("ai.model.id", deployment.request_model),
                     a_const("ai.model.provider", VERCEL_PROVIDER[deployment.provider]),
                     a_int("ai.settings.maxRetries", 2),
                     a_const("ai.prompt", json.dumps({"prompt": f"{MARKER} {feature.feature_id}"}))]
            self._vercel_metadata(task, attrs)
            usage = [0, 0, 0, 0, 0, 0]
            for u in task.usages[first:]:
                if u is not None:
                    for i, value in enumerate(u):
                        usage[i] += value
            if v6:
                attrs.extend(a for a in self._vercel_v6_usage(tuple(usage)) if '"gen_ai.' not in a)
            else:
                attrs += [a_int("ai.usage.promptTokens", usage[0]), a_int("ai.usage.completionTokens", usage[4])]
            if ok:
                attrs.append(a_const("ai.response.text", f"{MARKER} final answer"))
            self._emit(task, "vercel", root_id, operation, 1, start_us, task.cursor, attrs,
                       UNSET if ok else self._error_status("AI_RetryError: Failed after 3 attempts"),
                       "wrapper", "sdk_outer_span", span_id=outer_id)
            task.cursor += 2_000
            if not ok:
                return False
        return True

    # ------------------------------------------------------------------ one task
    def _new_task(self) -> tuple[Task, int]:
        rng = self.rng
        task = Task()
        start_us = self.window_start_us + rng.randrange(self.window_us - 900_000_000)
        day = datetime.fromtimestamp(start_us // 1_000_000, timezone.utc).date()
        feature = None
        for _ in range(20):
            candidate = self._pick(self.feature_keys, self.feature_cum)
            if candidate.launched_date(self.start) <= day and _usable(candidate, day):
                feature = candidate
                break
        if feature is None:
            usable = [f for f in FEATURES if _usable(f, day)]
            if not usable:
                raise ValueError(f"none of the generator's models is priced on {day}; choose a later --start")
            feature = min(usable, key=lambda f: f.launch_offset_days)
        environment = self._pick(self.env_keys, self.env_cum)
        customer_id = ""
        if environment == "production":
            account = None
            for _ in range(30):
                candidate = self._pick(self.account_keys, self.account_cum)
                if is_active(candidate, day):
                    account = candidate
                    break
            if account is None:
                environment = "staging"
            else:
                customer_id = account.account_id
        conv_keys, conv_cum = _weighted(feature.conventions)
        task.convention = self._pick(conv_keys, conv_cum)
        task.feature = feature
        task.day = day
        if not self._options(task, task.convention):  # models launched after this day: any convention that fits
            task.convention = next((c for c in CONVENTION_PROVIDERS if self._options(task, c)), None)
            if task.convention is None:  # cannot happen: otel_genai_latest instruments every provider
                raise ValueError(f"no convention fits feature {feature.feature_id} on {day}")
        task.trace_id = "%032x" % rng.getrandbits(128)
        task.task_id = ("task_%020x" % rng.getrandbits(80)) if rng.random() < 0.6 else task.trace_id
        task.environment = environment
        task.feature = feature
        task.customer_id = customer_id
        if customer_id:
            task.user_id = f"{customer_id}-u{rng.randrange(60):03d}"
        elif environment == "eval":
            task.user_id = "eval-runner"
        else:
            task.user_id = f"emp-{rng.randrange(40):03d}"
        task.session_id = "sess_%016x" % rng.getrandbits(64)
        task.cursor = start_us + self._randint(500, 5_000)
        task.spans = []
        task.call_rows = []
        task.usages = []
        task.cost = ZERO
        task.calls = 0
        task.attempts = 0
        task.cache = {}
        task.string_ints = task.convention == "otel_genai_latest" and rng.random() < 0.03
        task.legacy_prompt_names = rng.random() < 0.6
        task.wrapped = task.convention in ("openllmetry_legacy", "openinference") and rng.random() < 0.5
        task.stream_mode = None
        return task, start_us

    def _generate_task(self) -> None:
        rng = self.rng
        task, start_us = self._new_task()
        feature = task.feature
        root_id = self._span_id()
        ok = self._body(task, root_id)
        outcome = "success" if ok else "failure"
        if ok and feature.is_interactive and rng.random() < 0.04:
            outcome = "abandoned"
        end_us = task.cursor + self._randint(1_000, 30_000)
        attrs = [a_const("http.request.method", "POST"), a_const("http.route", feature.route),
                 a_const("url.path", feature.route), a_int("http.response.status_code",
                                                         {"success": 200, "failure": 502, "abandoned": 499}[outcome])]
        if task.task_id != task.trace_id:
            attrs.append(a_str("app.task_id", task.task_id))
        native_dims = task.convention in ("openllmetry_legacy", "vercel_v4", "vercel_v6", "langfuse")
        if not native_dims or rng.random() < 0.6:
            attrs.append(a_const("app.feature_id", feature.feature_id))
            if task.customer_id:
                attrs.append(a_const("app.customer_id", task.customer_id))
            attrs.append(a_const("user.id", task.user_id))
        if rng.random() < 0.3:
            attrs.append(a_const("app.team_id", feature.team_id))
        has_outcome = outcome == "abandoned" or rng.random() < 0.85
        if has_outcome:
            attrs.append(a_const("app.task.outcome", outcome))
        status = self._error_status("upstream model failure") if outcome == "failure" else UNSET
        node = task.convention in ("vercel_v4", "vercel_v6")
        self._emit(task, "http_node" if node else "http_py", None, f"POST {feature.route}", 2, start_us, end_us,
                   attrs, status, "non_model", convention="", span_id=root_id)
        old_env_key = task.convention in ("openllmetry_legacy", "langfuse") and rng.random() < 0.4
        service = "eval-runner" if task.environment == "eval" else feature.service
        resource = self._resource(service, task.environment, node, old_env_key)
        self._write_task(task, resource, outcome)

    def _write_task(self, task: Task, resource: str, outcome: str) -> None:
        rng = self.rng
        by_scope: dict[str, list[tuple]] = {}
        for entry in task.spans:
            by_scope.setdefault(entry[0], []).append(entry)
        line = otlp.request_line(resource, [(SCOPE_JSON[s], [e[1] for e in entries])
                                            for s, entries in by_scope.items()])
        self.writer.write(line, len(task.spans))
        self.counts["lines"] += 1
        rows = []
        ordered = [entry for entries in by_scope.values() for entry in entries]  # delivery order
        for scope, text, span_id, disposition, reason, duplicate_of, conv, redeliverable in ordered:
            rows.append(f"{task.trace_id},{span_id},1,{disposition},{reason},{duplicate_of},{conv}\n")
            self.dispositions[disposition] = self.dispositions.get(disposition, 0) + 1
            if redeliverable and rng.random() < 0.004:
                due = self.task_index + self._randint(1, 3)
                self.pending.append((due, resource, scope, text, task.trace_id, span_id, conv))
        self.spans_out.write("".join(rows))
        self.counts["spans"] += len(task.spans)
        if task.call_rows:
            self.calls_out.write("\n".join(task.call_rows) + "\n")
            self.counts["calls"] += len(task.call_rows)
        self.tasks_out.write(",".join((task.task_id, task.trace_id, task.feature.feature_id, task.customer_id,
                                       task.environment, outcome, str(task.calls), str(task.attempts),
                                       f"{task.cost:.12f}")) + "\n")
        self.counts["tasks"] += 1

    def _flush_redeliveries(self, everything: bool = False) -> None:
        keep = []
        for item in self.pending:
            due, resource, scope, text, trace_id, span_id, conv = item
            if everything or due <= self.task_index:
                self.writer.write(otlp.request_line(resource, [(SCOPE_JSON[scope], [text])]), 1)
                self.counts["lines"] += 1
                self.counts["spans"] += 1
                self.spans_out.write(f"{trace_id},{span_id},2,duplicate,redelivery,{span_id},{conv}\n")
                self.dispositions["duplicate"] = self.dispositions.get("duplicate", 0) + 1
            else:
                keep.append(item)
        self.pending = keep

    # ------------------------------------------------------------------ driver
    def run(self) -> None:
        while self.counts["spans"] < self.target_spans:
            self.task_index += 1
            if self.pending:
                self._flush_redeliveries()
            self._generate_task()
        self._flush_redeliveries(everything=True)
        self.writer.close()
        self.spans_out.close()
        self.calls_out.close()
        self.tasks_out.close()

    def write_aggregates(self, subscriptions) -> dict[str, int]:
        gt = self.out_dir / "ground_truth"
        with open(gt / "feature_day.csv", "w", encoding="utf-8", newline="\n") as handle:
            handle.write("call_date,feature_id,calls,list_cost_usd\n")
            for (call_date, feature_id), (calls, cost) in sorted(self.feature_day.items()):
                handle.write(f"{call_date},{feature_id},{calls},{cost:.12f}\n")
        revenue = {(s.revenue_month.isoformat(), s.account_id): s.mrr_usd for s in subscriptions}
        keys = sorted(set(revenue) | set(self.customer_month))
        with open(gt / "customer_month.csv", "w", encoding="utf-8", newline="\n") as handle:
            handle.write("revenue_month,account_id,revenue_usd,ai_list_cost_usd\n")
            for key in keys:
                handle.write(f"{key[0]},{key[1]},{revenue.get(key, ZERO):.2f},"
                             f"{self.customer_month.get(key, ZERO):.12f}\n")
        return {"feature_day.csv": len(self.feature_day), "customer_month.csv": len(keys)}
