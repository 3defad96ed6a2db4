"""Broker users of the cloud broker and of an office hub, kept in a broker directory.

Every broker user is an office (its hub's bridge) or a cloud service
(ARCHITECTURE.md). A :class:`BrokerDir` holds one broker's files and makes
every change to them as one locked read-modify-write: the password
(:mod:`broker.passwords`, hashed by ``mosquitto_passwd``) and the user's ACL
block (:mod:`broker.acl`, parsed and rendered whole) change together, so
adding an office twice rotates its password but never leaves two ACL blocks
behind, and removing it removes every trace. Reloading a running broker is
:mod:`broker.process`'s job; the directory only knows its pid file.

The names that lived here before the split (``parse_acl``, ``AclBlock``,
``CredentialError``, ``new_password`` ...) are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from broker import configs, passwords, process
from broker.acl import (
    ALL_TOPICS,
    AclBlock,
    Rule,
    cloud_standin_rules,
    node_rules,
    office_rules,
    office_topics,
    parse_acl,
    read_acl,
    render_acl,
    service_rules,
)
from broker.configs import ConfigError, check_office
from broker.errors import CredentialError
from broker.files import exclusive_lock, match_owner, write_private
from broker.passwords import PASSWORD_BYTES, new_password
from protocol.topics import ID_PATTERN

__all__ = [
    "ALL_TOPICS", "PASSWORD_BYTES", "SERVICE_USER_PATTERN", "AclBlock", "BrokerDir", "CloudBrokerDir",
    "CredentialError", "OfficeBrokerDir", "OfficeCredentials", "new_password", "node_rules", "office_rules",
    "office_topics", "parse_acl", "render_acl",
]

log = structlog.get_logger(__name__)

#: Service user names: same alphabet as ids (they appear in logs and ACLs).
SERVICE_USER_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


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


class BrokerDir:
    """A directory holding one broker's ``passwd``, ``acl``, config and data.

    All changes happen under an exclusive lock on ``.lock``
    (:func:`broker.files.exclusive_lock`), so two ``onestop broker
    add-office`` runs at once cannot lose an office.
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
        """pid of the mosquitto running this directory's config, if any (see :func:`broker.process.running_pid`)."""
        return process.running_pid(self.pid_path, self.conf_path)

    def reload_running(self) -> int | None:
        """SIGHUP the running broker so it re-reads passwd/acl; its pid, or None if none runs."""
        return process.reload_running(self.pid_path, self.conf_path)

    def ensure(self) -> BrokerDir:
        """Create the directory and empty passwd/acl files (0600) if missing."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.data_dir.exists():
            self.data_dir.mkdir()
            match_owner(self.data_dir, self.path)
        for path in (self.passwd_path, self.acl_path):
            if not path.exists():
                write_private(path, "" if path == self.passwd_path else render_acl({}))
        return self

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.ensure()
        with exclusive_lock(self.path / ".lock"):
            yield

    # -- users ------------------------------------------------------------------

    def users(self) -> list[str]:
        """User names in the password file."""
        return passwords.users(self.passwd_path)

    def acl(self) -> dict[str, AclBlock]:
        return read_acl(self.acl_path)

    def _current_rules(self, block: AclBlock) -> list[Rule] | None:
        """The rules that replace a block from before per-channel rules; None to keep it as it is."""
        return None

    def _write_acl(self, blocks: dict[str, AclBlock]) -> None:
        for name, block in blocks.items():
            upgraded = self._current_rules(block) if block.is_legacy else None
            if upgraded is not None:
                blocks[name] = AclBlock(name, upgraded)
                log.info("broker.acl_upgraded", user=name, dir=str(self.path))
        write_private(self.acl_path, render_acl(blocks))

    def upgrade_acl(self) -> list[str]:
        """Give every user of an older release the per-channel rules (``topic readwrite onestop/v1/OFFICE/#``
        let an office forge its own commands and cursor); the names upgraded."""
        with self._locked():
            blocks = self.acl()
            legacy = [name for name, block in blocks.items() if block.is_legacy and self._current_rules(block)]
            if legacy:
                self._write_acl(blocks)
        return legacy

    def _put_user(self, username: str, rules: list[tuple[str, str]]) -> str:
        """Create or rotate ``username`` with exactly ``rules``; returns the new password."""
        blocks = self.acl()  # parse first: a hand-broken ACL stops us before any change
        password = new_password()
        passwords.set_password(self.passwd_path, username, password)
        blocks[username] = AclBlock(username, list(rules))
        self._write_acl(blocks)
        return password

    def _drop_user(self, username: str) -> bool:
        blocks = self.acl()
        known = username in blocks or username in self.users()
        passwords.delete_password(self.passwd_path, username)
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
        return sorted(u for u, b in self.acl().items() if b.is_service)

    def offices(self) -> list[str]:
        return sorted(u for u, b in self.acl().items()
                      if b.rules in (office_rules(u), [("readwrite", office_topics(u))]))

    def _current_rules(self, block: AclBlock) -> list[Rule] | None:
        legacy_office = block.rules == [("readwrite", office_topics(block.username))]
        return office_rules(block.username) if legacy_office else None

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
            password = self._put_user(name, service_rules())
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
            password = self._put_user(office, office_rules(office))
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
        """Render this directory's mosquitto.conf (see configs.render_cloud_conf for options);
        an ACL of an older release gets the per-channel rules."""
        self.ensure()
        self.upgrade_acl()
        options.setdefault("pid_file", self.pid_path)
        text = configs.render_cloud_conf(port, self.data_dir, self.passwd_path, self.acl_path, bind, **options)  # type: ignore[arg-type]  # the renderer's keywords, passed through
        return write_private(self.conf_path, text)


class OfficeBrokerDir(BrokerDir):
    """An office hub's broker directory: local users for the hub and its satellites.

    A local user's name is the node id it speaks for, and it is confined to
    that node's channels, each in its direction (:func:`broker.acl.node_rules`):
    a satellite can neither publish as the hub nor read the hub's commands,
    and no node, the hub included, can write a command, a config or a cursor.
    Those come only through the bridge, which mosquitto exempts from the ACL.
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

    def _current_rules(self, block: AclBlock) -> list[Rule] | None:
        legacy_node = block.rules == [("readwrite", office_topics(self.office))]
        return node_rules(self.office, block.username) if legacy_node and ID_PATTERN.match(block.username) else None

    def add_local_user(self, name: str = "hub") -> str:
        """Add (or rotate) the login of node ``name`` on the hub broker; returns its password."""
        if not SERVICE_USER_PATTERN.match(name or "") or not ID_PATTERN.match(name):
            raise CredentialError(
                f"local user name {name!r} is invalid: it is the node id the login speaks for, so use 1-63 "
                "lowercase letters, digits or '-', starting with a letter (e.g. 'hub', 'counter-2')"
            )
        return self._put_local(name, node_rules(self.office, name))

    def add_cloud_standin(self, name: str = "cloud") -> str:
        """Add (or rotate) a login that plays the cloud on this broker: writes cmd, config and cursor.

        For a hub without a bridge (tests, a technician's bench); ``init-office``
        never creates it, and a production hub must not have it. The hub
        refuses a cursor beyond what it has issued even from this login.
        """
        if not SERVICE_USER_PATTERN.match(name or ""):
            raise CredentialError(f"local user name {name!r} is invalid")
        return self._put_local(name, cloud_standin_rules(self.office))

    def _put_local(self, name: str, rules: list[Rule]) -> str:
        with self._locked():
            password = self._put_user(name, rules)
        log.info("broker.local_user_set", office=self.office, user=name, dir=str(self.path))
        return password

    def remove_local_user(self, name: str) -> bool:
        with self._locked():
            return self._drop_user(name)

    def write_conf(self, port: int, bind: str = "127.0.0.1", *, bridge: str | None = None, **options: object) -> Path:
        """Render mosquitto.conf; ``bridge`` (a bridge section) is also kept as bridge.conf.
        An ACL of an older release gets the per-node rules."""
        self.ensure()
        self.upgrade_acl()
        if bridge:
            write_private(self.bridge_path, bridge)
        options.setdefault("pid_file", self.pid_path)
        text = configs.render_office_conf(
            self.office, port, self.data_dir, self.passwd_path, self.acl_path, bind, bridge=bridge, **options  # type: ignore[arg-type]  # the renderer's keywords
        )
        return write_private(self.conf_path, text)
