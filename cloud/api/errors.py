"""Errors the API answers with: an English ``detail``, a stable ``code``, and the
Vietnamese text an officer's screen shows (``message_vi``).

Input that does not validate keeps FastAPI's ``422 {"detail": [{loc, msg,
type}, ...]}``, without the ``input`` FastAPI adds to each error: that echoed
whatever the client sent (40 MB back to a 40 MB body, issue 9).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

from cloud.api.schemas import ApiErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, message_vi: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.body = ApiErrorBody(detail=detail, code=code, message_vi=message_vi)
        # RFC 9110: a 401 names the scheme the client should use.
        self.headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None


MAX_VALIDATION_ERRORS = 20
"""Most errors one 422 lists: a body of 100,000 wrong items must not get 100,000 lines back."""
MAX_MESSAGE_CHARS = 300
"""A validator's message is the project's text, but one may quote what it refused: keep it short."""


def too_large(limit: int, size: int | None = None) -> ApiError:
    """413 for a body over ``limit`` bytes (cloud/api/limits.py)."""
    said = f"the request body is {size} bytes" if size is not None else "the request body is too large"
    return ApiError(413, "body_too_large", f"{said}; this endpoint takes at most {limit} bytes",
                    "Dữ liệu gửi lên vượt quá dung lượng cho phép.")


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body.model_dump(), status_code=error.status, headers=error.headers)


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 without ``input`` (and ``ctx``, ``url``): where and why, never the value sent back."""
    assert isinstance(exc, RequestValidationError)
    detail = [{"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))[:MAX_MESSAGE_CHARS],
               "type": str(error.get("type", ""))} for error in exc.errors()[:MAX_VALIDATION_ERRORS]]
    return JSONResponse({"detail": detail}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors as before, except the body limit's 413, which gets our shape and the limit."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 413:
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
        if isinstance(limit, int):
            response = error_response(too_large(limit))
            response.headers["Connection"] = "close"  # do not read the rest of the body to keep the connection
            return response
    return await http_exception_handler(request, exc)


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
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)


def responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation of error statuses a route can answer."""
    return {status: {"model": ApiErrorBody} for status in statuses}
