"""`ai-finops ratecard check|propose`: differences are found, proposals match genai-prices, hand edits are kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest

from ai_finops import cli
from ai_finops import ratecard as rc


def run_cli(*argv: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = cli.main(["ratecard", *argv])
    return code, buffer.getvalue()


@pytest.fixture()
def seed_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rate_cards"
    shutil.copytree(rc.default_seed_dir(), target)
    return target


def rewrite(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_check_of_the_shipped_seeds_is_clean(seed_dir):
    code, out = run_cli("check", "--seed-dir", str(seed_dir), "--fail-on-diff")
    assert code == 0, out
    assert list(csv.DictReader(io.StringIO(out))) == []


def test_check_lists_a_changed_price_and_a_missing_row(seed_dir):
    prices_path = seed_dir / "rate_card_prices.csv"
    rows = rc.read_csv(prices_path)
    changed = next(r for r in rows if r["provider"] == "anthropic" and r["model_id"] == "claude-sonnet-4-5"
                   and r["usage_type"] == "output" and r["service_tier"] == "standard"
                   and r["tier_threshold_tokens"] == "0")
    changed["price"] = "16"  # genai-prices says 15
    dropped = next(r for r in rows if r["provider"] == "openai" and r["model_id"] == "gpt-4o-mini"
                   and r["usage_type"] == "cache_read" and r["service_tier"] == "standard")
    rows.remove(dropped)
    rewrite(prices_path, rows, rc.PRICE_COLUMNS)

    code, out = run_cli("check", "--seed-dir", str(seed_dir), "--fail-on-diff")
    differences = list(csv.DictReader(io.StringIO(out)))
    assert code == 1
    kinds = {(d["kind"], d["model_id"]) for d in differences}
    assert ("price_differs", "claude-sonnet-4-5") in kinds
    assert ("missing_in_seed", "gpt-4o-mini") in kinds
    differs = next(d for d in differences if d["kind"] == "price_differs")
    assert (differs["ours"], differs["reference"]) == ("16", "15")
    assert len(differences) == 2, differences


def test_propose_prints_rows_that_price_like_genai_prices(seed_dir):
    code, out = run_cli("propose", "--provider", "anthropic", "--model", "claude-opus-4-5",
                        "--valid-from", "2025-11-24", "--seed-dir", str(seed_dir))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    standard = {r["usage_type"]: Decimal(r["price"]) for r in rows
                if r["service_tier"] == "standard" and r["tier_threshold_tokens"] == "0"}
    # claude-opus-4-5 list prices per million tokens (anthropic pricing page): $5 in, $25 out, $0.50 cache read,
    # $6.25 5m write, $10 1h write.
    assert standard["input"] == Decimal("5") and standard["output"] == Decimal("25")
    assert standard["cache_read"] == Decimal("0.5") and standard["cache_write_5m"] == Decimal("6.25")
    assert standard["cache_write_1h"] == Decimal("10")
    assert {r["valid_from"] for r in rows if r["service_tier"] == "standard"} == {"2025-11-24"}
    assert len({r["price_id"] for r in rows}) == len(rows)
    # The proposed rows price a sample usage exactly like genai-prices.
    card = rc.RateCard(prices=rows, usage_types=rc.RateCard.load(seed_dir).usage_types)
    usage = {"input": 12_345, "cache_read": 50_000, "cache_write_5m": 1_000, "cache_write_1h": 2_000, "output": 3_210}
    ours, _ = rc.price_usage(card, "anthropic", "claude-opus-4-5", dt.date(2026, 11, 1), usage)
    assert ours == rc.reference_price("anthropic", "claude-opus-4-5", dt.date(2026, 11, 1), usage)


def test_propose_append_never_overwrites_hand_edited_rows(seed_dir):
    prices_path = seed_dir / "rate_card_prices.csv"
    rows = rc.read_csv(prices_path)
    edited = next(r for r in rows if r["provider"] == "openai" and r["model_id"] == "gpt-4o"
                  and r["usage_type"] == "input" and r["service_tier"] == "standard")
    edited["price"] = "2.4"
    edited["note"] = "negotiated list price, edited by hand"
    rows = [r for r in rows if not (r["provider"] == "openai" and r["model_id"] == "gpt-4o"
                                    and r["usage_type"] == "output" and r["service_tier"] == "standard")]
    rewrite(prices_path, rows, rc.PRICE_COLUMNS)
    before = prices_path.read_text()

    code, _ = run_cli("propose", "--provider", "openai", "--model", "gpt-4o", "--valid-from", "2024-08-06",
                      "--seed-dir", str(seed_dir), "--append")
    assert code == 0
    after = prices_path.read_text()
    assert after.startswith(before), "existing rows must be left byte for byte"
    appended = list(csv.DictReader(io.StringIO(before.splitlines()[0] + "\n" + after[len(before):])))
    # Only the deleted output row comes back; the hand-edited input price is untouched.
    assert [(r["usage_type"], r["service_tier"], r["price"]) for r in appended] == [("output", "standard", "10")]
    assert appended[0]["price_id"] not in {r["price_id"] for r in rows}
    final = rc.read_csv(prices_path)
    assert next(r for r in final if r["price_id"] == edited["price_id"])["price"] == "2.4"


def test_propose_unknown_model_fails_cleanly(seed_dir, capsys):
    code, _ = run_cli("propose", "--provider", "openai", "--model", "no-such-model", "--valid-from", "2026-01-01",
                      "--seed-dir", str(seed_dir))
    assert code == 2
    assert "no model" in capsys.readouterr().err
