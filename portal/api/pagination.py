"""Pagination every list endpoint uses: ``?page=N&page_size=M`` (at most 200).

``KeysFirstPagination`` (for a long list whose order joins other tables, e.g. the consortia by
their authority's sort order): the page's keys are read first, sorted on those few columns, and
then only the page's rows with everything they show, instead of sorting every row whole.

A ``page_size`` that is not a whole number from 1 is refused (400), as the schema says, rather
than quietly replaced by the default; a larger one is capped at 200. A ``page`` that is not a
whole number (even an empty one) is not found (404), as DRF answers ``page=abc``.
"""

from django.core.paginator import Paginator
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


class KeysFirstPaginator(Paginator):
    """A page of a queryset in two reads: the page's primary keys in the queryset's order (the
    sort carries the key and the sort columns only), then those rows, put back in that order.
    The same rows in the same order as one read: only the sort is narrower."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        # A row deleted between the two reads is left out, as a read a moment later would.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class KeysFirstPagination(PortalPagination):
    django_paginator_class = KeysFirstPaginator
