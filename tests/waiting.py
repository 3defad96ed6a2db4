"""Waiting on a condition with a deadline: the suite's only way to synchronise.

The loop is the product's own (``transport.waiting``), so the tests wait the
way the demo, the brokers and the cloud do.
"""

from transport.waiting import WaitTimeout, wait_until

__all__ = ["WaitTimeout", "wait_until"]
