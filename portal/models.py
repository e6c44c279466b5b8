"""Users, organisations and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import BilingualNameMixin, localized


class Organisation(BilingualNameMixin, models.Model):
    """The Ministry, a provincial-level authority, or a unit (lead or member of a consortium)."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        PROVINCIAL_AUTHORITY = "provincial_authority", _("Provincial authority")
        UNIT = "unit", _("Consortium unit")

    class RegionType(models.TextChoices):
        PROVINCE = "province", _("Province")
        AUTONOMOUS_REGION = "autonomous_region", _("Autonomous region")
        MUNICIPALITY = "municipality", _("Municipality")
        PLANNING_CITY = "planning_city", _("City with independent planning status")
        XPCC = "xpcc", _("Xinjiang Production and Construction Corps")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region_type = models.CharField(
        _("region type"), max_length=32, choices=RegionType.choices, blank=True
    )
    region_name_zh = models.CharField(_("region (Chinese)"), max_length=64, blank=True)
    region_name_en = models.CharField(_("region (English)"), max_length=64, blank=True)
    name_zh = models.CharField(_("full name (Chinese)"), max_length=200)
    name_en = models.CharField(_("full name (English)"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "sort_order", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="provincial_authority") | ~models.Q(region_type=""),
                name="organisation_authority_has_region",
            )
        ]

    @property
    def region_name(self) -> str:
        return localized(self, "region_name")


class User(AbstractUser):
    """A person. Belongs to one organisation; the role says what they do there."""

    class Role(models.TextChoices):
        MINISTRY_ADMIN = "ministry_admin", _("Ministry administrator")
        MINISTRY_STAFF = "ministry_staff", _("Ministry staff")
        PROVINCIAL_AUTHORITY = "provincial_authority", _("Provincial authority user")
        CONSORTIUM_LEAD = "consortium_lead", _("Consortium lead")
        CONSORTIUM_MEMBER = "consortium_member", _("Consortium member (read-only)")
        # The three administrators of MLPS 2.0 (三员分立): the Ministry administrator above is the
        # system administrator (users, programs); these two hold security and audit.
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDIT_ADMIN = "audit_admin", _("Audit administrator")

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of the e-mails and notifications the portal sends this person; "
            "set when they switch the portal's language."
        ),
    )

    # Identification (GB/T 22239-2019 8.1.4.1), kept by portal.passwords: when the password was
    # last set, and whether someone else set it (an administrator, the account's creation), so
    # that its holder must choose their own before anything else.
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    password_must_change = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        from .roles import ROLE_ORGANISATION_KIND

        if not self.role:
            return
        if self.organisation is None:
            raise ValidationError(
                {"organisation": _("A user with a role must belong to an organisation.")}
            )
        expected = ROLE_ORGANISATION_KIND[self.role]
        if self.organisation.kind != expected:
            raise ValidationError(
                {
                    "organisation": _(
                        "The role “%(role)s” belongs to an organisation of kind “%(kind)s”."
                    )
                    % {"role": self.get_role_display(), "kind": Organisation.Kind(expected).label}
                }
            )

    @property
    def display_name(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One thing that happened: who, when, to what, from which state to which, and why.

    Insert-only: the model, its queryset and (on PostgreSQL) a database trigger refuse
    updates and deletes.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # Where the request came from (security audit, MLPS 2.0): filled from the current request
    # by portal.requestlocal when there is one; empty for jobs and commands.
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")


class Notification(models.Model):
    """An e-mail the portal sends, kept so the recipient can read it in the portal too.

    ``dedupe_key`` makes a notification unique (e.g. one reminder per recipient × period × kind):
    queueing the same key twice gives the same row, and the delivery task sends a row once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Waiting longer than the grace period (its message lost, or never sent: Redis was down), the
    # sweeper sends it again and sets this to when it may do so next.
    retry_at = models.DateTimeField(_("send again after"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            # The sweeper's: waiting notifications by age (empty when all are sent).
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="notification_pending_retry",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class PasswordHistory(models.Model):
    """A password a user had (its hash only): the last few cannot be chosen again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``). Only a hash of the key is kept: the key is
    shown once, when the token is issued. It ends at ``expires_at`` or when revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the key, to recognise a token in lists without revealing it.
    prefix = models.CharField(_("key starts with"), max_length=8)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, db_index=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class Heartbeat(models.Model):
    """When a background process last showed it is alive: ``worker`` (the Celery worker, every
    few seconds from a thread of its own), ``beat`` (Celery beat, from its scheduler loop) and
    ``sweeper`` (the last sweep a worker ran, which beat sent). ``/readyz`` reads them."""

    name = models.CharField(max_length=40, primary_key=True)
    seen_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} · {self.seen_at:%Y-%m-%d %H:%M:%S}"
