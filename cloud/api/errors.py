"""Errors the API answers with: an English ``detail``, a stable ``code``, and the
Vietnamese text an officer's screen shows (``message_vi``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from cloud.api.schemas import ApiErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, message_vi: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.body = ApiErrorBody(detail=detail, code=code, message_vi=message_vi)
        # RFC 9110: a 401 names the scheme the client should use.
        self.headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body.model_dump(), status_code=exc.status, headers=exc.headers)


async def _database_refused(_request: Request, exc: Exception) -> JSONResponse:
    """The database refused a value the validation let through (PostgreSQL: a NUL character in text, a code
    longer than its column). That is bad input, not a server fault; the transaction has rolled back."""
    error = ApiError(422, "unstorable_value", f"the database cannot store a value of this request: "
                     f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}",
                     "Dữ liệu gửi lên có ký tự hoặc độ dài không hợp lệ.")
    return await _handle(_request, error)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle)
    app.add_exception_handler(DataError, _database_refused)


def responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation of error statuses a route can answer."""
    return {status: {"model": ApiErrorBody} for status in statuses}
