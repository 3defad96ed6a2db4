"""The admin pages' tests run on the real app with one account per role (tests/auth/conftest.py)."""

from tests.auth.conftest import client, clock, users  # noqa: F401  (fixtures)
