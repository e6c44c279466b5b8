"""Serializer fields shared by the apps' APIs."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import serializers


class ChoiceLabelField(serializers.CharField):
    """A choice's label: ``ChoiceLabelField(source="get_state_display", read_only=True)`` gives
    what ``CharField`` with the same arguments gives, with the same schema.

    What ``Model.get_state_display()`` does (``Model._get_FIELD_display``), with the choices read
    once per serializer rather than once per object: for a list, DRF would inspect the method's
    signature (``is_simple_callable``) and Django flatten the field's choices again for every
    object. A serializer lives for one request, in one language."""

    def get_attribute(self, instance):
        labels = getattr(self, "_labels", None)
        if labels is None or labels[0] is not type(instance):
            # "get_state_display" → the model field "state"
            field = instance._meta.get_field(self.source[len("get_") : -len("_display")])
            labels = self._labels = (type(instance), field, dict(make_hashable(field.flatchoices)))
        _model, field, choices = labels
        value = getattr(instance, field.attname)
        return force_str(choices.get(make_hashable(value), value), strings_only=True)
