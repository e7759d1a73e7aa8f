"""Business CSV readers (`app/*.csv` → `raw.app_*`, every column as varchar; staging casts).

CSV rules, shared by every CSV kind:
- UTF-8, with or without a byte-order mark; LF or CRLF line ends; RFC 4180 quoting (`"` doubled inside quotes).
- The header must name exactly the kind's columns (any order, names compared after trimming spaces); otherwise BadInput.
- A row with more or fewer fields than the header is BadInput (file and line named).
- An empty field and the literal string `NULL` (unquoted or quoted, case-sensitive) both land as SQL NULL.
- Completely blank lines are skipped (they carry no field at all).
- `source_line` is the record number counting the header as line 1; error messages name the physical line.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from ai_finops.loaders.kinds import BadInput, FileKind, Row

NULL_STRINGS = frozenset({"", "NULL"})


def csv_reader(columns: tuple[str, ...]):
    """A reader for CSV files whose header names exactly `columns`."""

    def read(path: Path) -> Iterator[tuple[int, Row]]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    raise BadInput(path, 1, "empty file: expected a header line")
                names = [name.strip() for name in header]
                if len(set(names)) != len(names) or set(names) != set(columns):
                    missing = [name for name in columns if name not in names]
                    extra = [name for name in names if name not in columns]
                    raise BadInput(
                        path, 1,
                        f"wrong header: missing {missing}, unexpected {extra} (expected {list(columns)})",
                    )
                positions = [names.index(name) for name in columns]
                width = len(names)
                record_number = 1
                for fields in reader:
                    if not fields:
                        continue
                    record_number += 1
                    if len(fields) != width:
                        raise BadInput(
                            path, reader.line_num,
                            f"ragged row: {len(fields)} fields, the header has {width}",
                        )
                    yield record_number, {
                        name: (None if fields[position] in NULL_STRINGS else fields[position])
                        for name, position in zip(columns, positions)
                    }
            except csv.Error as error:
                raise BadInput(path, reader.line_num, f"malformed CSV ({error})") from None
            except UnicodeDecodeError as error:
                raise BadInput(path, reader.line_num + 1, f"not UTF-8 ({error})") from None

    return read


APP_TABLES: dict[str, tuple[str, ...]] = {
    "app_plans": (
        "plan_id", "plan_name", "seat_price_usd", "included_ai_quota_usd", "monthly_platform_fee_usd",
        "target_gross_margin_pct",
    ),
    "app_accounts": (
        "account_id", "account_name", "plan_id", "segment", "region", "signed_up_date", "churned_date",
    ),
    "app_subscriptions": ("account_id", "revenue_month", "plan_id", "seats", "mrr_usd"),
    "app_teams": ("team_id", "team_name", "cost_center"),
    "app_features": ("feature_id", "feature_name", "team_id", "is_interactive", "launched_date"),
    "app_provider_accounts": ("provider", "environment", "billing_account_id", "sub_account_id"),
}

APP_KINDS: list[FileKind] = [
    FileKind(
        name=table,
        patterns=(f"app/{table.removeprefix('app_')}.csv",),
        table=table,
        columns=columns,
        reader=csv_reader(columns),
        description=f"business table app/{table.removeprefix('app_')}.csv",
    )
    for table, columns in APP_TABLES.items()
]
