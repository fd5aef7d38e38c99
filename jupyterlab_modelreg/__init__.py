"""JupyterLab extension for modelreg: the labextension paths and the server-side registry proxy."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "0.0.0+unknown"

from .handlers import setup_handlers
from .settings import ModelregConfig


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-modelreg"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_modelreg"}]


def _load_jupyter_server_extension(server_app):
    """Register the /modelreg routes on the Jupyter server."""
    config = ModelregConfig(parent=server_app)
    ignored = config.export_to_environment()
    if ignored:
        server_app.log.warning("jupyterlab_modelreg: %s", ignored)
    setup_handlers(server_app.web_app, config)
    resolved = config.resolve()
    where = f"{resolved.url} (from {resolved.source})" if resolved.url else "nowhere (not configured)"
    server_app.log.info("jupyterlab_modelreg: proxying /modelreg/api/v1 to %s", where)


# The legacy name some Jupyter server versions still look up.
load_jupyter_server_extension = _load_jupyter_server_extension
