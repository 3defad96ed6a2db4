"""Tables of the people who sign in (issue #4): users and their tokens.

A token is a random secret the caller presents (``Authorization: Bearer`` for
the API, the ``onestop_session`` cookie for the web console); only its
SHA-256 is stored, so a copy of the database does not let anyone sign in.
Both kinds live in one table because they are checked the same way and
revoked the same way; ``kind`` tells them apart for listing and expiry.

Every change here needs a migration (``migrations/versions/0005_users.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlmodel import Field, SQLModel

from cloud.db.types import UtcDateTime, table_of

USERNAME = 64
UNIT = 40


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    username: str = Field(primary_key=True, max_length=USERNAME,
                          description="The officer id the workflow records, e.g. tn.lan.")
    full_name: str = Field(sa_type=Text)
    unit: str = Field(max_length=UNIT, description="The unit the user works in, e.g. hcm.sai_gon.vhxh, or sai-gon (a desk).")
    roles: list[str] = Field(sa_type=JSON, description="Roles held; the user acts in one at a time.")
    password_hash: str | None = Field(default=None, sa_type=Text,
                                      description="pwdlib (argon2id) hash; NULL: token-only account.")
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_token"
    __table_args__ = (Index("ix_auth_token_username", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True, description="SHA-256 hex of the secret.")
    username: str = Field(foreign_key="user_account.username", max_length=USERNAME)
    kind: str = Field(max_length=16, description="api or session")
    name: str = Field(sa_type=String(200), description="What it is for, e.g. 'SMS worker' or the browser.")
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


user_table = table_of(UserAccount)
token_table = table_of(AuthToken)
