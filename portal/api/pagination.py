"""Pagination every list endpoint uses: ``?page=N&page_size=M`` (at most 200).

A ``page_size`` that is not a whole number from 1 is refused (400), as the schema says, rather
than quietly replaced by the default; a larger one is capped at 200. A ``page`` that is not a
whole number (even an empty one) is not found (404), as DRF answers ``page=abc``.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from portal.inputs import is_number


class PortalPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and (not is_number(value) or int(value) < 1):
            raise ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to 200.")]}
            )
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and value not in self.last_page_strings and not is_number(value):
            raise NotFound(self.invalid_page_message)  # "", "abc": as DRF answers page=abc
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
