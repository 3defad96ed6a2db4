"""How the broker layer writes its files: private, whole, with the directory's owner, one writer at a time.

Configs, password and ACL files hold secrets or decide who may connect, so
every write is owner-only (0600), atomic (a broker reloading at that moment
never reads half a file) and keeps the owner an IT person gave the broker
directory; changes to a directory's files happen under one exclusive lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_private(path: Path | str, text: str) -> Path:
    """Write a file readable by its owner only (configs hold passwords).

    Written to a temporary name and renamed, so a broker reloading at the same
    moment never reads half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    match_owner(tmp, path if path.exists() else path.parent)
    os.replace(tmp, path)
    return path


def match_owner(path: Path | str, like: Path | str) -> None:
    """When root, give ``path`` the owner of ``like``.

    mosquitto started as root switches to its ``user`` *before* it reads the
    password and ACL files; an IT person who ran ``chown -R mosquitto`` on the
    broker directory must not find a later ``add-office`` (run as root) has
    left root-owned 0600 files that the broker can no longer read.
    """
    if os.geteuid() != 0:
        return
    st = os.stat(like)
    os.chown(path, st.st_uid, st.st_gid)


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (created if missing).

    An advisory lock between our own processes: two ``onestop broker
    add-office`` runs at once read-modify-write the same ACL, and without it
    one of the two offices would be lost. The kernel drops the lock when the
    process dies, so a crashed run never leaves the directory locked.
    """
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
