"""The value types every entry of the reference data shares: codes, slugs, texts and the frozen base.

Codes are as long as the code columns of the database allow (40), so a file
that validates here also fits there.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Level = Literal["province", "district", "commune"]
"""Competent level (cấp có thẩm quyền): tỉnh, huyện, xã."""

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

Code = Annotated[str, Field(pattern=CODE_PATTERN)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class Entry(BaseModel):
    """The base of the catalogue's and the province's entries: frozen, no unknown keys, texts stripped.

    Stripping happens before validation, so a code typed with a trailing
    space in the YAML is the same code, and a blank text is refused as empty.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value
