"""Every error the API answers with, in one JSON shape with the right status:

    {"error": {"code": "not_found", "message": "No such resource.", "fields": {}}}

`code` is stable (scripts may branch on it), `message` is for people, and `fields` names
the input fields at fault, each with what is wrong with it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import pydantic
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja import errors as ninja_errors
from pydantic import BaseModel

from recall.lib.resource_text import ResourceFormatError
from recall.library.actions import EditConflict

logger = logging.getLogger(__name__)

# Each status the API can answer with, and its code.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    """An answer other than success, raised anywhere while handling a request."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Invalid(ApiError):
    status = 422


class PayloadTooLarge(ApiError):
    status = 413


class RateLimited(ApiError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


def validated(model: type[BaseModel], data: object) -> BaseModel:
    """Input a view parses itself, validated as ninja validates bodies (422 with fields)."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise ninja_errors.ValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in error.errors()]
        ) from None


def error_response(
    status: int,
    message: str,
    *,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {"error": {"code": CODES[status], "message": message, "fields": fields or {}}}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


_UNION_TAG = re.compile(r"^[a-z-]+\[.*\]$")


def _field_name(location: Iterable) -> str:
    """("body", "payload", "cards", 0, "body") -> "cards.0.body"; ("query", "limit") -> "limit"."""
    # Union members add their tag to the path ("function-after[...]"): not a field name.
    parts = [str(part) for part in location if not _UNION_TAG.match(str(part))]
    if parts and parts[0] == "body":
        parts = parts[2:]  # the body's source and the view's parameter name
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        message = str(error.get("msg", "is not valid"))
        fields[name] = f"{fields[name]} {message}" if name in fields else message
    return fields


def _django_validation_fields(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {name: " ".join(messages) for name, messages in error.message_dict.items()}
    return {}


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every exception a view, a parser or an action raises in the error shape."""

    def handle(*exception_classes: type[Exception]):
        def register(handler):
            for exception_class in exception_classes:
                api.add_exception_handler(exception_class, handler)
            return handler

        return register

    @handle(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.message, fields=exc.fields, headers=exc.headers)

    @handle(ninja_errors.ValidationError)
    def invalid_input(request: HttpRequest, exc: ninja_errors.ValidationError) -> HttpResponse:
        return error_response(
            422, "Some fields are not valid.", fields=_validation_fields(exc.errors)
        )

    @handle(ninja_errors.AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        error = Unauthorized("Send a personal API token: Authorization: Bearer <token>.")
        return api_error(request, error)

    @handle(ninja_errors.HttpError)
    def http_error(request: HttpRequest, exc: ninja_errors.HttpError) -> HttpResponse:
        status = exc.status_code if exc.status_code in CODES else 400
        if status == 400:
            return error_response(400, "The request body is not valid JSON.")
        return error_response(status, str(exc))

    @handle(Http404, ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(404, "Not found.")

    @handle(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or "You may not do this.")

    @handle(ValidationError)
    def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(422, " ".join(exc.messages), fields=_django_validation_fields(exc))

    @handle(ResourceFormatError)
    def unusable_resource(request: HttpRequest, exc: ResourceFormatError) -> HttpResponse:
        message = str(exc)
        return error_response(422, message[:1].upper() + message[1:] + ".")

    @handle(EditConflict)
    def conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
        resource = exc.resource
        saved_by = exc.revision.saved_by if exc.revision else None
        who = f" by {saved_by.get_username()}" if saved_by else ""
        return error_response(
            409,
            f"“{resource.title}” was saved{who} since the version you sent: it is now at "
            f"version {resource.version}. Read it again, then send your change with "
            f'"version": {resource.version}.',
            fields={"version": f"The current version is {resource.version}."},
        )

    @handle(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(413, "The request body is too large.")

    @handle(SuspiciousOperation, MultiPartParserError)
    def malformed(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(400, "The request could not be read.")

    @handle(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500, "Something went wrong on our side; it has been logged.")


@csrf_exempt  # answers every method, with no cookie-authenticated effect
def not_found_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Paths under the API that name no operation (or a malformed slug or number)."""
    return error_response(404, "There is no such API path.")
