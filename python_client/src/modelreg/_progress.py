"""One progress wrapper: tqdm when installed (its widget bar in notebooks with ipywidgets), else a plain line.

``MODELREG_DISABLE_PROGRESS=1`` silences both.
"""

import importlib.util
import sys
import time
from typing import Any, Optional

from . import constants

# Without tqdm: a line rewritten in place every second on a terminal; in logs (CI, notebooks
# without tqdm) a new line every ten seconds, so long transfers show life without flooding.
_TERMINAL_INTERVAL_SECONDS = 1.0
_LOG_INTERVAL_SECONDS = 10.0


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, whose output cells keep whatever a bar leaves behind."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _tqdm_class(notebook: bool) -> Any:
    """tqdm's widget bar in a notebook that has ipywidgets, its text bar elsewhere; None without tqdm.

    Not ``tqdm.auto``: in a notebook without ipywidgets it warns "IProgress not found" on first use.
    """
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    if notebook and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm
    return tqdm


class Progress:
    """Counts bytes toward a total and shows it. Use as a context manager.

    Args:
        total: expected number of bytes (None when unknown).
        desc: what is moving, e.g. ``"Downloading model.pkl"``.
        enabled: False forces silence (the kernel hook reports events instead).
    """

    def __init__(self, total: Optional[int], desc: str, enabled: bool = True) -> None:
        self.total = total
        self.desc = desc
        self.done = 0
        self._bar: Any = None
        self._plain = False
        self._terminal = False
        self._last_print = time.monotonic()
        self._printed = False
        if not enabled or constants.progress_disabled():
            return
        notebook = _in_notebook()
        tqdm = _tqdm_class(notebook)
        if tqdm is None:
            self._plain = True
            self._terminal = sys.stderr.isatty()
            return
        # A terminal gets its line back; a notebook keeps the finished bar, because a bar that
        # clears itself there leaves an empty strip in the cell's output.
        self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=notebook)

    def update(self, count: int) -> None:
        """Add ``count`` bytes."""
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif self._plain:
            now = time.monotonic()
            interval = _TERMINAL_INTERVAL_SECONDS if self._terminal else _LOG_INTERVAL_SECONDS
            if now - self._last_print >= interval:
                self._last_print = now
                self._printed = True
                self._write("" if self._terminal else "\n")

    def _write(self, end: str) -> None:
        mib = self.done / 2**20
        if self.total:
            text = f"{self.desc}: {mib:.1f}/{self.total / 2**20:.1f} MiB ({100 * self.done // self.total}%)"
        else:
            text = f"{self.desc}: {mib:.1f} MiB"
        sys.stderr.write(f"\r{text}{end}" if self._terminal else f"{text}{end}")
        sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._plain and self._printed:
            self._write("\n")
            self._plain = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
