"""``modelreg token create|list|revoke``: API tokens, yours or (as the instance admin) anyone's."""

import argparse
from typing import Any, Callable

from ._commands import _emit, _registry
from ._output import print_table


def token_create(args: argparse.Namespace) -> None:
    created = _registry(args).create_token(args.name, expires_at=args.expires_at, scopes=args.scope, user=args.user)

    def text() -> None:
        print(created["token"])
        scopes = ",".join(created.get("scopes", []))
        expiry = created.get("expires_at") or "never"
        print(f"Token {created['id']} ({created['name']}; scopes {scopes}; expires {expiry}). It is shown only once.")

    _emit(args, created, text)


def token_list(args: argparse.Namespace) -> None:
    tokens = _registry(args).tokens(user=args.user)
    rows = [
        {
            "id": t["id"],
            "name": t["name"],
            "scopes": ",".join(t.get("scopes", [])),
            "created": t["created_at"],
            "last used": t.get("last_used_at") or "never",
            "expires": t.get("expires_at") or "never",
        }
        for t in tokens
    ]
    _emit(args, tokens, lambda: print_table(rows, ["id", "name", "scopes", "created", "last used", "expires"]))


def token_revoke(args: argparse.Namespace) -> None:
    _registry(args).revoke_token(args.id, user=args.user)
    _emit(args, {"revoked": args.id}, lambda: print(f"Revoked token {args.id}; it is refused from now on."))


def add_commands(commands: Any, command: Callable[..., argparse.ArgumentParser], group: Callable[..., Any]) -> None:
    """Adds ``token`` to the ``modelreg`` parser."""
    token = group(commands, "token", "create, list or revoke API tokens")
    create = command("create", "create a token and print its secret (shown once)", token_create, token)
    create.add_argument("--name", required=True, help="what the token is for, e.g. ci")
    create.add_argument("--expires-at", metavar="WHEN", help="ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z")
    create.add_argument(
        "--scope",
        action="append",
        choices=["read", "write", "admin"],
        help="repeatable; default read and write (write includes read, admin includes write)",
    )
    for sub in (create, command("list", "list tokens (never their secrets)", token_list, token)):
        sub.add_argument("--user", help="another user's tokens (instance admin only)")
    revoke = command(
        "revoke", "revoke a token by id (refused by every registry process from then on)", token_revoke, token
    )
    revoke.add_argument("id", type=int, help="token id (see token list)")
    revoke.add_argument("--user", help="another user's token (instance admin only)")
