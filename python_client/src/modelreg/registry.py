"""``Registry``: the connection to one model registry and the entry point of the client."""

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote

from . import _fluent, _heartbeat, _provenance, _pull, config, constants
from ._cache import Cache
from ._http import HttpClient
from ._refs import ModelName, Ref
from .candidate import Candidate, ParamValue, _param_text
from .compare import CompareRef, Comparison, compare
from .errors import NotConfigured, RegistryUnavailable


class Registry:
    """A model registry.

    Args:
        url: the registry's root URL (default: ``MODELREG_URL``, else the ``modelreg login`` config).
        token: a personal access token (default: ``MODELREG_TOKEN``, else the config file's when ``url`` is the
            one it was saved for; see :mod:`modelreg.config`).
        cache_dir: where pulled versions are kept (default: ``MODELREG_CACHE`` or the user cache dir).
        offline: serve pulls from the cache only (default: ``MODELREG_OFFLINE``).

    Raises:
        NotConfigured: no URL anywhere (and not offline).

    Example:
        >>> reg = modelreg.Registry()
        >>> with reg.candidate("acme/churn", name="xgb") as c:
        ...     c.log_metric("auc", 0.91)
        >>> c.promote(bump="minor")
        >>> path = reg.pull("acme/churn@latest")
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        cache_dir: Optional[Union[str, Path]] = None,
        offline: Optional[bool] = None,
    ) -> None:
        found = config.resolve(url, token)
        self.url, token = found.url, found.token
        self.offline = constants.offline() if offline is None else offline
        self.cache = Cache(Path(cache_dir) if cache_dir else constants.cache_dir())
        if self.url is None and not self.offline:
            raise NotConfigured(
                "No model registry configured: set MODELREG_URL (and MODELREG_TOKEN) or run "
                f"`modelreg login --url URL` (writes {config.config_path()})."
            )
        self._http = HttpClient(self.url, token) if self.url else None

    def __repr__(self) -> str:
        return f"<Registry {self.url or '(offline)'}>"

    @property
    def _client(self) -> HttpClient:
        if self.offline or self._http is None:
            raise RegistryUnavailable(
                "Offline (MODELREG_OFFLINE=1): only pulls of cached versions work. Unset MODELREG_OFFLINE "
                "to talk to the registry.",
                code="OFFLINE",
            )
        return self._http

    @property
    def stats(self) -> Any:
        """Bytes sent and received by this client (:class:`modelreg._http.TransferStats`)."""
        return self._client.stats

    # -- who, groups ------------------------------------------------------------------------
    def whoami(self) -> Dict[str, Any]:
        """The token's user: ``{"username", "is_admin"}``.

        Raises:
            Unauthenticated: no token or a bad one.
            RegistryUnavailable: the registry cannot be reached.
        """
        return self._client.json("GET", "/user")

    def create_group(self, name: str, visibility: str = "private") -> Dict[str, Any]:
        """Create a group (you become its owner). ``visibility``: ``private`` or ``public``."""
        return self._client.json("POST", "/groups", json_body={"name": name, "visibility": visibility})

    # -- tokens -----------------------------------------------------------------------------
    def _token_owner(self, user: Optional[str]) -> str:
        return quote(user or self.whoami()["username"], safe="")

    def create_token(
        self,
        name: str,
        expires_at: Optional[str] = None,
        scopes: Optional[List[str]] = None,
        user: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Create an API token; its secret (``"token"``) is in the answer and never shown again.

        Args:
            name: what it is for, e.g. ``"ci"``.
            expires_at: ISO 8601 date-time after which it is refused (default: never).
            scopes: any of ``read``, ``write``, ``admin`` (default: read and write).
            user: whose token (default: yours; another user's needs the instance admin).
        """
        body: Dict[str, Any] = {"name": name}
        if expires_at:
            body["expires_at"] = expires_at
        if scopes:
            body["scopes"] = scopes
        return self._client.json("POST", f"/users/{self._token_owner(user)}/tokens", json_body=body)

    def tokens(self, user: Optional[str] = None) -> List[Dict[str, Any]]:
        """Your tokens (or ``user``'s): id, name, created, last used, expiry and scopes, never the secret."""
        return self._client.json("GET", f"/users/{self._token_owner(user)}/tokens")["items"]

    def revoke_token(self, token_id: int, user: Optional[str] = None) -> None:
        """Revoke a token by id: every registry process refuses it from then on.

        Raises:
            NotFound: no token with that id for that user.
        """
        self._client.json("DELETE", f"/users/{self._token_owner(user)}/tokens/{int(token_id)}")

    # -- models -----------------------------------------------------------------------------
    def models(
        self,
        query: Optional[str] = None,
        group: Optional[str] = None,
        tag: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Models you can read, as model cards (dicts, see docs/api.md).

        Args:
            query: text search in names and descriptions.
            group: only this group.
            tag: only models with this tag.
            limit: at most this many.
        """
        params = {k: v for k, v in (("q", query), ("group", group), ("tag", tag)) if v}
        return self._client.paginate("/models", params, limit)

    def model(self, name: str) -> Dict[str, Any]:
        """One model card, e.g. ``reg.model("acme/churn")``.

        Raises:
            NotFound: no such model, or you cannot see it.
        """
        return self._client.json("GET", ModelName.parse(name).path)

    def create_model(
        self, name: str, description: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None
    ) -> Dict[str, Any]:
        """Create a model in an existing group (developer+).

        Raises:
            Conflict: it exists.
            PermissionDenied: you are not a developer of the group.
        """
        model = ModelName.parse(name)
        body: Dict[str, Any] = {"name": model.name}
        if description is not None:
            body["description"] = description
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return self._client.json("POST", f"/models/{quote(model.group, safe='')}", json_body=body)

    # -- candidates -------------------------------------------------------------------------
    def candidate(
        self,
        model: str,
        name: Optional[str] = None,
        experiment: Optional[str] = None,
        *,
        params: Optional[Mapping[str, ParamValue]] = None,
        tags: Optional[Mapping[str, Any]] = None,
        provenance: Optional[Mapping[str, Any]] = None,
        capture_environment: bool = True,
    ) -> Candidate:
        """Start a new candidate (status ``running``) and make it the active one.

        The model is created if it does not exist yet (you need the developer role in its group).
        Provenance (python, packages, git, CI, notebook path) is captured automatically.

        Args:
            model: ``group/name``.
            name: a short name for the run, e.g. ``"xgb-depth6"``.
            experiment: groups related candidates, e.g. ``"tuning"``.
            params: parameters to record right away.
            tags: free-form tags.
            provenance: extra provenance merged over what is captured.
            capture_environment: record python/platform/packages (default True).

        Returns:
            The candidate; use it as a context manager to finish or fail it automatically.

        Raises:
            PermissionDenied: you are not a developer of the group.
            NotFound: the group does not exist (or is private to you).
        """
        model_name = ModelName.parse(model)
        captured = _provenance.capture(include_environment=capture_environment)
        captured.update(provenance or {})
        body: Dict[str, Any] = {"provenance": captured}
        for key, value in (("name", name), ("experiment", experiment)):
            if value is not None:
                body[key] = value
        if params:
            body["params"] = {k: _param_text(v) for k, v in params.items()}
        if tags:
            body["tags"] = {k: str(v) for k, v in tags.items()}
        data = self._client.json(
            "POST", f"{model_name.path}/candidates", params={"create_model": "true"}, json_body=body
        )
        created = Candidate(self, data)
        _fluent.activate(created)
        _heartbeat.keep_open(created)  # a process that dies leaves it failed, not running forever
        return created

    def get_candidate(self, model: str, iid: int) -> Candidate:
        """An existing candidate by number (``reg.get_candidate("acme/churn", 3)``).

        Raises:
            NotFound: no such candidate.
        """
        return Candidate(self, self._client.json("GET", f"{ModelName.parse(model).path}/candidates/{int(iid)}"))

    def candidates(
        self,
        model: str,
        *,
        status: Optional[str] = None,
        experiment: Optional[str] = None,
        filter: Optional[str] = None,
        order_by: Optional[str] = None,
        pipeline: Optional[str] = None,
        commit: Optional[str] = None,
        mr: Optional[Union[str, int]] = None,
        limit: Optional[int] = None,
    ) -> List[Candidate]:
        """Candidates of a model, newest first unless ``order_by`` says otherwise.

        Args:
            model: ``group/name``.
            status: ``running``, ``finished`` or ``failed``.
            experiment: only this experiment.
            filter: e.g. ``"metrics.auc > 0.9 and params.depth = '6'"``.
            order_by: e.g. ``"metrics.auc DESC"``.
            pipeline: only candidates logged by this CI pipeline (GitLab pipeline id, GitHub run id).
            commit: only candidates of this git commit (a prefix, like git).
            mr: only candidates of this merge request (GitLab MR iid, GitHub pull request number).
            limit: at most this many.
        """
        params = {
            k: v
            for k, v in (("status", status), ("experiment", experiment), ("filter", filter), ("order_by", order_by))
            if v
        }
        params.update(_ci_filters(pipeline, commit, mr))
        items = self._client.paginate(f"{ModelName.parse(model).path}/candidates", params, limit)
        return [Candidate(self, item) for item in items]

    # -- versions ---------------------------------------------------------------------------
    def versions(self, model: str) -> List[Dict[str, Any]]:
        """Versions of a model, highest SemVer first."""
        return self._client.paginate(f"{ModelName.parse(model).path}/versions")

    def version(self, ref: str) -> Dict[str, Any]:
        """One version by reference: ``acme/churn@1.2.0``, ``@production`` or ``@latest``.

        Raises:
            NotFound: no such version or alias.
        """
        parsed = Ref.parse(ref)
        if parsed.candidate is not None:
            raise ValueError(f"{ref} names a candidate; use get_candidate()")
        return self._client.json("GET", f"{parsed.model.path}/versions/{quote(parsed.version or 'latest', safe='')}")

    def set_alias(self, model: str, alias: str, version: str) -> Dict[str, Any]:
        """Point ``alias`` (e.g. ``production``) at ``version`` (maintainer+)."""
        path = f"{ModelName.parse(model).path}/aliases/{quote(alias, safe='')}"
        return self._client.json("PUT", path, json_body={"version": version})

    def yank(self, ref: str, reason: str) -> Dict[str, Any]:
        """Mark a version as not to be used (maintainer+); it stays downloadable, pulls warn.

        Args:
            ref: an exact version, e.g. ``acme/churn@1.2.0``.
            reason: why, shown to everyone who pulls it.
        """
        parsed = Ref.parse(ref)
        if not parsed.is_exact_version:
            raise ValueError(f"yank needs an exact version like acme/churn@1.2.0, got {ref}")
        path = f"{parsed.model.path}/versions/{quote(parsed.version or '', safe='')}/yank"
        return self._client.json("POST", path, json_body={"reason": reason})

    def promote(
        self,
        model: str,
        candidate: int,
        version: Optional[str] = None,
        *,
        bump: Optional[str] = None,
        notes: Optional[str] = None,
        git_tag: bool = False,
        push: bool = False,
        repo: Optional[Union[str, Path]] = None,
    ) -> Dict[str, Any]:
        """Promote candidate ``candidate`` of ``model`` to a locked version. See :meth:`Candidate.promote`."""
        return self.get_candidate(model, candidate).promote(
            version, bump=bump, notes=notes, git_tag=git_tag, push=push, repo=repo
        )

    # -- model card -------------------------------------------------------------------------
    def card(self, model: str, revision: Optional[int] = None) -> Dict[str, Any]:
        """The model card: ``{"sections", "revision", "completeness", ...}`` (a saved ``revision`` if given).

        Before the first save it is a draft (``"draft": True``) made from the model's first candidate.

        Raises:
            NotFound: no such model or revision.
        """
        path = f"{ModelName.parse(model).path}/card"
        return self._client.json("GET", path if revision is None else f"{path}/revisions/{int(revision)}")

    def update_card(
        self,
        model: str,
        sections: Mapping[str, str],
        *,
        description: Optional[str] = None,
        message: Optional[str] = None,
        base_revision: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Save the card's sections as a new revision (developer+); sections left out are saved empty.

        Args:
            model: ``group/name``.
            sections: markdown by key (``intended_use``, ``evaluation``, ... see docs/api.md).
            description: the free description (default: unchanged).
            message: what changed, shown in the card's history.
            base_revision: the revision you edited; the save is refused (``Conflict``) if the card moved on.

        Raises:
            ValidationError: an unknown section key.
            Conflict: ``base_revision`` is not the current revision.
        """
        body: Dict[str, Any] = {"sections": dict(sections)}
        for key, value in (("description", description), ("message", message), ("base_revision", base_revision)):
            if value is not None:
                body[key] = value
        return self._client.json("PUT", f"{ModelName.parse(model).path}/card", json_body=body)

    def export_card(self, model: str, version: Optional[str] = None) -> str:
        """The card as a Hugging Face ``README.md`` (YAML front matter, sections as headings).

        Args:
            model: ``group/name``.
            version: the card as it was for this version (its frozen revision and metrics);
                default: the current card with the latest version's metrics.
        """
        params = {"version": version} if version else None
        response = self._client.request("GET", f"{ModelName.parse(model).path}/card.md", params=params)
        response.encoding = "utf-8"
        return response.text

    def import_card(self, model: str, markdown: str) -> Dict[str, Any]:
        """Import a ``README.md`` as a new card revision (developer+); its front matter updates the metadata.

        Raises:
            ValidationError: the front matter is not valid YAML.
        """
        data = markdown.encode("utf-8")
        response = self._client.request(
            "PUT",
            f"{ModelName.parse(model).path}/card.md",
            body=lambda: (data, len(data)),
            headers={"Content-Type": "text/markdown; charset=utf-8"},
        )
        return response.json()

    def pull(
        self,
        ref: str,
        local_dir: Optional[Union[str, Path]] = None,
        verify: bool = False,
        show_progress: bool = True,
        *,
        pipeline: Optional[str] = None,
        commit: Optional[str] = None,
        mr: Optional[Union[str, int]] = None,
        verify_signature: bool = True,
    ) -> Path:
        """Download a version into the local cache and return its directory.

        Pulling a version that is already cached downloads nothing; every file is checked against
        its sha256 before it appears; interrupted downloads resume. Offline mode
        (``MODELREG_OFFLINE=1``) serves versions from the cache.

        With ``pipeline``, ``commit`` or ``mr``, ``ref`` is just the model and what is pulled is the
        newest finished candidate that pipeline (commit, merge request) produced: its version if it
        was promoted, else the candidate's files.

        Args:
            ref: ``acme/churn@1.2.0``, ``acme/churn@production`` (alias), ``acme/churn@latest``;
                with a CI filter, ``acme/churn``.
            local_dir: also copy the files there and return that directory.
            verify: re-hash cached files instead of trusting their size and mtime.
            show_progress: show download progress.
            pipeline: a CI pipeline id (GitLab ``CI_PIPELINE_ID``, GitHub ``GITHUB_RUN_ID``).
            commit: a git commit (or prefix).
            mr: a merge request (pull request) number.
            verify_signature: refuse a version unless it matches what the registry signed at
                promotion, checked against the registry's key pinned on first use (docs/signing.md).

        Returns:
            The directory holding the version's files.

        Raises:
            NotFound: no such model, version or alias; no finished candidate from that pipeline
                (the message lists the candidates found).
            OfflineCacheMiss: offline and not cached.
            DigestMismatch: the registry sent bytes that do not match their sha256.
            SignatureMismatch: the version is unsigned, signed with another key than the pinned one,
                or described differently from what was signed.

        Example:
            >>> path = reg.pull("acme/churn", pipeline=os.environ["CI_PIPELINE_ID"])
        """
        filters = _ci_filters(pipeline, commit, mr)
        if filters:
            return self._pull_from_ci(ref, filters, local_dir, verify, show_progress, verify_signature)[0]
        parsed = Ref.parse(ref)
        if parsed.candidate is not None:
            raise ValueError(f"pull works on versions; promote {ref} first or use its artifacts()")
        target = Path(local_dir) if local_dir else None
        if self.offline:
            return _pull.pull_offline(self.cache, parsed, target, verify)
        return _pull.pull(self._client, self.cache, parsed, target, verify, show_progress, verify_signature)

    def _pull_from_ci(
        self,
        model: str,
        filters: Dict[str, str],
        local_dir: Optional[Union[str, Path]],
        verify: bool,
        show_progress: bool,
        verify_signature: bool = True,
    ) -> Tuple[Path, Dict[str, Any]]:
        """(directory, candidate JSON) of the newest finished candidate matching ``filters``."""
        if len(filters) > 1:
            raise ValueError("Pull by one of pipeline=, commit= or mr=, not several at once.")
        name = Ref.parse(model)
        if name.candidate is not None or name.version != "latest" or "@" in model:
            raise ValueError(f"With pipeline=, commit= or mr=, give just the model (acme/churn), not {model!r}")
        chosen = _pull.ci_candidate(self._client, name.model, filters)
        target = Path(local_dir) if local_dir else None
        if chosen.get("version"):
            ref = Ref(name.model, version=chosen["version"])
            pulled = _pull.pull(self._client, self.cache, ref, target, verify, show_progress, verify_signature)
            return pulled, chosen
        path = _pull.pull_candidate(self._client, self.cache, name.model, chosen["iid"], target, verify, show_progress)
        return path, chosen

    def compare(self, refs: Sequence[CompareRef]) -> Comparison:
        """Compare candidates and versions of one model side by side.

        Args:
            refs: version references (``acme/churn@1.2.0``, ``@production``), candidate references
                (``acme/churn#3``) or :class:`Candidate` objects.

        Returns:
            A :class:`Comparison` (HTML in notebooks, ``to_dict()``, ``to_pandas()``, ``to_text()``).

        Raises:
            ValueError: the references name different models.
        """
        return compare(self._client, refs)

    # -- deployments and monitoring -------------------------------------------------------------
    def deploy(
        self,
        model: str,
        *,
        environment: str,
        version: Optional[str] = None,
        candidate: Optional[int] = None,
        url: Optional[str] = None,
        status: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Record that a version (or, outside production, a candidate) went to an environment (maintainer+).

        Args:
            model: ``group/name``.
            environment: e.g. ``"production"``, ``"staging"``.
            version: a version, alias or ``"latest"``; or instead:
            candidate: a candidate number (not for production).
            url: where it serves.
            status: ``pending`` (default), ``active``, ``degraded`` or ``retired``.

        Returns:
            The deployment, with its ``id``.

        Example:
            >>> d = reg.deploy("acme/churn", version="1.2.0", environment="production")
            >>> reg.update_deployment("acme/churn", d["id"], "active")
        """
        body: Dict[str, Any] = {"environment": environment}
        for key, value in (("version", version), ("candidate", candidate), ("url", url), ("status", status)):
            if value is not None:
                body[key] = value
        return self._client.json("POST", f"{ModelName.parse(model).path}/deployments", json_body=body)

    def deployments(self, model: str, environment: Optional[str] = None) -> List[Dict[str, Any]]:
        """Deployments of a model, newest first (optionally of one environment)."""
        params = {"environment": environment} if environment else None
        return self._client.paginate(f"{ModelName.parse(model).path}/deployments", params)

    def deployment(self, model: str, deployment_id: int) -> Dict[str, Any]:
        """One deployment with its status ``history`` (oldest first) and live ``metrics``."""
        return self._client.json("GET", f"{ModelName.parse(model).path}/deployments/{int(deployment_id)}")

    def update_deployment(
        self, model: str, deployment_id: int, status: str, reason: Optional[str] = None
    ) -> Dict[str, Any]:
        """Move a deployment along ``pending -> active -> degraded -> retired`` (maintainer+).

        Raises:
            Conflict: the lifecycle does not allow that move (e.g. out of ``retired``).
        """
        body: Dict[str, Any] = {"status": status}
        if reason:
            body["reason"] = reason
        return self._client.json(
            "PATCH", f"{ModelName.parse(model).path}/deployments/{int(deployment_id)}", json_body=body
        )

    def log_live_metrics(
        self,
        model: str,
        deployment_id: int,
        metrics: Union[Mapping[str, float], Sequence[Mapping[str, Any]]],
        timestamp: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Record live metrics of a deployment (developer+): ``{"live_accuracy": 0.91}`` or
        ``[{"key", "value", "timestamp"}]``. A value outside a deployment threshold marks an active
        deployment ``degraded``.

        Returns:
            ``{"accepted", "status", "breach"}``: the deployment's status afterwards and why it changed.
        """
        if isinstance(metrics, Mapping):
            points: List[Dict[str, Any]] = [{"key": k, "value": float(v)} for k, v in metrics.items()]
        else:
            points = [dict(p) for p in metrics]
        if timestamp is not None:
            for point in points:
                point.setdefault("timestamp", int(timestamp))
        path = f"{ModelName.parse(model).path}/deployments/{int(deployment_id)}/metrics"
        return self._client.json("POST", path, json_body=points)

    def deployment_thresholds(self, model: str) -> List[Dict[str, Any]]:
        """Healthy ranges of live metrics: ``[{"metric", "min"?, "max"?, "environment"?}]``."""
        return self._client.paginate(f"{ModelName.parse(model).path}/deployment-thresholds")

    def set_deployment_thresholds(self, model: str, thresholds: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Replace the healthy ranges of live metrics (maintainer+), e.g.
        ``[{"metric": "live_accuracy", "min": 0.85}, {"metric": "p99_ms", "max": 250, "environment": "production"}]``."""
        path = f"{ModelName.parse(model).path}/deployment-thresholds"
        return self._client.json("PUT", path, json_body={"items": [dict(t) for t in thresholds]})["items"]

    # -- alias history --------------------------------------------------------------------------
    def alias(self, model: str, alias: str, at: Optional[str] = None) -> Dict[str, Any]:
        """Where ``alias`` points, or with ``at`` (ISO 8601) where it pointed then.

        Raises:
            NotFound: the alias does not exist (or did not then).
        """
        params = {"at": at} if at else None
        return self._client.json("GET", f"{ModelName.parse(model).path}/aliases/{quote(alias, safe='')}", params=params)

    def alias_history(self, model: str, alias: str) -> List[Dict[str, Any]]:
        """Every move of ``alias``, newest first: ``{"version", "previous", "action", "actor", "at"}``."""
        path = f"{ModelName.parse(model).path}/aliases/{quote(alias, safe='')}/history"
        return self._client.paginate(path)


def _ci_filters(pipeline: Optional[str], commit: Optional[str], mr: Optional[Union[str, int]]) -> Dict[str, str]:
    """The REST query parameters of the CI linkage filters that were given."""
    given = (("pipeline", pipeline), ("commit", commit), ("merge_request", mr))
    return {key: str(value) for key, value in given if value not in (None, "")}
