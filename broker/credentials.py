"""Broker users, passwords and ACLs of the cloud broker and of an office hub.

Every broker user is an office (its hub's bridge) or a cloud service
(ARCHITECTURE.md): a service reads and writes ``onestop/v1/#``, an office only
``onestop/v1/{its office}/#``. The ACL file is therefore *derived* — parsed
into per-user rules, changed, and written back whole — so that adding an
office twice rotates its password but never leaves two ACL blocks behind, and
removing it removes every trace.

Passwords are made with :mod:`secrets` and hashed by ``mosquitto_passwd``
(the broker's own hashing, PBKDF2-SHA512), so the files are exactly what the
installed mosquitto expects. A plain-text password exists only in the return
value and in the bridge config that must carry it.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from broker import configs
from broker.configs import ConfigError, check_office
from protocol.topics import ROOT

log = structlog.get_logger(__name__)

#: Service user names: same alphabet as ids (they appear in logs and ACLs).
SERVICE_USER_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
ALL_TOPICS = f"{ROOT}/#"
PASSWORD_BYTES = 24  # 32 url-safe characters: no quoting issues in a config line


class CredentialError(ValueError):
    """A user or office that cannot be added/removed; the message says why and what to do."""


@dataclass(frozen=True)
class OfficeCredentials:
    """What the hub of one office needs to reach the cloud broker.

    ``bridge_conf`` is the ready bridge section for the hub's mosquitto
    (render_bridge with these credentials); ``acl_entry`` is the office's
    block in the cloud ACL, shown so the IT person can see what was granted.
    """

    office: str
    username: str
    password: str = field(repr=False)
    acl_entry: str
    bridge_conf: str = field(repr=False)

    @property
    def client_id(self) -> str:
        return configs.bridge_client_id(self.office)


def office_topics(office: str) -> str:
    return f"{ROOT}/{office}/#"


def _passwd_tool() -> str:
    for candidate in (os.environ.get("MOSQUITTO_PASSWD"), "/usr/bin/mosquitto_passwd", shutil.which("mosquitto_passwd")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise CredentialError(
        "mosquitto_passwd is not installed; install it with: apt-get install mosquitto "
        "(or run scripts/bootstrap.sh)"
    )


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


# -- ACL file model ------------------------------------------------------------


@dataclass
class AclBlock:
    username: str
    rules: list[tuple[str, str]]  # (access, topic)

    @property
    def comment(self) -> str:
        if self.rules == [("readwrite", ALL_TOPICS)]:
            return f"cloud service {self.username}: every office"
        offices = [t.split("/")[2] for a, t in self.rules if re.fullmatch(rf"{re.escape(ROOT)}/[^/]+/#", t)]
        if len(self.rules) == 1 and offices:
            return f"office {offices[0]}: only its own topics"
        return f"user {self.username}"

    def text(self) -> str:
        lines = [f"# {self.comment}", f"user {self.username}"]
        lines += [f"topic {access} {topic}" for access, topic in self.rules]
        return "\n".join(lines) + "\n"


def parse_acl(text: str) -> dict[str, AclBlock]:
    """Per-user rules of a mosquitto ACL file written by :func:`render_acl`.

    Anything this project does not write (``pattern`` lines, rules for
    anonymous clients) is refused rather than silently dropped on rewrite.
    """
    blocks: dict[str, AclBlock] = {}
    current: AclBlock | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if keyword == "user" and rest:
            current = blocks.setdefault(rest, AclBlock(rest, []))
        elif keyword == "topic" and current is not None:
            access, _, topic = rest.partition(" ")
            if access not in ("read", "write", "readwrite", "deny") or not topic.strip():
                access, topic = "readwrite", rest
            rule = (access, topic.strip())
            if rule not in current.rules:
                current.rules.append(rule)
        else:
            raise CredentialError(
                f"ACL line {number} ({raw!r}) is not one this tool writes (only 'user NAME' and "
                "'topic ACCESS TOPIC' after a user); move custom rules to another broker config or remove them"
            )
    return blocks


def render_acl(blocks: dict[str, AclBlock]) -> str:
    """ACL text, services first then offices, each sorted: stable diffs."""
    ordered = sorted(blocks.values(), key=lambda b: (b.rules != [("readwrite", ALL_TOPICS)], b.username))
    return configs.render_template("acl.j2", blocks=[{"username": b.username, "rules": b.rules, "comment": b.comment} for b in ordered])


# -- directories -----------------------------------------------------------------


class BrokerDir:
    """A directory holding one broker's ``passwd``, ``acl``, config and data.

    All changes happen under an exclusive lock on ``.lock``, so two
    ``onestop broker add-office`` runs at once cannot lose an office.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).absolute()

    # layout: one place, so the CLI, stack.py and docs agree
    @property
    def passwd_path(self) -> Path:
        return self.path / "passwd"

    @property
    def acl_path(self) -> Path:
        return self.path / "acl"

    @property
    def conf_path(self) -> Path:
        return self.path / "mosquitto.conf"

    @property
    def data_dir(self) -> Path:
        return self.path / "data"

    @property
    def log_path(self) -> Path:
        return self.path / "mosquitto.log"

    @property
    def secrets_dir(self) -> Path:
        return self.path / "secrets"

    @property
    def pid_path(self) -> Path:
        return self.path / "mosquitto.pid"

    def running_pid(self) -> int | None:
        """pid of the mosquitto running this directory's config, if any.

        Checked against /proc so that a stale pid file (after a crash) never
        makes us signal an unrelated process.
        """
        try:
            pid = int(self.pid_path.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return None
        if any(b"mosquitto" in part for part in cmdline[:1]) and str(self.conf_path).encode() in cmdline:
            return pid
        return None

    def reload_running(self) -> int | None:
        """SIGHUP the running broker so it re-reads passwd/acl; its pid, or None if none runs."""
        pid = self.running_pid()
        if pid is not None:
            os.kill(pid, signal.SIGHUP)
            log.info("broker.reloaded", pid=pid, dir=str(self.path))
        return pid

    def ensure(self) -> "BrokerDir":
        """Create the directory and empty passwd/acl files (0600) if missing."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.data_dir.exists():
            self.data_dir.mkdir()
            configs.match_owner(self.data_dir, self.path)
        for path in (self.passwd_path, self.acl_path):
            if not path.exists():
                configs.write_private(path, "" if path == self.passwd_path else render_acl({}))
        return self

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.ensure()
        with open(self.path / ".lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- users ------------------------------------------------------------------

    def users(self) -> list[str]:
        """User names in the password file."""
        if not self.passwd_path.exists():
            return []
        names = []
        for line in self.passwd_path.read_text(encoding="utf-8").splitlines():
            name, sep, _ = line.partition(":")
            if sep and name.strip():
                names.append(name.strip())
        return names

    def acl(self) -> dict[str, AclBlock]:
        if not self.acl_path.exists():
            return {}
        return parse_acl(self.acl_path.read_text(encoding="utf-8"))

    def _set_password(self, username: str, password: str) -> None:
        # -b takes the password as an argument: visible in `ps` for the few
        # milliseconds the tool runs, on the broker host only. The
        # alternative (interactive prompt) cannot be automated.
        result = subprocess.run(
            [_passwd_tool(), "-b", str(self.passwd_path), username, password],
            capture_output=True, text=True, timeout=30,
        )
        if result.returncode != 0:
            raise CredentialError(
                f"mosquitto_passwd could not set the password of {username!r} in {self.passwd_path}: "
                f"{(result.stderr or result.stdout).strip()}"
            )

    def _delete_password(self, username: str) -> None:
        if username not in self.users():
            return
        result = subprocess.run(
            [_passwd_tool(), "-D", str(self.passwd_path), username], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            raise CredentialError(
                f"mosquitto_passwd could not remove {username!r} from {self.passwd_path}: "
                f"{(result.stderr or result.stdout).strip()}"
            )

    def _write_acl(self, blocks: dict[str, AclBlock]) -> None:
        configs.write_private(self.acl_path, render_acl(blocks))

    def _put_user(self, username: str, rules: list[tuple[str, str]]) -> str:
        """Create or rotate ``username`` with exactly ``rules``; returns the new password."""
        blocks = self.acl()  # parse first: a hand-broken ACL stops us before any change
        password = new_password()
        self._set_password(username, password)
        blocks[username] = AclBlock(username, list(rules))
        self._write_acl(blocks)
        return password

    def _drop_user(self, username: str) -> bool:
        blocks = self.acl()
        known = username in blocks or username in self.users()
        self._delete_password(username)
        if blocks.pop(username, None) is not None:
            self._write_acl(blocks)
        return known


class CloudBrokerDir(BrokerDir):
    """The cloud broker's directory: service users and one user per office.

    An office's broker user name is its office id (what an IT person sees in
    the broker log next to a connection). Service users and offices share the
    name space, so each add checks the other kind.
    """

    def service_users(self) -> list[str]:
        return sorted(u for u, b in self.acl().items() if b.rules == [("readwrite", ALL_TOPICS)])

    def offices(self) -> list[str]:
        return sorted(u for u, b in self.acl().items() if b.rules == [("readwrite", office_topics(u))])

    def add_service_user(self, name: str) -> str:
        """Add (or rotate) a cloud service user allowed on every office's topics."""
        if not SERVICE_USER_PATTERN.match(name or ""):
            raise CredentialError(
                f"service user name {name!r} is invalid: use a lowercase letter followed by up to 62 "
                "lowercase letters, digits, '_' or '-'"
            )
        with self._locked():
            if name in self.offices():
                raise CredentialError(
                    f"{name!r} is already an office's user; a service user needs another name "
                    "(e.g. 'cloud' or 'ingest')"
                )
            password = self._put_user(name, [("readwrite", ALL_TOPICS)])
        log.info("broker.service_user_set", user=name, dir=str(self.path))
        return password

    def add_office(
        self,
        office: str,
        *,
        cloud_host: str = "127.0.0.1",
        cloud_port: int = 1883,
        restart_timeout: float | int | str | tuple[int, int] = configs.PRODUCTION_RESTART_TIMEOUT,
        keepalive: int = 60,
        cafile: Path | str | None = None,
    ) -> OfficeCredentials:
        """Add office ``office`` (or rotate its password) and render its hub's bridge.

        ``cloud_host``/``cloud_port`` are the cloud broker's address *as the
        office reaches it* (public name, TLS port), which is why they are
        arguments rather than read from this broker's listener. A running
        broker picks the change up on reload (SIGHUP); a rotated password
        disconnects the office until its hub gets the new bridge file.
        """
        try:
            check_office(office)
        except ConfigError as exc:
            raise CredentialError(str(exc)) from None
        with self._locked():
            if office in self.service_users():
                raise CredentialError(f"{office!r} is a cloud service user; choose another office id")
            password = self._put_user(office, [("readwrite", office_topics(office))])
            acl_entry = self.acl()[office].text()
        bridge_conf = configs.render_bridge(
            office, cloud_host, cloud_port, office, password, restart_timeout,
            keepalive=keepalive, cafile=cafile,
        )
        log.info("broker.office_set", office=office, dir=str(self.path))
        return OfficeCredentials(office=office, username=office, password=password, acl_entry=acl_entry, bridge_conf=bridge_conf)

    def remove_office(self, office: str) -> bool:
        """Remove an office's user and ACL block; False if it was not there.

        A running broker keeps an already-connected bridge until reload.
        """
        try:
            check_office(office)
        except ConfigError as exc:
            raise CredentialError(str(exc)) from None
        with self._locked():
            if office in self.service_users():
                raise CredentialError(f"{office!r} is a cloud service user, not an office; nothing removed")
            removed = self._drop_user(office)
        log.info("broker.office_removed", office=office, found=removed, dir=str(self.path))
        return removed

    def write_conf(self, port: int, bind: str = "127.0.0.1", **options: object) -> Path:
        """Render this directory's mosquitto.conf (see configs.render_cloud_conf for options)."""
        self.ensure()
        options.setdefault("pid_file", self.pid_path)
        text = configs.render_cloud_conf(port, self.data_dir, self.passwd_path, self.acl_path, bind, **options)  # type: ignore[arg-type]
        return configs.write_private(self.conf_path, text)


