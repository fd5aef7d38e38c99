"""The ``modelreg`` argument parser: every command, option and help text."""

import argparse

from . import _commands, _tokens, _workflow

_EPILOG = """\
configuration:
  MODELREG_URL / MODELREG_TOKEN win; otherwise the file written by `modelreg login`
  ($XDG_CONFIG_HOME/modelreg/config.json). MODELREG_CACHE moves the download cache,
  MODELREG_OFFLINE=1 serves pulls from it, MODELREG_DISABLE_PROGRESS=1 hides progress bars.

examples:
  modelreg login --url http://127.0.0.1:8765
  modelreg log-candidate --model acme/churn --name nightly --artifact model.pkl \\
      --params params.json --metrics metrics.txt
  modelreg promote acme/churn 3 --bump minor --alias production
  modelreg pull acme/churn@production
  modelreg pull acme/churn --pipeline "$CI_PIPELINE_ID" --to model/
  modelreg deploy record acme/churn --version 1.2.0 --environment production
  modelreg token create --name ci --scope read --expires-at 2027-01-31T00:00:00Z
  modelreg monitor log acme/churn 17 --metric live_accuracy=0.91
  modelreg compare acme/churn@1.1.0 acme/churn@1.2.0 acme/churn#7
"""


def _group(commands, name: str, help_text: str):
    """A command with actions (``models list``); alone it prints its own help."""
    group = commands.add_parser(name, help=help_text, description=help_text)
    group.set_defaults(handler=None, usage_of=group)
    return group.add_subparsers(metavar="ACTION")


def _ci_filter_options(parser: argparse.ArgumentParser, prefix: str = "only candidates of ") -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--pipeline", metavar="ID", help=prefix + "this CI pipeline (GitLab pipeline id, GitHub run id)")
    which.add_argument("--commit", metavar="SHA", help=prefix + "this git commit (a prefix works)")
    which.add_argument("--mr", metavar="N", help=prefix + "this merge request / pull request")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")
    common.add_argument("--url", help="registry URL (default: MODELREG_URL or the login config)")

    parser = argparse.ArgumentParser(
        prog="modelreg",
        description="Log candidates, promote versions and pull models from a modelreg registry.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help_text: str, handler, parent=commands, **kwargs):
        sub = parent.add_parser(name, help=help_text, description=help_text, parents=[common], **kwargs)
        sub.set_defaults(handler=handler)
        return sub

    login = command("login", "save the registry URL and a token to the config file (mode 0600)", _commands.login)
    login.add_argument("--token", help="personal access token (default: MODELREG_TOKEN, else asked for)")

    models = _group(commands, "models", "list or show models")
    models_list = command("list", "list the models you can read", _commands.models_list, models)
    models_list.add_argument("-q", "--query", help="text search in names and descriptions")
    models_list.add_argument("--group", help="only this group")
    models_list.add_argument("--tag", help="only models with this tag")
    models_list.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    command("show", "show a model card", _commands.models_show, models).add_argument("model", help="group/name")

    candidates = _group(commands, "candidates", "list or show candidates")
    candidates_list = command("list", "list candidates of a model, newest first", _commands.candidates_list, candidates)
    candidates_list.add_argument("model", help="group/name")
    candidates_list.add_argument("--status", choices=["running", "finished", "failed"])
    candidates_list.add_argument("--experiment")
    candidates_list.add_argument("--filter", help="e.g. \"metrics.auc > 0.9 and params.depth = '6'\"")
    candidates_list.add_argument("--order-by", help="e.g. 'metrics.auc DESC'")
    _ci_filter_options(candidates_list)
    candidates_list.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    candidates_show = command("show", "show one candidate", _commands.candidates_show, candidates)
    candidates_show.add_argument("model", help="group/name, or group/name#IID")
    candidates_show.add_argument("iid", nargs="?", type=int, help="candidate number")

    log = command(
        "log-candidate", "log a finished candidate with params, metrics and artifacts (for CI)", _commands.log_candidate
    )
    log.add_argument("--model", required=True, help="group/name (created if missing, developer+)")
    log.add_argument("--name", help="candidate name")
    log.add_argument("--experiment", help="experiment name")
    log.add_argument(
        "--artifact", action="append", default=[], metavar="PATH", help="file or directory to upload (repeatable)"
    )
    log.add_argument("--params", metavar="FILE", help="params as a JSON object or key=value lines")
    log.add_argument(
        "--metrics", metavar="FILE", help="metrics as JSON ({key: value or [values by step]}) or key=value lines"
    )
    log.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="tag (repeatable)")
    log.add_argument("--status", choices=["finished", "failed"], default="finished", help="final status")

    promote = command("promote", "promote a candidate to a locked version (maintainer+)", _commands.promote)
    promote.add_argument("model", help="group/name, or group/name#IID")
    promote.add_argument("iid", nargs="?", type=int, help="candidate number")
    which = promote.add_mutually_exclusive_group(required=True)
    which.add_argument("--version", help="explicit SemVer, e.g. 1.2.0")
    which.add_argument("--bump", choices=["patch", "minor", "major"], help="next version after the latest")
    promote.add_argument("--notes", help="release notes (markdown)")
    promote.add_argument("--alias", action="append", default=[], help="also point this alias at it (repeatable)")
    promote.add_argument(
        "--git-tag",
        action="store_true",
        help="tag the trained commit as <model name>@v<version> (annotated, GTO format) in the current repository",
    )
    promote.add_argument("--push", action="store_true", help="with --git-tag: push the tag to origin")

    pull = command("pull", "download a version into the cache and print its directory", _commands.pull)
    pull.add_argument(
        "ref", help="group/name@1.2.0, group/name@production or group/name@latest; with --pipeline etc.: group/name"
    )
    _ci_filter_options(pull, "pull the newest finished candidate of ")
    pull.add_argument("--to", metavar="DIR", help="also copy the files into DIR")
    pull.add_argument("--verify", action="store_true", help="re-hash cached files")
    pull.add_argument(
        "--no-verify-signature",
        dest="verify_signature",
        action="store_false",
        help="skip checking the version against the registry's signature (pinned key, docs/signing.md)",
    )

    compare = command("compare", "compare versions and candidates of one model side by side", _commands.compare)
    compare.add_argument("refs", nargs="+", metavar="REF", help="group/name@1.2.0, @alias, @latest or group/name#IID")

    versions = _group(commands, "versions", "list versions")
    command("list", "list versions of a model, highest first", _commands.versions_list, versions).add_argument(
        "model", help="group/name"
    )
    _workflow.add_commands(commands, command, _group)
    _tokens.add_commands(commands, command, _group)
    card = _group(commands, "card", "show, export or import a model card (Hugging Face README.md)")
    card_show = command("show", "show the card's sections and completeness", _commands.card_show, card)
    card_show.add_argument("model", help="group/name")
    card_show.add_argument("--revision", type=int, help="a saved revision (default: the current card)")
    card_export = command("export", "write the card as a Hugging Face README.md", _commands.card_export, card)
    card_export.add_argument("model", help="group/name")
    card_export.add_argument("--version", help="the card as it was for this version, e.g. 1.2.0")
    card_export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    card_import = command(
        "import", "save a README.md as the card's next revision (developer+)", _commands.card_import, card
    )
    card_import.add_argument("model", help="group/name")
    card_import.add_argument("file", help="README.md to import, or - for stdin")
    return parser
