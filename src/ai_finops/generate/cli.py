"""`ai-finops generate`: a deterministic demo/test dataset (OTLP spans, app tables, billing exports, ground truth).

The default window (2026-08-01, 42 days) straddles a real list-price change that genai-prices records: OpenAI
gpt-5.6-sol went from $5/$30 to $4/$20 per MTok on 2026-08-21; calls before that date keep the old price.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from datetime import date, timedelta
from pathlib import Path

from ai_finops.generate import business
from ai_finops.generate.catalog import FEATURES
from ai_finops.generate.traffic import TrafficGenerator

DEFAULT_START = "2026-08-01"
DEFAULT_DAYS = 42
GENERATOR_VERSION = "1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--spans", type=int, default=20_000, help="target span count (tasks are generated until "
                        "at least this many spans are written)")
    parser.add_argument("--seed", type=int, default=42, help="random seed; the same flags give identical files")
    parser.add_argument("--start", default=DEFAULT_START, help="first day of the window, YYYY-MM-DD (UTC)")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="window length in days")
    parser.add_argument("--no-billing", action="store_true", help="do not write provider billing exports")
    parser.add_argument("--scenario", choices=("default", "optimize"), default="default",
                        help="optimize: a small controlled dataset with injected savings opportunities, anomalies "
                        "and budgets (fixed window 2026-09-01 + 20 days; --spans/--start/--days/--no-billing are "
                        "ignored; see generate/scenario_optimize.py)")
    parser.add_argument("--rotate-spans", type=int, default=200_000, help=argparse.SUPPRESS)


def generate(out_dir: Path, spans: int, seed: int, start: date, days: int, billing: bool = True,
             rotate_spans: int = 200_000) -> dict:
    if spans < 1 or days < 1:
        raise ValueError("--spans and --days must be positive")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"business-{seed}")
    accounts = business.make_accounts(rng, start, days)
    subscriptions = business.make_subscriptions(rng, accounts, start, days)
    provider_accounts = business.make_provider_accounts(rng)
    app_counts = business.write_business_tables(out_dir / "app", accounts, subscriptions,
                                                [_FeatureRow(f, start) for f in FEATURES], provider_accounts)
    traffic = TrafficGenerator(out_dir, seed, start, days, spans, accounts, provider_accounts, rotate_spans)
    traffic.run()
    aggregate_counts = traffic.write_aggregates(subscriptions)

    billing_files: list[Path] = []
    if billing:
        from ai_finops.generate.billing import write_billing_exports

        billing_files = list(write_billing_exports(out_dir, seed) or [])

    files = {}
    for path, lines, span_count in traffic.writer.files:
        files[path.relative_to(out_dir).as_posix()] = {"lines": lines, "spans": span_count}
    for name, rows in app_counts.items():
        files[f"app/{name}"] = {"rows": rows}
    files["ground_truth/spans.csv"] = {"rows": traffic.counts["spans"]}
    files["ground_truth/calls.csv"] = {"rows": traffic.counts["calls"]}
    files["ground_truth/tasks.csv"] = {"rows": traffic.counts["tasks"]}
    for name, rows in aggregate_counts.items():
        files[f"ground_truth/{name}"] = {"rows": rows}
    for path in billing_files:
        files[Path(path).resolve().relative_to(out_dir.resolve()).as_posix()] = {}
    manifest = {
        "generator": "ai_finops.generate",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "spans_requested": spans,
        "spans_written": traffic.counts["spans"],
        "otlp_lines": traffic.counts["lines"],
        "tasks": traffic.counts["tasks"],
        "billable_calls": traffic.counts["calls"],
        "dispositions": dict(sorted(traffic.dispositions.items())),
        "window": {"start": start.isoformat(), "days": days,
                   "end_exclusive": (start + timedelta(days=days)).isoformat()},
        "price_changes_in_window": [
            {"model_id": "gpt-5.6-sol", "provider": "openai", "effective_from": "2026-08-21"}
        ] if start < date(2026, 8, 21) < start + timedelta(days=days) else [],
        "billing": billing,
        "files": dict(sorted(files.items())),
    }
    with open(out_dir / "manifest.json", "w", encoding="utf-8", newline="\n") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=False)
        handle.write("\n")
    return manifest


class _FeatureRow:
    """A feature with its launch date resolved against the window start (for features.csv)."""

    def __init__(self, feature, start: date):
        self.feature_id = feature.feature_id
        self.feature_name = feature.feature_name
        self.team_id = feature.team_id
        self.is_interactive = feature.is_interactive
        self.launched_date = feature.launched_date(start)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "scenario", "default") == "optimize":
        from ai_finops.generate.scenario_optimize import generate_optimize

        manifest = generate_optimize(args.out, args.seed)
        print(f"wrote {manifest['spans_written']} spans in {manifest['tasks']} tasks "
              f"({manifest['billable_calls']} billable calls, scenario optimize) to {args.out}")
        return 0
    start = date.fromisoformat(args.start)
    manifest = generate(args.out, args.spans, args.seed, start, args.days, billing=not args.no_billing,
                        rotate_spans=args.rotate_spans)
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:12]
    print(f"wrote {manifest['spans_written']} spans in {manifest['tasks']} tasks "
          f"({manifest['billable_calls']} billable calls) to {args.out} [manifest {digest}]")
    return 0