class OfficeBrokerDir(BrokerDir):
    """An office hub's broker directory: local users for the hub and its satellites.

    Every local user is confined to the office's own topics, like the office
    itself on the cloud broker: a satellite cannot publish for another office
    through the bridge, because the bridge only forwards ``onestop/v1/{office}/...``
    and the local ACL refuses everything else.
    """

    def __init__(self, path: Path | str, office: str) -> None:
        super().__init__(path)
        try:
            self.office = check_office(office)
        except ConfigError as exc:
            raise CredentialError(str(exc)) from None

    @property
    def bridge_path(self) -> Path:
        return self.path / "bridge.conf"

    def local_users(self) -> list[str]:
        return sorted(self.acl())

    def add_local_user(self, name: str = "hub") -> str:
        """Add (or rotate) a node's login on the hub broker; returns its password."""
        if not SERVICE_USER_PATTERN.match(name or ""):
            raise CredentialError(
                f"local user name {name!r} is invalid: use a lowercase letter followed by up to 62 "
                "lowercase letters, digits, '_' or '-' (e.g. 'hub', 'counter-2')"
            )
        with self._locked():
            password = self._put_user(name, [("readwrite", office_topics(self.office))])
        log.info("broker.local_user_set", office=self.office, user=name, dir=str(self.path))
        return password

    def remove_local_user(self, name: str) -> bool:
        with self._locked():
            return self._drop_user(name)

    def write_conf(self, port: int, bind: str = "127.0.0.1", *, bridge: str | None = None, **options: object) -> Path:
        """Render mosquitto.conf; ``bridge`` (a bridge section) is also kept as bridge.conf."""
        self.ensure()
        if bridge:
            configs.write_private(self.bridge_path, bridge)
        options.setdefault("pid_file", self.pid_path)
        text = configs.render_office_conf(
            self.office, port, self.data_dir, self.passwd_path, self.acl_path, bind, bridge=bridge, **options  # type: ignore[arg-type]
        )
        return configs.write_private(self.conf_path, text)
