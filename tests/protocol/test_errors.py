"""protocol.errors: one spelling of a pydantic ValidationError for every reader."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from protocol.errors import dotted_path, key_path, validation_lines, validation_text


class Fee(BaseModel):
    amount_vnd: int = Field(ge=0)


class Procedure(BaseModel):
    code: str
    fees: list[Fee]

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not value.isupper():
            raise ValueError(f"code {value!r} must be upper case")
        return value


def error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Procedure.model_validate(data)
    return caught.value


def test_paths_are_spelt_dotted_for_the_wire_and_indexed_for_data_files() -> None:
    loc = ("procedures", 3, "fees", 0, "amount_vnd")
    assert dotted_path(loc) == "procedures.3.fees.0.amount_vnd"
    assert key_path(loc) == "procedures[3].fees[0].amount_vnd"


def test_one_line_per_problem_with_prefix_path_and_reason() -> None:
    exc = error({"code": "ht.04", "fees": [{"amount_vnd": -1}]})
    assert validation_lines(exc, "catalogue.yaml") == [
        "catalogue.yaml: code: Value error, code 'ht.04' must be upper case",
        "catalogue.yaml: fees.0.amount_vnd: Input should be greater than or equal to 0",
    ]
    assert validation_lines(exc, path=key_path, plain=True) == [
        "code: code 'ht.04' must be upper case",
        "fees[0].amount_vnd: Input should be greater than or equal to 0",
    ]


def test_an_error_of_the_whole_input_is_named_by_root() -> None:
    exc = error(["not", "a", "mapping"])
    assert validation_text(exc, root="(payload)") == "(payload): Input should be a valid dictionary or instance of Procedure"
    assert validation_text(exc, "x.yaml") == "x.yaml: Input should be a valid dictionary or instance of Procedure"


def test_limit_and_separator() -> None:
    exc = error({"fees": [{"amount_vnd": -1}, {"amount_vnd": -2}]})
    assert validation_text(exc, limit=2) == (
        "code: Field required; fees.0.amount_vnd: Input should be greater than or equal to 0"
    )
    assert validation_text(exc, separator="\n").count("\n") == 2
