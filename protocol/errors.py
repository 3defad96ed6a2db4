"""A pydantic ``ValidationError`` as the text a person reads: ``where: reason`` per problem.

Every input this project validates (an MQTT payload, an office YAML, the
catalogue, an API request) reports its problems the way ESPHome does
(STYLE.md): the key path and the reason, every problem at once, no traceback.
The formatting lives here, in the lowest pure package that the edge, the
cloud and the CLI all import, so that they all say it the same way.

Two spellings of the key path exist, for two kinds of reader:

* ``dotted_path`` — ``devices.0.status``, pydantic's own ``loc`` joined
  with dots: what the wire contract and the office configuration have always
  said, and what a third party implementing ``protocol/README.md`` sees;
* ``key_path`` — ``procedures[3].fees[0].amount_vnd``, as one points into a
  YAML data file maintained by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import ValidationError

__all__ = ["dotted_path", "key_path", "validation_lines", "validation_text"]

#: What pydantic puts before the message of a ``ValueError``/``assert`` raised in a validator.
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def dotted_path(loc: Iterable[int | str]) -> str:
    """``("devices", 0, "status")`` → ``devices.0.status``."""
    return ".".join(str(part) for part in loc)


def key_path(loc: Iterable[int | str]) -> str:
    """``("procedures", 3, "fees", 0, "amount_vnd")`` → ``procedures[3].fees[0].amount_vnd``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_lines(
    exc: ValidationError,
    prefix: str = "",
    *,
    root: str = "",
    path: Callable[[Iterable[int | str]], str] = dotted_path,
    plain: bool = False,
    limit: int | None = None,
) -> list[str]:
    """One ``prefix: where: reason`` line per problem, in pydantic's order.

    ``prefix`` names the input (a file name, ``"catalogue.yaml: procedures[2]"``);
    it and its colon are left out when empty. ``root`` stands for the whole
    input when an error has no location (``"(payload)"``); with ``root=""``
    such a line is just ``prefix: reason``. ``path`` spells the location
    (``dotted_path`` or ``key_path``). ``plain`` drops pydantic's
    ``Value error, `` in front of the sentence a validator of ours wrote.
    ``limit`` keeps the first problems only (a log line must stay short).
    """
    lines = []
    for err in exc.errors(include_url=False)[:limit]:
        where = path(err["loc"]) or root
        reason = str(err["msg"])
        if plain:
            for noise in _PYDANTIC_PREFIXES:
                reason = reason.removeprefix(noise)
        lines.append(": ".join(part for part in (prefix, where, reason) if part))
    return lines


def validation_text(
    exc: ValidationError,
    prefix: str = "",
    *,
    separator: str = "; ",
    root: str = "",
    path: Callable[[Iterable[int | str]], str] = dotted_path,
    plain: bool = False,
    limit: int | None = None,
) -> str:
    """``validation_lines`` joined (``"; "`` for a log line or an API detail, ``"\\n"`` for a terminal)."""
    return separator.join(validation_lines(exc, prefix, root=root, path=path, plain=plain, limit=limit))
