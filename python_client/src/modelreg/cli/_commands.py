"""What each ``modelreg`` command does. Each takes the parsed arguments and prints its result."""

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .. import config, constants
from .._refs import Ref
from ..errors import Unauthenticated, ValidationError
from ..registry import Registry
from ._output import print_fields, print_json, print_table


def _registry(args: argparse.Namespace) -> Registry:
    return Registry(url=args.url)


def _emit(args: argparse.Namespace, data: Any, text: Any) -> None:
    if args.json:
        print_json(data)
    else:
        text()


def login(args: argparse.Namespace) -> None:
    url = config.resolve(args.url).url
    if not url:
        raise ValidationError("Which registry? Pass --url http://host:port (or set MODELREG_URL).")
    token = args.token or constants.registry_token()
    if not token:
        if not sys.stdin.isatty():
            raise ValidationError("No token: pass --token or set MODELREG_TOKEN.")
        token = getpass.getpass(f"Token for {url}: ").strip()
    user = Registry(url=url, token=token).whoami()
    if not user or not user.get("username"):
        raise Unauthenticated(f"The registry at {url} did not accept that token.")
    path = config.write_config(url, token)
    _emit(
        args,
        {"url": url, "username": user["username"], "config": str(path)},
        lambda: print(f"Logged in to {url} as {user['username']}; saved to {path}"),
    )


# -- models ---------------------------------------------------------------------------------
def models_list(args: argparse.Namespace) -> None:
    models = _registry(args).models(query=args.query, group=args.group, tag=args.tag, limit=args.limit)
    rows = [
        {
            "model": m.get("full_name"),
            "latest": m.get("latest_version"),
            "aliases": " ".join(f"{k}={v}" for k, v in (m.get("aliases") or {}).items()),
            "candidates": (m.get("counts") or {}).get("candidates"),
            "updated": m.get("updated_at"),
        }
        for m in models
    ]
    _emit(args, models, lambda: print_table(rows, ["model", "latest", "aliases", "candidates", "updated"]))


def models_show(args: argparse.Namespace) -> None:
    model = _registry(args).model(args.model)
    fields = [
        "full_name",
        "description",
        "latest_version",
        "aliases",
        "counts",
        "metadata",
        "created_by",
        "created_at",
        "updated_at",
        "your_role",
    ]
    _emit(args, model, lambda: print_fields(model, fields))


# -- candidates -----------------------------------------------------------------------------
def _metrics_summary(metrics: Dict[str, Any]) -> str:
    return " ".join(
        f"{k}={v.get('value'):.4g}"
        for k, v in sorted(metrics.items())
        if isinstance(v, dict) and isinstance(v.get("value"), (int, float))
    )


def candidates_list(args: argparse.Namespace) -> None:
    found = _registry(args).candidates(
        args.model,
        status=args.status,
        experiment=args.experiment,
        filter=args.filter,
        order_by=args.order_by,
        pipeline=args.pipeline,
        commit=args.commit,
        mr=args.mr,
        limit=args.limit,
    )
    data = [c.to_dict() for c in found]
    rows = [
        {
            "iid": d["iid"],
            "name": d.get("name"),
            "experiment": d.get("experiment"),
            "status": d.get("status"),
            "version": d.get("version"),
            "metrics": _metrics_summary(d.get("metrics") or {}),
        }
        for d in data
    ]
    _emit(args, data, lambda: print_table(rows, ["iid", "name", "experiment", "status", "version", "metrics"]))


def _candidate_ref(model: str, iid: Optional[int]) -> Tuple[str, int]:
    if iid is not None:
        return model, iid
    ref = Ref.parse(model)
    if ref.candidate is None:
        raise ValidationError(f"Which candidate? Give its number: `{model} 3` or `{model}#3`.")
    return ref.model.full_name, ref.candidate


def candidates_show(args: argparse.Namespace) -> None:
    data = _registry(args).get_candidate(*_candidate_ref(args.model, args.iid)).to_dict()
    fields = [
        "model",
        "iid",
        "name",
        "experiment",
        "status",
        "version",
        "locked",
        "params",
        "metrics",
        "tags",
        "artifact_count",
        "author",
        "created_at",
        "provenance",
    ]
    _emit(args, data, lambda: print_fields(data, fields))


def _read_key_values(path: str) -> Dict[str, str]:
    result: Dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{path}:{number}: expected key=value, got {line!r}")
        result[key.strip()] = value.strip()
    return result


def _read_mapping(path: str) -> Any:
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError as error:
            raise ValidationError(f"{path} is not valid JSON: {error}") from error
    return _read_key_values(path)


def _metric_points(path: str) -> List[Tuple[str, float, Optional[int]]]:
    """(key, value, step) from {key: value}, {key: [values by step]}, [{key, value, step}] or key=value lines."""
    data = _read_mapping(path)
    points: List[Tuple[str, float, Optional[int]]] = []
    try:
        if isinstance(data, list):
            return [(p["key"], float(p["value"]), p.get("step")) for p in data]
        for key, value in data.items():
            if isinstance(value, list):
                points.extend((key, float(v), step) for step, v in enumerate(value))
            else:
                points.append((key, float(value), None))
    except (TypeError, ValueError, KeyError) as error:
        raise ValidationError(f"{path}: metric values must be numbers ({error})") from error
    return points


