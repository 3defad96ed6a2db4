"""The installed version of this software, as a node's birth certificate and the cloud's OpenAPI report it.

Not in ``protocol/``: reading the installed distribution's metadata is I/O,
and the protocol package does none. Both the hub agent and the cloud import it
from here, so both say the same thing for a checkout that is not installed.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "onestop"
UNINSTALLED = "dev"


def package_version() -> str:
    """``onestop``'s installed version, or ``"dev"`` when run from a tree that was never installed."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNINSTALLED
