"""The staff console: server-rendered pages (Jinja2) that keep themselves current."""

from cloud.web.console import install, router

__all__ = ["install", "router"]
