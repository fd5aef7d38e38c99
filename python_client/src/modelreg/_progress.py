"""One progress wrapper: tqdm (``tqdm.auto`` in notebooks) when installed, else a plain line.

``MODELREG_DISABLE_PROGRESS=1`` silences both.
"""

import sys
import time
from typing import Any, Optional

from . import constants

# Without tqdm: a line rewritten in place every second on a terminal; in logs (CI, notebooks
# without tqdm) a new line every ten seconds, so long transfers show life without flooding.
_TERMINAL_INTERVAL_SECONDS = 1.0
_LOG_INTERVAL_SECONDS = 10.0


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
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._plain = True
            self._terminal = sys.stderr.isatty()
            return
        self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)

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
