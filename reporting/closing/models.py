"""The program's closing document (成效总结), a PDF made in the background like the summaries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.insights.models import Job
from tasks_catalog.models import Program


class ClosingDocument(Job):
    """The closing document of a program: overview, results by province and by type, grades,
    promoted cases, deliverables, paths and mechanisms (``selectors.closing_overview``)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    file = models.FileField(upload_to="reporting/closing/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta(Job.Meta):
        verbose_name = _("closing document")
        verbose_name_plural = _("closing documents")
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(status__in=["pending", "running"]),
                name="closingdocument_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.get_status_display()}"
