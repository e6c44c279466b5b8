"""Errors as JSON: ``{"detail": "<translated message>", "code": "<stable key>"}``.

Validation errors keep DRF's field errors under ``errors`` and add a summary ``detail``.
Django's ``ValidationError`` and ``PermissionDenied`` raised by services are turned into
the same shape, so a service can refuse with one exception that both UI and API show. Errors no
view handles (an unknown address, an uncaught exception: 404 and 500) are JSON under /api/ too.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Keep the service's messages and its error code (``stale``, ``quota``, ``deadline`` …)."""
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): messages
            for key, messages in exc.message_dict.items()
        }
        codes = [e.code for errors in exc.error_dict.values() for e in errors]
    else:
        detail = {"non_field_errors": exc.messages}
        codes = [e.code for e in exc.error_list]
    converted = exceptions.ValidationError(detail)
    converted.portal_code = next((c for c in codes if c), None)
    return converted


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        general = errors.get("non_field_errors") if isinstance(errors, dict) else None
        response.data = {
            # A refusal about the whole request says so in `detail`; field errors get a summary.
            "detail": str(general[0]) if general else _("The request contains invalid data."),
            "code": getattr(exc, "portal_code", None) or "invalid",
            "errors": errors,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response

    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        detail = response.data.get("detail") if isinstance(response.data, dict) else exc.detail
        response.data = {"detail": str(detail), "code": str(code)}
        return Response(response.data, status=response.status_code, headers=dict(response.items()))
    return response


# --- errors outside the API views' own handling (``handler404`` / ``handler500`` in portal/urls.py)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception):
    """An address under /api/ that matches nothing: the API's JSON error; elsewhere the page."""
    if _is_api(request):
        return JsonResponse(
            {"detail": str(exceptions.NotFound.default_detail), "code": "not_found"}, status=404
        )
    return defaults.page_not_found(request, exception)


def handler500(request):
    """An error nobody caught (the database gone mid-request, a bug): under /api/ the API's JSON
    error, never an HTML page a client cannot read; elsewhere the error page. Django has logged
    the exception already."""
    if _is_api(request):
        return JsonResponse(
            {
                "detail": _("The server could not complete the request. Try again later."),
                "code": "server_error",
            },
            status=500,
        )
    return defaults.server_error(request)
