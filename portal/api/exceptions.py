"""Errors as JSON: ``{"detail": "<translated message>", "code": "<stable key>"}``.

Validation errors keep DRF's field errors under ``errors`` and add a summary ``detail``.
Django's ``ValidationError`` and ``PermissionDenied`` raised by services are turned into
the same shape, so a service can refuse with one exception that both UI and API show.
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


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """``handler404``: an address under ``/api/`` that no route takes (``/api/v1/consortia/abc/``)
    answers in the API's error shape, like every other refusal there; pages get the page."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: the API's error shape under ``/api/``; the page elsewhere."""
    if _is_api(request):
        detail = _("A server error occurred.")
        return JsonResponse({"detail": detail, "code": "error"}, status=500)
    return defaults.server_error(request)
