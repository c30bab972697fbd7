"""One writer at a time: an exclusive lock on a file beside what it protects.

The release store and the audit log are shared by cron jobs and colleagues on a shared
drive; two imports writing the manifest at once would lose a release. ``exclusive``
takes an ``flock`` on a lock file (released by the kernel when its holder dies, however
it dies, so a crashed import never leaves a stale lock) and writes the holder's pid,
host, start time and command into it for the message others get. Another updater
waits up to ``UPDATER_LOCK_WAIT`` seconds (default 120), then stops with that message.

Where ``flock`` is missing (Windows) or the file system refuses it, the lock is a file
created exclusively, holding the same facts: one whose process is gone (same host) or
older than ``STALE_AFTER`` (another host, which cannot be asked) is stale and taken over.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

WAIT_ENV = "UPDATER_LOCK_WAIT"
DEFAULT_WAIT = 120.0  # seconds another updater is waited for
STALE_AFTER = 6 * 3600.0  # seconds after which another host's lock file is stale
_POLL = 0.05
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL}


class LockedError(UpdaterError):
    """Another updater holds the lock (and did not let go in time)."""


def wait_seconds() -> float:
    """How long to wait for another updater: ``UPDATER_LOCK_WAIT``, else the default."""
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text)
    except ValueError:
        raise UpdaterError(f"{WAIT_ENV}={text!r} is not a number of seconds",
                           hint=f"set {WAIT_ENV} to e.g. 300, or unset it") from None
    if not 0 <= value <= 86_400:
        raise UpdaterError(f"{WAIT_ENV}={text!r} is not between 0 and 86400 seconds",
                           hint=f"set {WAIT_ENV} to e.g. 300, or unset it")
    return value


def _holder_text() -> bytes:
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                       "since": datetime.now(UTC).isoformat(timespec="seconds"),
                       "command": " ".join(Path(a).name if i == 0 else a
                                           for i, a in enumerate(sys.argv))[:200]}
                      ).encode("utf-8")


def _holder(data: bytes) -> dict[str, Any]:
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def _describe(info: dict[str, Any]) -> str:
    if not info:
        return "another updater"
    return (f"another updater (pid {info.get('pid', '?')} on {info.get('host', '?')}, "
            f"since {info.get('since', '?')}: {info.get('command', '?')})")


def _locked(what: str, lock_file: Path, info: dict[str, Any], wait: float) -> LockedError:
    return LockedError(f"{what} is in use by {_describe(info)}", file=lock_file,
                       hint=f"wait for it to finish and try again (waited {wait:g} s; set "
                            f"{WAIT_ENV}=SECONDS to wait longer)")


@contextmanager
def exclusive(lock_file: str | Path, what: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lock on ``lock_file`` while the block runs (``what`` names the thing
    locked in the message: "the release store releases"); wait up to ``wait`` seconds
    (default: ``wait_seconds()``) for another holder."""
    lock_file = Path(lock_file)
    wait = wait_seconds() if wait is None else wait
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UpdaterError(f"cannot create the lock file ({exc.strerror or exc})",
                           file=lock_file, hint="check that the folder is writable") from None
    try:
        if fcntl is None or not _flock(fd, lock_file, what, wait):
            with _lock_by_file(lock_file.with_name(lock_file.name + ".held"), what, wait):
                yield
            return
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder_text(), 0)
        except OSError:
            pass  # the facts are for messages only
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # let go: the file names no holder
    finally:
        os.close(fd)  # closing releases the flock


def _flock(fd: int, lock_file: Path, what: str, wait: float) -> bool:
    """Take the flock, waiting up to ``wait`` s; False when the file system has none."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _locked(what, lock_file, _holder(os.pread(fd, 4096, 0)),
                              wait) from None
            time.sleep(_POLL)
        except OSError as exc:
            if exc.errno in _NO_FLOCK:
                return False
            raise


def _alive(info: dict[str, Any], age: float) -> bool:
    """Whether the holder a lock file names may still be running."""
    if info.get("host") != socket.gethostname() or os.name != "posix":
        return age < STALE_AFTER
    try:
        os.kill(int(info.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, OverflowError):
        return True
    return True


@contextmanager
def _lock_by_file(held: Path, what: str, wait: float) -> Iterator[None]:
    """The lock as a file created exclusively, for file systems without flock."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(held, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            try:
                info = _holder(held.read_bytes())
                age = time.time() - held.stat().st_mtime
            except FileNotFoundError:
                continue  # let go meanwhile: try again
            if not _alive(info, age) or (not info and age > 60):
                held.unlink(missing_ok=True)  # stale: its process is gone
                continue
            if time.monotonic() >= deadline:
                raise _locked(what, held, info, wait) from None
            time.sleep(_POLL)
            continue
        try:
            os.write(fd, _holder_text())
        finally:
            os.close(fd)
        break
    try:
        yield
    finally:
        held.unlink(missing_ok=True)
