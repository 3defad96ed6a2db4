"""Signing in: users, password hashes, API tokens and web sessions (issue #4)."""
