"""Test support shared by every Python suite and benchmark: the one registry launcher.

Suites make it importable by putting ``tests/`` on ``sys.path`` (their conftest.py does), then
``from support import Registry, start_registry``.
"""

from .registry import (
    CLI,
    PG_URL,
    PRODUCTION_NODE_ARGS,
    REPO,
    Registry,
    RegistryDidNotStart,
    postgres_reachable,
    psql,
    registry_fixture,
    start_registry,
)

__all__ = [
    "CLI",
    "PG_URL",
    "PRODUCTION_NODE_ARGS",
    "REPO",
    "Registry",
    "RegistryDidNotStart",
    "postgres_reachable",
    "psql",
    "registry_fixture",
    "start_registry",
]
