"""Broker passwords: made with :mod:`secrets`, hashed by the installed ``mosquitto_passwd``.

Hashing with the broker's own tool (PBKDF2-SHA512 in mosquitto 2) means the
password file is exactly what the installed mosquitto expects, whatever its
version. A plain-text password exists only in the return value of
:func:`new_password` and in the bridge config that must carry it.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

from broker.errors import CredentialError
from broker.settings import DEFAULT_MOSQUITTO_PASSWD, BrokerSettings, find_executable

PASSWORD_BYTES = 24  # 32 url-safe characters: no quoting issues in a config line
TOOL_TIMEOUT_S = 30


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def passwd_tool(settings: BrokerSettings | None = None) -> str:
    """The mosquitto_passwd executable: ``MOSQUITTO_PASSWD``, Debian's path, then ``PATH``."""
    found = find_executable((settings or BrokerSettings()).mosquitto_passwd, DEFAULT_MOSQUITTO_PASSWD, "mosquitto_passwd")
    if found:
        return found
    raise CredentialError(
        "mosquitto_passwd is not installed; install it with: apt-get install mosquitto "
        "(or run scripts/bootstrap.sh)"
    )


def users(passwd_path: Path) -> list[str]:
    """User names in a password file, in file order; none when it does not exist yet."""
    if not passwd_path.exists():
        return []
    names = []
    for line in passwd_path.read_text(encoding="utf-8").splitlines():
        name, sep, _ = line.partition(":")
        if sep and name.strip():
            names.append(name.strip())
    return names


def set_password(passwd_path: Path, username: str, password: str) -> None:
    """Add ``username`` or replace its hash."""
    # -b takes the password as an argument: visible in `ps` for the few
    # milliseconds the tool runs, on the broker host only. The
    # alternative (interactive prompt) cannot be automated.
    result = subprocess.run(
        [passwd_tool(), "-b", str(passwd_path), username, password],
        capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise CredentialError(
            f"mosquitto_passwd could not set the password of {username!r} in {passwd_path}: "
            f"{(result.stderr or result.stdout).strip()}"
        )


def delete_password(passwd_path: Path, username: str) -> None:
    """Remove ``username``; nothing to do when it is not in the file."""
    if username not in users(passwd_path):
        return
    result = subprocess.run(
        [passwd_tool(), "-D", str(passwd_path), username], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S
    )
    if result.returncode != 0:
        raise CredentialError(
            f"mosquitto_passwd could not remove {username!r} from {passwd_path}: "
            f"{(result.stderr or result.stdout).strip()}"
        )
