"""The OpenAPI schema says what the API really answers (issue 13; tests/test_security_schema.py).

``PortalAutoSchema`` is every view's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``),
so whatever a view declares, and every endpoint added later, gets the same three corrections:

- **Error responses.** Each operation lists the refusals the portal can give it, with the body
  ``portal.api.exceptions`` produces: 400 (every request: a NUL character, a bad filter or body),
  401 and 403 (any authenticated view: no or a wrong token, a rule that says no, a session
  without its CSRF token), 404 (an id in the path, a program in the query, a page past the
  end), 415 (a body of a type the view does not parse), 429 (a view with a throttle).
- **Request media types.** A view on DRF's default parsers is documented with a JSON body
  only (it also reads forms, but a form cannot carry a nested or typed body, so a schema of
  one would promise what the form cannot say); a view with its own parsers (uploads:
  multipart) keeps them. A view that declares a code itself
  keeps its own description.
- **Blank values.** drf-spectacular reads ``allow_blank``, which DRF drops from a read-only
  field: one over a ``blank=True`` model column also allows "" (a choice gets "" in its enum, a
  formatted string such as an e-mail address becomes "that format, or empty").
- **Null values.** A read-only field whose source crosses a nullable model column (the summary's
  ``province`` for the national summary) is ``nullable``.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions, serializers
from rest_framework.settings import api_settings

#: Media type of every error body, whatever the view answers when it succeeds (PDF, xlsx …).
ERROR_MEDIA_TYPE = "application/json"


class ErrorSerializer(serializers.Serializer):
    """A refusal: a translated message and a stable key (``not_found``, ``permission_denied``,
    ``not_authenticated``, ``throttled`` …)."""

    detail = serializers.CharField(help_text="The reason, in the request's language.")
    code = serializers.CharField(help_text="A stable key for programs (not translated).")


class ValidationErrorSerializer(ErrorSerializer):
    """Invalid input: a summary, a key (``invalid``, or the service's: ``stale``, ``quota``,
    ``deadline`` …) and the messages per field (``non_field_errors`` for the whole request);
    a body that is not JSON at all (``parse_error``) has no ``errors``."""

    errors = serializers.JSONField(
        required=False,
        help_text="Messages per field: a list of messages, or the same shape again for a nested "
        "object or list item.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Invalid input, or a request the rules refuse; the fields' messages are in `errors`.",
    "401": "No credentials, or credentials that are not valid (any more).",
    "403": "Authenticated, but the rules do not allow this user to do it (the reason is in "
    "`detail`).",
    "404": "Something the request names (an id, a program, a page) does not exist, or this user "
    "may not see it.",
    "415": "A body of a media type this operation does not read.",
    "429": "Too many requests: wait before trying again.",
}


def _source_fields(field: serializers.Field) -> list[models.Field] | None:
    """The model fields a serializer field reads through (``report.consortium.authority``), or
    None when its source is not a chain of model fields (a property, a method)."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs or field.source == "*":
        return None
    chain = []
    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not model_field.concrete:  # a reverse relation: not a column that may be null
            return None
        chain.append(model_field)
        model = model_field.related_model
        if model is None:
            break
    return chain if len(chain) == len(attrs) else None


def _may_be_null(field: serializers.Field) -> bool:
    if field.allow_null:
        return True
    if not field.read_only:
        return False
    chain = _source_fields(field)
    return bool(chain) and any(f.null for f in chain)


def _blank_in_model(field: serializers.Field) -> bool:
    """A read-only field over a ``blank=True`` text column: DRF drops its ``allow_blank``."""
    if getattr(field, "allow_blank", False) or not field.read_only:
        return False
    chain = _source_fields(field)
    return bool(chain) and chain[-1].blank and isinstance(chain[-1], models.CharField)


class PortalAutoSchema(AutoSchema):
    def map_parsers(self):
        if list(self.view.parser_classes) == list(api_settings.DEFAULT_PARSER_CLASSES):
            return ["application/json"]
        return super().map_parsers()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(field, serializers.Field) or not isinstance(schema, dict):
            return schema
        if _blank_in_model(field) and "" not in schema.get("enum", [""]):
            schema["enum"] = [*schema["enum"], ""]
        if _may_be_null(field) and not schema.get("nullable"):
            if "$ref" in schema:  # a sibling of $ref is ignored: wrap it
                schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
            schema["nullable"] = True
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # drf-spectacular makes "an e-mail address, or empty" of a field with allow_blank; a
        # read-only field over a blank=True column gets the same.
        constrained = "format" in schema or "pattern" in schema or "minLength" in schema
        if _blank_in_model(field) and schema.get("type") == "string" and constrained:
            outer = {"readOnly", "writeOnly", "nullable", "deprecated", "description", "title"}
            inner = {key: schema.pop(key) for key in list(schema) if key not in outer}
            schema["oneOf"] = [inner, {"type": "string", "maxLength": 0}]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            if code in responses:
                continue
            serializer = ValidationErrorSerializer if code == "400" else ErrorSerializer
            response = self._get_response_for_code(serializer, code, (ERROR_MEDIA_TYPE,))
            response["description"] = ERROR_DESCRIPTIONS[code]
            responses[code] = response
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation) -> list[str]:
        view = self.view
        codes = ["400"]
        if view.get_authenticators() or any(
            not isinstance(p, permissions.AllowAny) for p in view.get_permissions()
        ):
            codes += ["401", "403"]
        codes.append("404")
        if "requestBody" in operation or self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if view.get_throttles():
            codes.append("429")
        return codes


def file_responses(*content_types: str, status: int = 200, description: str = "The file.") -> dict:
    """``@extend_schema(responses=…)`` of a download: one binary body per media type it can
    answer with (``text/csv; charset=utf-8`` is documented as ``text/csv``)."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiResponse

    media_types = dict.fromkeys(t.split(";")[0].strip() for t in content_types)
    return {
        (status, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)
        for media_type in media_types
    }
