"""Reading what a request carries: numbers and text as the portal accepts them.

``str.isdigit()`` says yes to “²” and “١”, which ``int()`` refuses: a number in a query string,
form field or JSON key is ASCII digits only (``is_number``). A NUL character fits no database's
text column (PostgreSQL raises): ``OddInputMiddleware`` refuses a request carrying one before any
view reads it.
"""

import re

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

NUMBER = re.compile(r"[0-9]+")
#: The largest id a table has room for (BigAutoField); a bigger one is not an id, it is a 500
#: waiting to happen (SQLite: OverflowError; PostgreSQL: bigint out of range).
MAX_ID = 2**63 - 1


def is_number(value) -> bool:
    """ASCII digits only (a JSON key, a query parameter, a form field)."""
    return isinstance(value, (str, int)) and NUMBER.fullmatch(str(value)) is not None


def parse_revision(value) -> int | None:
    """A form's or body's ``revision``: the int, or None when it is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if is_number(value) else None


def _nul_fields(request) -> list[str]:
    fields = [
        name
        for name, values in request.GET.lists()
        if "\x00" in name or any("\x00" in v for v in values)
    ]
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        fields += [
            name
            for name, values in request.POST.lists()
            if "\x00" in name or any("\x00" in v for v in values)
        ]
    if "\x00" in request.path:
        fields.append("path")
    return fields


class OddInputMiddleware:
    """A request with a NUL character in its address, query string or (URL-encoded) form is
    answered 400 with a translated message: JSON for the API, a page otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if fields := _nul_fields(request):
            reason = _("The request contains a NUL character, which the portal does not accept.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": reason,
                        "code": "invalid",
                        "errors": {name.replace("\x00", "\\0"): [reason] for name in fields},
                    },
                    status=400,
                )
            response = TemplateResponse(request, "400.html", {"reason": reason}, status=400)
            return response.render()
        return self.get_response(request)
