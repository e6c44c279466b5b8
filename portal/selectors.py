"""Reads of the portal app that depend on who asks."""

from django.db.models import QuerySet

from .models import AuditEntry, Notification, Organisation, User


def organisation_list(*, kind: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(is_active=True)
    return qs.filter(kind=kind) if kind else qs


def provincial_authority_list() -> QuerySet[Organisation]:
    return organisation_list(kind=Organisation.Kind.PROVINCIAL_AUTHORITY)


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def audit_list_for_object(*, obj) -> QuerySet[AuditEntry]:

    return audit_list_for(**audit_target(obj))


def audit_target(obj) -> dict:
    """How the audit log names ``obj``: its content type's id and its id as text."""
    from django.contrib.contenttypes.models import ContentType

    return {
        "content_type": ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
        "object_id": str(obj.pk),
    }


def audit_list_for(*, content_type: int, object_id: str) -> QuerySet[AuditEntry]:
    """``audit_list_for_object`` by the object's content type and id (for prepared reads)."""
    return AuditEntry.objects.filter(content_type=content_type, object_id=object_id).select_related(
        "actor"
    )


def scoped_to_province(qs: QuerySet, *, user, field: str = "authority_id") -> QuerySet:
    """The visibility rule of everything a province owns: the Ministry sees every row, a
    provincial authority the rows of its own province (``field`` equal to its organisation),
    anyone else none. Consortium users' own grants are added by the caller where they apply."""
    from .permissions import is_ministry
    from .roles import Role

    if is_ministry(user):
        return qs
    if getattr(user, "is_authenticated", False) and user.role == Role.PROVINCIAL_AUTHORITY:
        return qs.filter(**{field: user.organisation_id})
    return qs.none()
