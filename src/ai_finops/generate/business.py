"""The fictional B2B SaaS behind the demo data: plans, accounts, subscriptions, teams, features, provider accounts."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ENVIRONMENTS = ("production", "staging", "dev", "eval")


@dataclass(frozen=True)
class Plan:
    plan_id: str
    plan_name: str
    seat_price_usd: Decimal
    included_ai_quota_usd: Decimal
    monthly_platform_fee_usd: Decimal
    target_gross_margin_pct: Decimal
    segment: str
    seats: tuple[int, int]


PLANS = (
    Plan("plan_starter", "Starter", Decimal("19.00"), Decimal("25.00"), Decimal("0.00"), Decimal("70.00"), "smb",
         (3, 15)),
    Plan("plan_growth", "Growth", Decimal("39.00"), Decimal("150.00"), Decimal("400.00"), Decimal("75.00"), "smb",
         (10, 60)),
    Plan("plan_business", "Business", Decimal("69.00"), Decimal("800.00"), Decimal("1500.00"), Decimal("78.00"),
         "mid_market", (40, 250)),
    Plan("plan_enterprise", "Enterprise", Decimal("95.00"), Decimal("4000.00"), Decimal("8000.00"), Decimal("80.00"),
         "enterprise", (200, 1200)),
)
PLAN_BY_ID = {p.plan_id: p for p in PLANS}

TEAMS = (
    ("team_support_ai", "Support AI", "CC-4100"),
    ("team_knowledge", "Knowledge & Search", "CC-4200"),
    ("team_devtools", "Developer Tools", "CC-4300"),
    ("team_growth", "Growth Automation", "CC-4400"),
)


@dataclass(frozen=True)
class Account:
    account_id: str
    account_name: str
    plan_id: str
    segment: str
    region: str
    signed_up_date: date
    churned_date: date | None
    usage_weight: float  # 0 = never uses AI features


@dataclass(frozen=True)
class Subscription:
    account_id: str
    revenue_month: date
    plan_id: str
    seats: int
    mrr_usd: Decimal


_NAME_A = ("Acme", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
           "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverside", "Summit", "Tidal", "Umber",
           "Vertex", "Willow", "Yarrow", "Zephyr")
_NAME_B = ("Analytics", "Labs", "Logistics", "Health", "Foods", "Capital", "Robotics", "Media", "Legal", "Energy",
           "Retail", "Systems", "Travel", "Insurance", "Studios")


def months_between(start: date, end_exclusive: date) -> list[date]:
    """First days of the months overlapping [start, end_exclusive)."""
    months = []
    month = start.replace(day=1)
    while month < end_exclusive:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def make_accounts(rng: random.Random, start: date, days: int) -> list[Account]:
    end = start + timedelta(days=days)
    count = 40 + rng.randrange(41)
    names: list[str] = []
    accounts = []
    months = months_between(start, end)
    for index in range(count):
        while True:
            name = f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)}"
            if name not in names:
                break
        names.append(name)
        plan = PLANS[min(3, int(rng.random() ** 1.6 * 4))]
        signed_up = start - timedelta(days=30 + rng.randrange(900))
        if rng.random() < 0.08:
            signed_up = start + timedelta(days=rng.randrange(max(1, days - 3)))
        churned = None
        if len(months) > 1 and rng.random() < 0.06 and signed_up < months[1]:
            churned = months[1 + rng.randrange(len(months) - 1)]
        usage_weight = 0.0 if rng.random() < 0.15 else round(rng.paretovariate(1.3), 6)
        accounts.append(Account(
            account_id=f"acct_{index + 1:04d}",
            account_name=name,
            plan_id=plan.plan_id,
            segment=plan.segment,
            region=rng.choice(("na", "na", "emea", "apac")),
            signed_up_date=signed_up,
            churned_date=churned,
            usage_weight=usage_weight,
        ))
    return accounts


def make_subscriptions(rng: random.Random, accounts: list[Account], start: date, days: int) -> list[Subscription]:
    subscriptions = []
    for account in accounts:
        plan = PLAN_BY_ID[account.plan_id]
        seats = plan.seats[0] + rng.randrange(plan.seats[1] - plan.seats[0] + 1)
        for month in months_between(start, start + timedelta(days=days)):
            if account.signed_up_date >= (month + timedelta(days=32)).replace(day=1):
                continue
            if account.churned_date is not None and account.churned_date <= month:
                continue
            if rng.random() < 0.25:
                seats = max(plan.seats[0], seats + rng.randrange(-2, 6))
            mrr = plan.seat_price_usd * seats + plan.monthly_platform_fee_usd
            subscriptions.append(Subscription(account.account_id, month, plan.plan_id, seats, mrr))
    return subscriptions


def is_active(account: Account, day: date) -> bool:
    return account.signed_up_date <= day and (account.churned_date is None or day < account.churned_date)


def make_provider_accounts(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(provider, environment, billing_account_id, sub_account_id) for every provider and environment."""

    def hexs(n: int) -> str:
        return "%0*x" % (n, rng.getrandbits(4 * n))

    def alnum(n: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(alphabet[rng.randrange(len(alphabet))] for _ in range(n))

    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    def guid() -> str:
        h = hexs(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    rows = []
    openai_org = "org-" + alnum(24)
    anthropic_org = guid()
    aws_payer = digits(12)
    gcp_billing = f"{hexs(6)}-{hexs(6)}-{hexs(6)}".upper()
    azure_billing = f"{guid()}:{guid()}_2019-05-31"
    short = {"production": "prod", "staging": "stg", "dev": "dev", "eval": "eval"}
    for environment in ENVIRONMENTS:
        rows.append(("openai", environment, openai_org, "proj_" + alnum(24)))
        rows.append(("anthropic", environment, anthropic_org, "wrkspc_" + alnum(24)))
        rows.append(("aws.bedrock", environment, aws_payer, digits(12)))
        project = f"acme-ai-{short[environment]}-{digits(6)}"
        rows.append(("gcp.vertex_ai", environment, gcp_billing, project))
        rows.append(("gcp.gemini", environment, gcp_billing, project))
        rows.append(("azure.ai.openai", environment, azure_billing, guid()))
    return rows


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def write_business_tables(
    app_dir: Path,
    accounts: list[Account],
    subscriptions: list[Subscription],
    features: list,
    provider_accounts: list[tuple[str, str, str, str]],
) -> dict[str, int]:
    """Write DIR/app/*.csv; returns row counts by file name."""
    app_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "plans.csv": (
            ["plan_id", "plan_name", "seat_price_usd", "included_ai_quota_usd", "monthly_platform_fee_usd",
             "target_gross_margin_pct"],
            [[p.plan_id, p.plan_name, _money(p.seat_price_usd), _money(p.included_ai_quota_usd),
              _money(p.monthly_platform_fee_usd), _money(p.target_gross_margin_pct)] for p in PLANS],
        ),
        "accounts.csv": (
            ["account_id", "account_name", "plan_id", "segment", "region", "signed_up_date", "churned_date"],
            [[a.account_id, a.account_name, a.plan_id, a.segment, a.region, a.signed_up_date.isoformat(),
              a.churned_date.isoformat() if a.churned_date else ""] for a in accounts],
        ),
        "subscriptions.csv": (
            ["account_id", "revenue_month", "plan_id", "seats", "mrr_usd"],
            [[s.account_id, s.revenue_month.isoformat(), s.plan_id, str(s.seats), _money(s.mrr_usd)]
             for s in subscriptions],
        ),
        "teams.csv": (["team_id", "team_name", "cost_center"], [list(t) for t in TEAMS]),
        "features.csv": (
            ["feature_id", "feature_name", "team_id", "is_interactive", "launched_date"],
            [[f.feature_id, f.feature_name, f.team_id, "true" if f.is_interactive else "false",
              f.launched_date.isoformat()] for f in features],
        ),
        "provider_accounts.csv": (
            ["provider", "environment", "billing_account_id", "sub_account_id"],
            [list(r) for r in provider_accounts],
        ),
    }
    counts = {}
    for name, (header, rows) in tables.items():
        with open(app_dir / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        counts[name] = len(rows)
    return counts
