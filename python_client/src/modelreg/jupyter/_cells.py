"""Exactly what ran: the cells executed in this kernel, matched against the saved notebook.

The kernel's input history (``In`` / ``history_manager.input_hist_raw``, indexed by execution
count) says what ran and in which order; the saved ``.ipynb`` says where each cell sits and what it
holds now. Comparing the two flags out-of-order runs, cells edited after they ran, and a saved
notebook that is not what produced the kernel's state.
"""

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from .. import _provenance

# Provenance stays a small JSON document: long cells are cut (their sha256 covers the whole source).
MAX_SOURCE_CHARS = 20_000
MAX_CELLS = 500


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normal(source: str) -> str:
    return source.replace("\r\n", "\n").rstrip()


def kernel_history() -> List[str]:
    """Raw inputs by execution count (index 0 is empty), from the running IPython, else []."""
    shell = _provenance._ipython()
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    return list(history) if history else []


def notebook_cells(notebook: Optional[Path]) -> Optional[List[Dict[str, Any]]]:
    """The saved notebook's cells as ``{"cell": 1-based position, "type", "source", "execution_count"}``."""
    if notebook is None:
        return None
    try:
        document = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    cells = []
    for position, cell in enumerate(document.get("cells", []), start=1):
        source = cell.get("source", "")
        cells.append(
            {
                "cell": position,
                "type": cell.get("cell_type"),
                "source": "".join(source) if isinstance(source, list) else str(source),
                "execution_count": cell.get("execution_count"),
            }
        )
    return cells


def executed_cells(history: Sequence[str], cells: Optional[List[Dict[str, Any]]]) -> Dict[str, Any]:
    """The provenance ``cells`` entry.

    Args:
        history: raw inputs by execution count (index 0 unused).
        cells: the saved notebook's cells (:func:`notebook_cells`), or None when it is unknown.

    Returns:
        ``{"executed": [{execution_count, cell, sha256, source, edited_since}], "order": [cell, ...],
        "out_of_order", "edited_since_run": [cell, ...], "not_run": [cell, ...],
        "not_in_notebook": [execution_count, ...], "notebook_differs", "summary"}``.
    """
    code_cells = [c for c in (cells or []) if c["type"] == "code"]
    by_count: Dict[int, List[Dict[str, Any]]] = {}
    by_sha: Dict[str, List[Dict[str, Any]]] = {}
    for cell in code_cells:
        if isinstance(cell["execution_count"], int):
            by_count.setdefault(cell["execution_count"], []).append(cell)
        by_sha.setdefault(_sha256(_normal(cell["source"])), []).append(cell)
    executed: List[Dict[str, Any]] = []
    for count, source in enumerate(history):
        if count == 0 or not source.strip():
            continue
        normal = _normal(source)
        sha = _sha256(normal)
        entry: Dict[str, Any] = {
            "execution_count": count,
            "sha256": sha,
            "source": source[:MAX_SOURCE_CHARS],
            "cell": None,
            "edited_since": False,
        }
        if len(source) > MAX_SOURCE_CHARS:
            entry["truncated"] = True
        # The cell showing this execution count ran it; a cell re-run later shows a later count, so
        # fall back to a cell holding the same source.
        holders = by_count.get(count, [])
        same = [c for c in holders if _sha256(_normal(c["source"])) == sha]
        if same:
            entry["cell"] = same[0]["cell"]
        elif holders:
            entry["cell"] = holders[0]["cell"]
            entry["edited_since"] = True
        elif by_sha.get(sha):
            entry["cell"] = by_sha[sha][0]["cell"]
        executed.append(entry)
    executed = executed[-MAX_CELLS:]
    order = [e["cell"] for e in executed if e["cell"] is not None]
    out_of_order = any(later < earlier for earlier, later in zip(order, order[1:]))
    edited = sorted({e["cell"] for e in executed if e["edited_since"]})
    ran = set(order)
    not_run = [c["cell"] for c in code_cells if c["cell"] not in ran and c["source"].strip()]
    missing = [e["execution_count"] for e in executed if e["cell"] is None]
    result: Dict[str, Any] = {
        "executed": executed,
        "order": order,
        "out_of_order": out_of_order,
        "edited_since_run": edited,
        "not_run": not_run,
        "not_in_notebook": missing if cells is not None else [],
        "notebook_differs": (bool(edited or not_run or missing) if cells is not None else None),
    }
    result["summary"] = summary(result)
    return result


def _cells_text(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def summary(cells: Dict[str, Any]) -> str:
    """One line for people: ``cells 1, 2, 5, 3 ran (out of order); cell 3 edited since``."""
    order = cells.get("order") or []
    executed = cells.get("executed") or []
    if not executed:
        return "no cells ran in this kernel"
    if order:
        parts = [
            f"cell{'s' if len(order) > 1 else ''} {_cells_text(order)} ran"
            + (" (out of order)" if cells.get("out_of_order") else "")
        ]
    else:
        parts = [f"{len(executed)} execution{'s' if len(executed) > 1 else ''} ran (notebook not saved)"]
    edited = cells.get("edited_since_run") or []
    if edited:
        parts.append(f"cell{'s' if len(edited) > 1 else ''} {_cells_text(edited)} edited since")
    not_run = cells.get("not_run") or []
    if not_run:
        parts.append(f"cell{'s' if len(not_run) > 1 else ''} {_cells_text(not_run)} never ran")
    missing = cells.get("not_in_notebook") or []
    if missing:
        parts.append(f"{len(missing)} execution{'s' if len(missing) > 1 else ''} no longer in the notebook")
    return "; ".join(parts)


def capture(notebook: Optional[Path]) -> Optional[Dict[str, Any]]:
    """The ``cells`` provenance of this kernel against ``notebook``; None outside IPython."""
    history = kernel_history()
    if not history:
        return None
    return executed_cells(history, notebook_cells(notebook))
