"""Helpers for the calendar tests."""

from __future__ import annotations

from datetime import datetime

from workdays import VN_TZ


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Vietnam's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
