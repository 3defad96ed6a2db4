"""Alembic migration environment of the cloud database (a package, so it is installed)."""
