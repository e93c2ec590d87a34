"""Answers as tables: a step's results on every host, flattened to rows (one per host, or one per item
when a result holds a list of records, e.g. a host's mounts). Shared by the CLI, the pages and the chat."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Table:
    step: int
    action: str
    columns: list[str]
    rows: list[list[Any]]  # first column: the host
    missing: list[str]  # hosts without a result (failed, unreachable, skipped)


def _records(result: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A result's scalar fields, and the records of its one list-of-records field (if any)."""
    if not isinstance(result, dict):
        return {"value": result}, []
    scalars = {k: v for k, v in result.items() if not isinstance(v, list | dict)}
    lists = [v for v in result.values() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    if len(lists) == 1:
        return scalars, lists[0]
    scalars.update({k: v for k, v in result.items() if isinstance(v, list | dict) and k not in scalars})
    return scalars, []


def step_tables(run: dict[str, Any]) -> list[Table]:
    """One table per step of a Run JSON (CONTRACT Run JSON with ``result`` on each step)."""
    steps: dict[int, str] = {}
    for entry in run.get("hosts", {}).values():
        for st in entry.get("steps", []):
            steps.setdefault(st["step"], st["action"])
    tables = []
    for index, action in sorted(steps.items()):
        columns: list[str] = []
        raw_rows: list[tuple[str, dict[str, Any]]] = []
        missing = []
        for host, entry in sorted(run.get("hosts", {}).items()):
            st = next((s for s in entry.get("steps", []) if s["step"] == index), None)
            if st is None:
                continue
            if st.get("result") is None:
                missing.append(f"{host}: {st['status']}" + (f" ({st['msg'].splitlines()[0][:120]})"
                                                              if st.get("msg") else ""))
                continue
            scalars, records = _records(st["result"])
            for record in records or [{}]:
                row = {**scalars, **record}
                for key in row:
                    if key not in columns:
                        columns.append(key)
                raw_rows.append((host, row))
        rows = [[host, *(row.get(c) for c in columns)] for host, row in raw_rows]
        tables.append(Table(index, action, ["host", *columns], rows, missing))
    return tables


def render_text(tables: list[Table]) -> str:
    """Plain-text tables for a terminal."""
    out = []
    for table in tables:
        out.append(f"step {table.step}: {table.action}")
        if table.rows:
            cells = [[_cell(v) for v in row] for row in table.rows]
            widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(table.columns)]
            out.append("  " + "  ".join(h.ljust(w) for h, w in zip(table.columns, widths, strict=True)))
            for row in cells:
                out.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        for line in table.missing:
            out.append(f"  no answer from {line}")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)
