"""Users and their tokens in the database.

Passwords are hashed with pwdlib's recommended hasher (argon2id); a hash made
with older parameters is upgraded the next time its owner signs in. Checking
one goes through the store's :class:`~cloud.auth.passwords.PasswordChecker`,
which bounds how many run at once (``cloud/auth/passwords.py``). Tokens
are 256-bit random secrets with an ``ost_`` prefix (so a leaked one is easy to
grep for in logs and repositories); the database keeps their SHA-256 only:
a fast hash is right here because the secret is random, not a password.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import structlog
from cachetools import TTLCache
from sqlalchemy import Connection, Engine, select, update

from cloud.auth.passwords import PasswordChecker, hash_password
from cloud.db import audit
from cloud.db.engine import write_transaction
from cloud.db.users import token_table, user_table
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor

log = structlog.get_logger(__name__)

TokenKind = Literal["api", "session"]
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ost_"


SHELL = Actor(role=Role.admin, unit="server", officer=f"shell:{getpass.getuser()}")
"""Who changes accounts from ``onestop users`` on the server: whoever has its shell."""


class UserError(ValueError):
    """A request to create or change a user that cannot be honoured; the message says why."""


class UnknownUser(UserError):
    pass


class UserExists(UserError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    unit: str
    roles: tuple[Role, ...]
    active: bool = True


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    """Shown once, never stored."""
    expires_at: datetime


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row: Any) -> User:  # a Core row of user_table
    return User(row.username, row.full_name, row.unit, tuple(Role(r) for r in row.roles), row.active)


def parse_roles(roles: Iterable[str]) -> tuple[Role, ...]:
    parsed: list[Role] = []
    for name in roles:
        try:
            role = Role(name.strip())
        except ValueError:
            known = ", ".join(r.value for r in Role if r is not Role.public)
            raise UserError(f"{name!r} is not a role; roles: {known}") from None
        if role is Role.public:
            raise UserError("'public' is what anyone not signed in is; it is not given to accounts")
        if role not in parsed:
            parsed.append(role)
    if not parsed:
        raise UserError("a user needs at least one role")
    return tuple(parsed)


RESOLVE_CACHE_S = 30.0
"""How long a resolved token is trusted without asking the database again.