def log_candidate(args: argparse.Namespace) -> None:
    params = _read_mapping(args.params) if args.params else {}
    if not isinstance(params, dict):
        raise ValidationError(f"{args.params}: params must be a JSON object or key=value lines")
    points = _metric_points(args.metrics) if args.metrics else []
    tags = dict(_split_tag(t) for t in args.tag)
    for artifact in args.artifact:  # fail before creating anything
        if not Path(artifact).exists():
            raise FileNotFoundError(f"No such file or directory to upload: {artifact}")
    candidate = _registry(args).candidate(
        args.model, name=args.name, experiment=args.experiment, params=params, tags=tags
    )
    try:
        for key, value, step in points:
            candidate.log_metric(key, value, step=step)
        for artifact in args.artifact:
            candidate.log_artifact(artifact)
    except BaseException:
        candidate.end("failed")
        raise
    candidate.end(args.status)
    candidate.refresh()
    _emit(
        args,
        candidate.to_dict(),
        lambda: print(f"Logged {candidate.model}#{candidate.iid} ({candidate.status}): {candidate.url}"),
    )


def _split_tag(text: str, option: str = "--tag") -> Tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValidationError(f"{option} expects KEY=VALUE, got {text!r}")
    return key, value


# -- versions -------------------------------------------------------------------------------
def promote(args: argparse.Namespace) -> None:
    registry = _registry(args)
    model, iid = _candidate_ref(args.model, args.iid)
    version = registry.promote(
        model, iid, args.version, bump=args.bump, notes=args.notes, git_tag=args.git_tag, push=args.push
    )
    for alias in args.alias:
        registry.set_alias(model, alias, version["version"])
    tagged = f"; tagged {version['git_tag']} on {str(version['git_commit'])[:12]}" if version.get("git_tag") else ""
    pushed = " (pushed)" if tagged and args.push else ""
    _emit(
        args,
        version,
        lambda: print(
            f"Promoted {model}#{iid} to {model}@{version['version']}"
            + "".join(f" (@{a})" for a in args.alias)
            + tagged
            + pushed
        ),
    )


def pull(args: argparse.Namespace) -> None:
    filters = {k: v for k, v in (("pipeline", args.pipeline), ("commit", args.commit), ("merge_request", args.mr)) if v}
    registry = _registry(args)
    if not filters:
        path = registry.pull(args.ref, local_dir=args.to, verify=args.verify, verify_signature=args.verify_signature)
        _emit(args, {"ref": args.ref, "path": str(path)}, lambda: print(path))
        return
    path, candidate = registry._pull_from_ci(args.ref, filters, args.to, args.verify, True, args.verify_signature)
    result = {"ref": args.ref, "path": str(path), "candidate": candidate["iid"], "version": candidate.get("version")}
    _emit(args, result, lambda: print(path))


def compare(args: argparse.Namespace) -> None:
    result = _registry(args).compare(args.refs)
    _emit(args, result.to_dict(), lambda: print(result.to_text()))


def versions_list(args: argparse.Namespace) -> None:
    versions = _registry(args).versions(args.model)
    rows = [
        {
            "version": v.get("version"),
            "candidate": v.get("candidate"),
            "aliases": " ".join(v.get("aliases") or []),
            "yanked": "yanked" if v.get("yanked") else "",
            "created_by": v.get("created_by"),
            "created_at": v.get("created_at"),
        }
        for v in versions
    ]
    _emit(
        args,
        versions,
        lambda: print_table(rows, ["version", "candidate", "aliases", "yanked", "created_by", "created_at"]),
    )


# -- model card -----------------------------------------------------------------------------
def card_show(args: argparse.Namespace) -> None:
    card = _registry(args).card(args.model, revision=args.revision)

    def text() -> None:
        done = card.get("completeness") or {}
        state = "draft, not saved yet" if card.get("draft") else f"revision {card.get('revision')}"
        print(f"{card.get('model')} ({state}; {done.get('filled')}/{done.get('total')} sections filled)")
        if done.get("required_missing"):
            print(f"required but empty: {', '.join(done['required_missing'])}")
        for key, value in (card.get("sections") or {}).items():
            if value.strip():
                print(f"\n## {key}\n{value.strip()}")

    _emit(args, card, text)


def card_export(args: argparse.Namespace) -> None:
    markdown = _registry(args).export_card(args.model, version=args.version)
    if args.output in (None, "-"):
        sys.stdout.write(markdown)
        return
    Path(args.output).write_text(markdown, encoding="utf-8")
    _emit(args, {"path": args.output}, lambda: print(f"Wrote {args.output}"))


def card_import(args: argparse.Namespace) -> None:
    markdown = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    card = _registry(args).import_card(args.model, markdown)
    done = card.get("completeness") or {}
    _emit(
        args,
        card,
        lambda: print(
            f"Imported {args.file} into {card.get('model')} as revision {card.get('revision')} "
            f"({done.get('filled')}/{done.get('total')} sections filled)"
        ),
    )
