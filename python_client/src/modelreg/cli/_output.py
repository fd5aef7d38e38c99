"""Printing for the CLI: aligned text tables, or JSON with ``--json``."""

import json
import sys
from typing import Any, Dict, List, Sequence


def fail(message: str, code: int = 1) -> int:
    """Print one line on stderr and return the exit code."""
    first_line = " ".join(message.split())
    sys.stderr.write(f"modelreg: error: {first_line}\n")
    return code


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def print_table(rows: List[Dict[str, Any]], columns: Sequence[str]) -> None:
    """One line per row, columns aligned; ``(none)`` for an empty list."""
    if not rows:
        print("(none)")
        return
    cells = [[str(c).upper() for c in columns]]
    cells += [["" if row.get(c) is None else str(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


def print_fields(data: Dict[str, Any], fields: Sequence[str]) -> None:
    """``key: value`` lines; dicts and lists shown as compact JSON."""
    width = max(len(f) for f in fields)
    for field in fields:
        value = data.get(field)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        print(f"{field.ljust(width)}  {'' if value is None else value}")
