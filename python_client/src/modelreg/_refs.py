"""Parsing of model names (``acme/churn``) and references (``acme/churn@1.2.0``, ``@production``,
``@latest``, ``acme/churn#3`` for candidate 3), and the API paths they map to."""

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True)
class ModelName:
    """A model's full name, ``group/name``."""

    group: str
    name: str

    @classmethod
    def parse(cls, text: str) -> "ModelName":
        """Parse ``"acme/churn"``.

        Raises:
            ValueError: not of the form ``group/name``.
        """
        parts = text.strip().strip("/").split("/")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"Model names look like 'group/name' (e.g. 'acme/churn'), got {text!r}")
        return cls(parts[0], parts[1])

    @property
    def full_name(self) -> str:
        return f"{self.group}/{self.name}"

    @property
    def path(self) -> str:
        """API path of the model, below ``/api/v1``."""
        return f"/models/{quote(self.group, safe='')}/{quote(self.name, safe='')}"

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True)
class Ref:
    """A reference to a version (exact, alias or ``latest``) or to a candidate of a model."""

    model: ModelName
    version: Optional[str] = None  # "1.2.0", an alias name, or "latest"
    candidate: Optional[int] = None

    @classmethod
    def parse(cls, text: str) -> "Ref":
        """Parse ``acme/churn@1.2.0``, ``acme/churn@production``, ``acme/churn@latest``,
        ``acme/churn`` (= latest) or ``acme/churn#3`` (candidate 3).

        Raises:
            ValueError: the text is not a reference.
        """
        if "#" in text:
            model, _, iid = text.partition("#")
            if not iid.isdigit():
                raise ValueError(f"Candidate references look like 'acme/churn#3', got {text!r}")
            return cls(ModelName.parse(model), candidate=int(iid))
        model, _, version = text.partition("@")
        return cls(ModelName.parse(model), version=version.strip() or "latest")

    @property
    def is_exact_version(self) -> bool:
        """True for a SemVer version number (immutable once promoted); False for aliases and latest."""
        return self.version is not None and bool(_SEMVER.match(self.version))

    def __str__(self) -> str:
        if self.candidate is not None:
            return f"{self.model}#{self.candidate}"
        return f"{self.model}@{self.version}"


def artifact_path(path: str) -> str:
    """Quote an artifact path for a URL, keeping its slashes."""
    return quote(path, safe="/")
