"""`ai-finops summary`: a short, readable summary of the marts (spend by provider and model, top features and customers)."""

from __future__ import annotations

from decimal import Decimal

from ai_finops.project import connect, marts_schema


def add_arguments(parser) -> None:
    parser.add_argument("--target", default="duckdb", choices=["duckdb", "postgres", "spark"])
    parser.add_argument("--top", type=int, default=5, help="how many features and customers to list")


def _rows(cursor, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall()


def _money(value) -> str:
    return f"${Decimal(value or 0):,.2f}"


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)] if rows else [len(h) for h in header]
    lines = [title, "  " + "  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines += ["  " + "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def print_summary(target: str = "duckdb", top: int = 5) -> int:
    schema = marts_schema(target)
    connection = connect(target, read_only=target == "duckdb")
    cursor = connection.cursor()
    daily = f"{schema}.fct_llm_cost_daily"
    totals = _rows(cursor, f"""
        select min(usage_date), max(usage_date), sum(calls), sum(unpriced_calls), sum(list_cost_usd), sum(net_cost_usd),
               sum(total_tokens)
        from {daily}""")[0]
    print()
    print(f"AI spend {totals[0]} to {totals[1]}: {int(totals[2] or 0):,} billable calls, "
          f"{int(totals[6] or 0):,} tokens, list cost {_money(totals[4])}, net cost {_money(totals[5])}"
          f" ({int(totals[3] or 0):,} calls could not be priced; see int_llm_calls_unpriced)")
    by_model = _rows(cursor, f"""
        select provider, model_id, sum(calls), sum(total_tokens), sum(net_cost_usd)
        from {daily} group by provider, model_id order by sum(net_cost_usd) desc, provider, model_id""")
    print()
    print(_table("Spend by provider and model", ("provider", "model", "calls", "tokens", "net cost"),
                 [(p, m, f"{int(c):,}", f"{int(t or 0):,}", _money(s)) for p, m, c, t, s in by_model]))
    for dimension, label in (("feature_id", "features"), ("customer_id", "customers")):
        rows = _rows(cursor, f"""
            select {dimension}, sum(calls), sum(net_cost_usd)
            from {daily} group by {dimension} order by sum(net_cost_usd) desc, {dimension} limit {int(top)}""")
        print()
        print(_table(f"Top {top} {label} by net cost", (dimension, "calls", "net cost"),
                     [(d, f"{int(c):,}", _money(s)) for d, c, s in rows]))
    print()
    connection.close()
    return 0


def run(args) -> int:
    return print_summary(args.target, args.top)
