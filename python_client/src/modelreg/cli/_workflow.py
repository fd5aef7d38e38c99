"""``modelreg deploy record|update|show`` and ``modelreg monitor log``: deployments and live metrics."""

import argparse
from typing import Any, Callable, Dict, List

from ..errors import ValidationError
from ._commands import _emit, _read_mapping, _registry, _split_tag

_STATUSES = ["pending", "active", "degraded", "retired"]


def _describe(deployment: Dict[str, Any]) -> str:
    what = deployment["version"] if deployment.get("version") else f"candidate #{deployment.get('candidate')}"
    where = f" ({deployment['url']})" if deployment.get("url") else ""
    return f"Deployment {deployment['id']}: {what} in {deployment['environment']} is {deployment['status']}{where}"


def deploy_record(args: argparse.Namespace) -> None:
    if (args.version is None) == (args.candidate is None):
        raise ValidationError("Deploy what? Give exactly one of --version (1.2.0, an alias, latest) or --candidate N.")
    deployment = _registry(args).deploy(
        args.model,
        environment=args.environment,
        version=args.version,
        candidate=args.candidate,
        url=args.deploy_url,
        status=args.status,
    )
    _emit(args, deployment, lambda: print(_describe(deployment)))


def deploy_update(args: argparse.Namespace) -> None:
    deployment = _registry(args).update_deployment(args.model, args.id, args.status, reason=args.reason)
    _emit(args, deployment, lambda: print(_describe(deployment)))


def deploy_show(args: argparse.Namespace) -> None:
    deployment = _registry(args).deployment(args.model, args.id)

    def text() -> None:
        print(_describe(deployment))
        for change in deployment.get("history", []):
            reason = f"  ({change['reason']})" if change.get("reason") else ""
            before = change.get("previous") or "-"
            print(f"  {change['created_at']}  {before} -> {change['status']}  by {change['actor']}{reason}")
        for key, points in sorted((deployment.get("metrics") or {}).items()):
            print(f"  {key}: {points[-1]['value']:.6g} (latest of {len(points)} values)")

    _emit(args, deployment, text)


def _points(args: argparse.Namespace) -> List[Dict[str, Any]]:
    points: List[Dict[str, Any]] = []
    if args.metrics:
        data = _read_mapping(args.metrics)
        try:
            if isinstance(data, list):
                for item in data:
                    point = {"key": str(item["key"]), "value": float(item["value"])}
                    if item.get("timestamp") is not None:
                        point["timestamp"] = int(item["timestamp"])
                    points.append(point)
            else:
                points.extend({"key": key, "value": float(value)} for key, value in data.items())
        except (TypeError, ValueError, KeyError) as error:
            raise ValidationError(f"{args.metrics}: live metrics must be numbers ({error})") from error
    for text in args.metric:
        key, value = _split_tag(text, "--metric")
        try:
            points.append({"key": key, "value": float(value)})
        except ValueError as error:
            raise ValidationError(f"--metric {text!r}: the value must be a number") from error
    if not points:
        raise ValidationError("Nothing to log: pass --metric KEY=VALUE (repeatable) or --metrics FILE.")
    return points


def monitor_log(args: argparse.Namespace) -> None:
    result = _registry(args).log_live_metrics(args.model, args.id, _points(args))
    message = f"Logged {result['accepted']} live metric value(s); deployment {args.id} is {result['status']}"
    if result.get("breach"):
        message += f": {result['breach']}"
    _emit(args, result, lambda: print(message))


def add_commands(commands: Any, command: Callable[..., argparse.ArgumentParser], group: Callable[..., Any]) -> None:
    """Adds ``deploy`` and ``monitor`` to the ``modelreg`` parser."""
    deploy = group(commands, "deploy", "record deployments and move them through pending/active/degraded/retired")
    record = command("record", "record that a version (or a candidate) went to an environment", deploy_record, deploy)
    record.add_argument("model", help="group/name")
    record.add_argument("--version", help="a version, alias or latest")
    record.add_argument("--candidate", type=int, help="a candidate number (not for production)")
    record.add_argument("--environment", required=True, help="e.g. production, staging")
    record.add_argument("--deploy-url", metavar="URL", help="where the deployment serves")
    record.add_argument("--status", choices=_STATUSES, help="initial status (default: pending)")
    update = command("update", "change a deployment's status (kept in its history)", deploy_update, deploy)
    update.add_argument("model", help="group/name")
    update.add_argument("id", type=int, help="deployment id")
    update.add_argument("--status", choices=_STATUSES, required=True)
    update.add_argument("--reason", help="why, shown in the history")
    show = command("show", "show a deployment, its status history and live metrics", deploy_show, deploy)
    show.add_argument("model", help="group/name")
    show.add_argument("id", type=int, help="deployment id")

    monitor = group(commands, "monitor", "log live metrics of deployments")
    log = command(
        "log", "record live metric values of a deployment (thresholds may mark it degraded)", monitor_log, monitor
    )
    log.add_argument("model", help="group/name")
    log.add_argument("id", type=int, help="deployment id")
    log.add_argument("--metric", action="append", default=[], metavar="KEY=VALUE", help="a value (repeatable)")
    log.add_argument(
        "--metrics", metavar="FILE", help="JSON {key: value} or [{key, value, timestamp}], or key=value lines"
    )
