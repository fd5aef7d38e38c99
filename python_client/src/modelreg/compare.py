"""Side-by-side comparison of candidates and versions of one model."""

import html
import json
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple, Union
from urllib.parse import quote

from ._refs import ModelName, Ref
from .candidate import Candidate

if TYPE_CHECKING:  # pragma: no cover
    from ._http import HttpClient

CompareRef = Union[str, Candidate]

_CSS = (
    "<style>.modelreg-compare td,.modelreg-compare th{padding:2px 8px;text-align:left}"
    ".modelreg-compare .differs{background:#fff3bf}.modelreg-compare .best{background:#d3f9d8;font-weight:bold}"
    ".modelreg-compare .section th{background:#f1f3f5}</style>"
)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class Comparison:
    """Aligned params, metrics and files of several candidates and versions of one model.

    Renders as an HTML table in a notebook (differing params and best metrics highlighted);
    :meth:`to_text` gives a plain table, :meth:`to_dict` the raw data, :meth:`to_pandas` a DataFrame.
    """

    def __init__(self, model: str, data: Dict[str, Any]) -> None:
        self.model = model
        self._data = data

    @property
    def labels(self) -> List[str]:
        """Column labels: ``1.2.0`` for versions, ``#3 name`` for candidates."""
        labels = []
        for item in self._data.get("items", []):
            if item.get("kind") == "version":
                labels.append(str(item.get("version")))
            else:
                name = item.get("name")
                labels.append(f"#{item.get('iid')}" + (f" {name}" if name else ""))
        return labels

    def to_dict(self) -> Dict[str, Any]:
        """The comparison as the server computed it (``items``, ``params``, ``metrics``, ``files``)."""
        return json.loads(json.dumps(self._data))

    def _rows(self) -> List[Tuple[str, str, List[str], List[str]]]:
        """(section, key, cell texts, cell css classes) for every row."""
        rows = []
        for param in self._data.get("params", []):
            css = "differs" if param.get("differs") else ""
            rows.append(("params", param["key"], [_text(v) for v in param["values"]], [css] * len(param["values"])))
        for metric in self._data.get("metrics", []):
            best = metric.get("best")
            texts = [_text(v) for v in metric["values"]]
            classes = ["best" if i == best else "" for i in range(len(texts))]
            rows.append(("metrics", f"{metric['key']} ({metric.get('goal', 'max')})", texts, classes))
        for entry in self._data.get("files", []):
            texts = [(e["sha256"][:10] if e else "-") for e in entry.get("entries", [])]
            css = "" if entry.get("status") == "same" else "differs"
            rows.append(("files", f"{entry['path']} [{entry.get('status')}]", texts, [css] * len(texts)))
        return rows

    def to_text(self) -> str:
        """A plain-text table (what ``modelreg compare`` prints); ``*`` marks the best metric value."""
        header = ["", *self.labels]
        table = [header]
        section = None
        for name, key, texts, classes in self._rows():
            if name != section:
                section = name
                table.append([f"[{name}]"] + [""] * len(self.labels))
            marked = [t + (" *" if c == "best" else "") for t, c in zip(texts, classes)]
            table.append([f"  {key}"] + marked)
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Comparison {self.model}: {', '.join(self.labels)}>"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(label)}</th>" for label in self.labels)
        body = []
        section = None
        for name, key, texts, classes in self._rows():
            if name != section:
                section = name
                body.append(f'<tr class="section"><th colspan="{len(self.labels) + 1}">{name}</th></tr>')
            cells = "".join(f'<td class="{c}">{html.escape(t)}</td>' for t, c in zip(texts, classes))
            body.append(f"<tr><th>{html.escape(key)}</th>{cells}</tr>")
        return (
            f'{_CSS}<table class="modelreg-compare"><thead><tr><th>{html.escape(self.model)}</th>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>"
        )

    def to_pandas(self) -> Any:
        """A DataFrame: one row per param/metric (``params.x``, ``metrics.y``), one column per item.

        Raises:
            ImportError: pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("Comparison.to_pandas() needs pandas: pip install pandas") from error
        data = {}
        for param in self._data.get("params", []):
            data[f"params.{param['key']}"] = param["values"]
        for metric in self._data.get("metrics", []):
            data[f"metrics.{metric['key']}"] = metric["values"]
        return pd.DataFrame(data, index=self.labels).T


def compare(http: "HttpClient", refs: Sequence[CompareRef]) -> Comparison:
    """Compare candidates and versions of one model. See :meth:`Registry.compare`."""
    model = None
    tokens: List[str] = []
    for ref in refs:
        if isinstance(ref, Candidate):
            ref.flush()
            this, token = ModelName.parse(ref.model), f"c:{ref.iid}"
        else:
            parsed = Ref.parse(ref)
            this = parsed.model
            if parsed.candidate is not None:
                token = f"c:{parsed.candidate}"
            elif parsed.is_exact_version:
                token = f"v:{parsed.version}"
            else:  # an alias or latest: compare the version it points at now
                version = http.json("GET", f"{this.path}/versions/{quote(parsed.version or 'latest', safe='')}")
                token = f"v:{version['version']}"
        if model is not None and this != model:
            raise ValueError(f"compare works within one model; got {model} and {this}")
        model = this
        tokens.append(token)
    if model is None:
        raise ValueError("compare needs at least one candidate or version")
    data = http.json("GET", f"{model.path}/compare", params={"refs": ",".join(tokens)})
    return Comparison(model.full_name, data)
