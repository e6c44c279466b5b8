"""Query filters of the API: django-filter, with a boolean that refuses what is not one.

django-filter's ``BooleanFilter`` reads ``?is_active=-3443`` as "no filter" and answers 200 with
everything; the portal answers 400 ("Enter true or false."), as for every other bad parameter.
``PortalFilterBackend`` (settings ``DEFAULT_FILTER_BACKENDS``) builds every ``filterset_fields``
filter set on ``PortalFilterSet``.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS

TRUE = {True, "True", "true", "1"}
FALSE = {False, "False", "false", "0"}


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the raw value: the select widgets turn anything unknown into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class PortalFilterSet(django_filters.rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class PortalFilterBackend(DjangoFilterBackend):
    filterset_base = PortalFilterSet


def query_boolean(params, name: str) -> bool | None:
    """A boolean query parameter read by a view itself: true/false/1/0, absent or empty is None;
    anything else is a 400 with the same message as the filters'."""
    from rest_framework.exceptions import ValidationError as ApiValidationError

    try:
        return StrictBooleanField().to_python(params.get(name))
    except ValidationError as exc:
        raise ApiValidationError({name: exc.messages}) from exc
