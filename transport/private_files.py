"""Directories and SQLite files that only their owner can read: the hub's and the cloud's databases.

``hub.db`` and ``cloud.db`` hold applicants' names and phone numbers and the
hashes of passwords and tokens; created under the usual umask (022) they
were world-readable (0644), so any account on a Pi or a server could copy
them. Here a data directory is created 0700 and a database file 0600 before
SQLite opens it: ``os.open`` with the mode, not ``os.umask``, which is one
setting for the whole process and would race with the service's other
threads. SQLite then creates the ``-wal`` and ``-shm`` files with the main
file's mode (``robust_open`` in its unix VFS copies it), so they are 0600 too.

Files left looser by an earlier release are tightened when they are opened,
with a log line. Directories that already exist are not changed (an operator
may have pointed the data directory at a shared one); a warning says when
others can list them. Both sides (hub and cloud) use this, hence its place in
``transport/``, the package of I/O helpers they share.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
OTHERS = 0o077
"""Permission bits of the group and of everyone else: none of them may be set."""
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database, with the same content to protect."""


def private_dir(path: Path) -> Path:
    """Create directory ``path`` (and missing parents) readable by its owner only; an existing one is kept."""
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & OTHERS:
            log.warning("data_dir_not_private", path=str(path), mode=oct(mode),
                        fix=f"chmod 700 {path} (the files in it are 0600)")
    return path


def private_file(path: Path) -> Path:
    """Create file ``path`` empty with mode 0600 if it is missing; tighten it to 0600 if it is looser."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        _tighten(path, fd)
    finally:
        os.close(fd)
    return path


def private_sqlite(path: Path) -> Path:
    """Make a SQLite database's directory, file and companion files private before a connection opens it."""
    private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            fd = os.open(companion, os.O_RDONLY | os.O_CLOEXEC)  # never created here: SQLite creates them
        except FileNotFoundError:
            continue
        try:
            _tighten(companion, fd)
        finally:
            os.close(fd)
    return path


def _tighten(path: Path, fd: int) -> None:
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    if not mode & OTHERS:
        return
    try:
        os.fchmod(fd, mode & ~OTHERS)
    except PermissionError:  # another account's file: say so, and go on as before
        log.warning("file_not_private", path=str(path), mode=oct(mode), reason="not its owner; chmod 600 it")
        return
    log.warning("file_mode_tightened", path=str(path), was=oct(mode), now=oct(mode & ~OTHERS))