Every API request presents a token; looking it up is a query per request.
Revoking or deactivating through this process clears the cache at once;
another process of the same installation sees it within this time.
"""


class UserStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 passwords: PasswordChecker | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.passwords = passwords or PasswordChecker()
        self._resolved: TTLCache[str, tuple[User, datetime]] = TTLCache(maxsize=10_000, ttl=RESOLVE_CACHE_S)
        self._cache_lock = threading.Lock()

    # -- users ---------------------------------------------------------------

    def add(self, username: str, *, full_name: str, unit: str, roles: Sequence[str],
            password: str | None = None, by: Actor = SHELL) -> User:
        if not USERNAME_PATTERN.fullmatch(username):
            raise UserError(f"username {username!r}: 2–64 characters, lower-case letters, digits, '.', '_' or '-'")
        if not full_name.strip():
            raise UserError("full_name is empty")
        if not unit.strip() or len(unit) > 40:
            raise UserError("unit: a unit code of at most 40 characters, e.g. hcm.sai_gon.vhxh or sai-gon")
        parsed = parse_roles(roles)
        now = self.clock()
        with write_transaction(self.engine) as conn:
            if conn.execute(select(user_table.c.username).where(user_table.c.username == username)).first():
                raise UserExists(f"user {username!r} already exists")
            conn.execute(user_table.insert().values(
                username=username, full_name=full_name.strip(), unit=unit.strip(), roles=[r.value for r in parsed],
                password_hash=_hash(password) if password is not None else None, active=True,
                created_at=now, updated_at=now,
            ))
            self._audit(conn, by, "add_user", username, {"full_name": full_name.strip(), "unit": unit.strip(),
                                                          "roles": [r.value for r in parsed],
                                                          "password": password is not None})
        return User(username, full_name.strip(), unit.strip(), parsed)

    def get(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(user_table).where(user_table.c.username == username)).first()
        return _user(row) if row is not None else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(user_table).order_by(user_table.c.username))]

    def set_password(self, username: str, password: str, by: Actor = SHELL) -> None:
        self._update(username, by, "set_password", {}, password_hash=_hash(password))

    def set_roles(self, username: str, roles: Sequence[str], by: Actor = SHELL) -> None:
        parsed = [r.value for r in parse_roles(roles)]
        self._update(username, by, "set_roles", {"roles": parsed}, roles=parsed)

    def deactivate(self, username: str, by: Actor = SHELL) -> None:
        """Sign the user out everywhere and refuse new sign-ins; history keeps their name."""
        now = self.clock()
        with write_transaction(self.engine) as conn:
            changed = conn.execute(update(user_table).where(user_table.c.username == username)
                                   .values(updated_at=now, active=False))
            if changed.rowcount != 1:
                raise UnknownUser(f"no user {username!r}")
            revoked = conn.execute(update(token_table).where(token_table.c.username == username,
                                                             token_table.c.revoked_at.is_(None))
                                   .values(revoked_at=now))
            self._audit(conn, by, "deactivate_user", username, {"revoked_tokens": revoked.rowcount})
        self._forget()

    def _update(self, username: str, by: Actor | None, action: str, data: dict[str, object],
                **values: object) -> None:
        with write_transaction(self.engine) as conn:
            changed = conn.execute(update(user_table).where(user_table.c.username == username)
                                   .values(updated_at=self.clock(), **values))
            if changed.rowcount != 1:
                raise UnknownUser(f"no user {username!r}")
            if by is not None:
                self._audit(conn, by, action, username, data)
        self._forget()

    def _audit(self, conn: Connection, by: Actor, action: str, username: str, data: dict[str, object]) -> None:
        """Record a change of an account in the audit log, in the change's transaction (never a secret)."""
        audit.append(conn, at=self.clock(), actor_role=by.role.value, actor_unit=by.unit, actor_officer=by.officer,
                     action=action, subject=audit.subject_of("user", username), data=data)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is theirs and the account active; None otherwise, in the same time: one
        query and one argon2id check (a dummy one for an unknown username or an account without a password).

        Raises :class:`~cloud.auth.passwords.Busy` when the checks are all taken (the caller says "try again").
        """
        with self.engine.connect() as conn:
            row = conn.execute(select(user_table).where(user_table.c.username == username)).first()
        stored = row.password_hash if row is not None and row.password_hash else None
        valid, new_hash = self.passwords.verify(password, stored)
        if row is None or not valid or not row.active:
            return None
        if new_hash is not None:
            self._update(username, None, "rehash", {}, password_hash=new_hash)  # same password: not audited
        return _user(row)

    # -- tokens --------------------------------------------------------------

    def issue_token(self, username: str, *, kind: TokenKind, name: str, ttl: timedelta,
                    secret: str | None = None, by: Actor | None = None) -> IssuedToken:
        """A new token for ``username``. ``secret`` lets fixtures and seeds choose a known value.

        With ``by`` (a token made by someone for an account, e.g. ``onestop
        users token``) the issue is audited; a person signing in is not a
        change of the record and goes to the service log only.
        """
        secret = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + ttl
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(user_table.c.active).where(user_table.c.username == username)).first()
            if row is None or not row.active:
                raise UserError(f"no active user {username!r}")
            conn.execute(token_table.insert().values(
                token_hash=token_hash(secret), username=username, kind=kind, name=name[:200],
                created_at=now, expires_at=expires,
            ))
            if by is not None:
                self._audit(conn, by, "issue_token", username, {"kind": kind, "name": name[:200],
                                                                 "expires_at": expires.isoformat()})
        log.info("auth.token_issued", username=username, kind=kind, name=name[:200])
        return IssuedToken(secret, expires)

    def cached(self, secret: str) -> User | None:
        """The user of ``secret`` if it was resolved in the last RESOLVE_CACHE_S and has not expired since;
        None means "ask :meth:`resolve`" (no I/O here, so an async caller need not leave its event loop)."""
        with self._cache_lock:
            found = self._resolved.get(token_hash(secret))
        return found[0] if found is not None and found[1] > self.clock() else None

    def resolve(self, secret: str) -> User | None:
        """The active user a valid (known, unexpired, unrevoked) token belongs to."""
        if (hit := self.cached(secret)) is not None:
            return hit
        now = self.clock()
        digest = token_hash(secret)
        query = (select(user_table, token_table.c.expires_at)
                 .join(token_table, token_table.c.username == user_table.c.username)
                 .where(token_table.c.token_hash == token_hash(secret), token_table.c.revoked_at.is_(None),
                        token_table.c.expires_at > now, user_table.c.active.is_(True)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        user = _user(row)
        with self._cache_lock:
            self._resolved[digest] = (user, row.expires_at)
        return user

    def _forget(self) -> None:
        """Drop every cached token after a change that may end some (revocation, roles, deactivation)."""
        with self._cache_lock:
            self._resolved.clear()

    def revoke(self, secret: str) -> bool:
        """Sign-out: logged, not audited (it ends a sign-in, it does not change an account)."""
        with write_transaction(self.engine) as conn:
            changed = conn.execute(update(token_table).where(token_table.c.token_hash == token_hash(secret),
                                                            token_table.c.revoked_at.is_(None))
                                   .values(revoked_at=self.clock()))
        self._forget()
        return changed.rowcount == 1


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return hash_password(password)
