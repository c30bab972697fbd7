"""Named points in the store's and apply's writes where a test can stop the process.

The tests prove that a process killed at any point leaves the store, the patched file
and the logs whole: they run updater in a subprocess with ``UPDATER_TEST_FAULT`` set to
``kill:POINT`` (SIGKILL at that point), ``pause:POINT:SECONDS`` (sleep there, so that
several processes meet inside a lock) or ``error:POINT`` (an OSError there, ENOSPC), several
joined by commas. Unset, which is always the case outside the tests, a checkpoint is one
dictionary look-up.
"""

from __future__ import annotations

import errno
import os
import signal
import time

ENV = "UPDATER_TEST_FAULT"


def checkpoint(point: str) -> None:
    """Do what ``UPDATER_TEST_FAULT`` asks at ``point`` (nothing when it is unset)."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    for item in spec.split(","):
        action, _, rest = item.strip().partition(":")
        name, _, arg = rest.partition(":")
        if name != point:
            continue
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action == "pause":
            time.sleep(float(arg or 1))
        elif action == "error":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
