"""Reviewing many reports at once from the list: bulk confirm / accept, and "remind now".

Each item goes through the same service and permission helper as the report's own page, in its
own transaction: one refusal (a report returned meanwhile, another province's report) does not
undo the others, and the caller gets one result per item saying what happened and why.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consortia.models import Consortium
from portal.inputs import is_number
from portal.messages import message_send_composed
from portal.models import Notification, User
from portal.permissions import require
from portal.services import audit_record
from reporting.periods.actions import REPORT_ACTIONS
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.reminders import reminder_message, reminder_recipients
from reporting.periods.report_list import report_rows_visible_to
from reporting.periods.review_permissions import can_bulk_review, can_remind, is_province
from reporting.periods.selectors import period_lock_date
from reporting.periods.workflows import ReportAction

# A second "remind now" for the same pilot and period within this window sends nothing
# (a double click, or two people at once).
REMIND_WINDOW = dt.timedelta(minutes=10)
REMIND_KIND = "reminder.manual"
# One request handles at most this many items (every pilot × period of a program fits).
MAX_ITEMS = 500


@dataclass
class ItemResult:
    consortium: int
    period: str
    ok: bool
    message: str
    consortium_name: str = ""
    period_name: str = ""
    report: int | None = None
    reminded: int = 0  # recipients reminded (remind only)


def parse_items(values) -> list[tuple[int, str]]:
    """``["12:2026-q2", …]`` (the list's checkboxes) → ``[(12, "2026-q2"), …]``; bad ones dropped."""
    items = []
    for value in values:
        pk, _sep, code = str(value).partition(":")
        if is_number(pk) and code:
            items.append((int(pk), code))
    return list(dict.fromkeys(items))


def _check_size(items: list[tuple[int, str]]) -> None:
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            _("Select at most %(max)d reports at a time.") % {"max": MAX_ITEMS}, code="too_many"
        )


def _rows(actor: User, items: list[tuple[int, str]]) -> dict[tuple[int, str], Consortium]:
    rows = report_rows_visible_to(user=actor).filter(pk__in={pk for pk, _c in items})
    return {(r.pk, r.period_code): r for r in rows}


def _not_found(pk: int, code: str) -> ItemResult:
    return ItemResult(pk, code, False, _("No such report in your list."))


def _result(row: Consortium, ok: bool, message: str, **extra) -> ItemResult:
    period = ReportingPeriod.objects.get(pk=row.period_ref)
    return ItemResult(
        consortium=row.pk,
        period=row.period_code,
        ok=ok,
        message=message,
        consortium_name=row.name,
        period_name=period.name,
        report=row.report_ref,
        **extra,
    )


def reports_bulk_action(
    *, actor: User, action: str, items: list[tuple[int, str]], comment: str = ""
) -> list[ItemResult]:
    """Confirm (province) or accept (Ministry) each report, each in its own transaction."""
    require(can_bulk_review(actor, action))
    if not items:
        raise ValidationError(_("Select at least one report."), code="empty")
    _check_size(items)
    rows = _rows(actor, items)
    results = []
    for pk, code in items:
        row = rows.get((pk, code))
        if row is None:
            results.append(_not_found(pk, code))
            continue
        if row.report_ref is None:
            results.append(_result(row, False, _("The report has not been started.")))
            continue
        report = ProgressReport.objects.get(pk=row.report_ref)
        try:
            # The report's own action (reporting/periods/actions.py): atomic, audited, e-mailed.
            REPORT_ACTIONS.take(action, actor=actor, obj=report, data={"comment": comment})
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(_result(row, False, reason))
        else:
            results.append(_result(row, True, str(ReportAction(action).label)))
    return results


def _recipients(actor: User, consortium: Consortium) -> list[User]:
    """The overdue reminder's recipients (the leads and the province); a province reminding
    does not remind itself."""
    users = reminder_recipients(consortium=consortium)
    if is_province(actor):
        users = [u for u in users if u.organisation_id != actor.organisation_id]
    return users


def _remind_one(actor: User, row: Consortium, now: dt.datetime) -> ItemResult:
    decision = can_remind(actor, row)
    if not decision:
        return _result(row, False, decision.reason)
    if not row.overdue:
        return _result(row, False, _("The report is not overdue."))
    period = ReportingPeriod.objects.get(pk=row.period_ref)
    prefix = f"remind-now:{period.pk}:{row.pk}:"
    with transaction.atomic():
        # Serialise reminders of one pilot: a second click waits here, then finds the first.
        Consortium.objects.select_for_update().filter(pk=row.pk).first()
        if Notification.objects.filter(
            kind=REMIND_KIND, dedupe_key__startswith=prefix, created_at__gte=now - REMIND_WINDOW
        ).exists():
            return _result(
                row,
                False,
                ngettext(
                    "Already reminded in the last %(n)d minute.",
                    "Already reminded in the last %(n)d minutes.",
                    int(REMIND_WINDOW.total_seconds() // 60),
                )
                % {"n": int(REMIND_WINDOW.total_seconds() // 60)},
            )
        recipients = _recipients(actor, row)
        if not recipients:
            return _result(row, False, _("Nobody to remind: the consortium has no active lead."))
        locks_on = period_lock_date(period=period, consortium=row)
        stamp = now.strftime("%Y%m%dT%H%M%S.%f")
        message_send_composed(
            kind=REMIND_KIND,
            compose=lambda: reminder_message(
                kind="overdue", period=period, consortium=row, locks_on=locks_on
            ),
            recipients=recipients,
            url=reverse("reporting:report-detail", args=[row.pk, period.code]),
            dedupe_key=lambda user: f"{prefix}{user.pk}:{stamp}",
        )
        target = ProgressReport.objects.get(pk=row.report_ref) if row.report_ref else row
        audit_record(
            actor=actor,
            action="report.remind",
            target=target,
            data={
                "consortium": row.pk,
                "period": period.code,
                "recipients": [u.pk for u in recipients],
            },
        )
    return _result(
        row,
        True,
        ngettext("%(n)d person reminded.", "%(n)d people reminded.", len(recipients))
        % {"n": len(recipients)},
        reminded=len(recipients),
    )


def reports_remind_overdue(*, actor: User, items: list[tuple[int, str]]) -> list[ItemResult]:
    """Send the overdue reminder now for each (consortium, period), each in its own
    transaction; audited; a repeat within ``REMIND_WINDOW`` sends nothing."""
    if not items:
        raise ValidationError(_("Select at least one overdue report."), code="empty")
    _check_size(items)
    now = timezone.now()
    rows = _rows(actor, items)
    results = []
    for pk, code in items:
        row = rows.get((pk, code))
        results.append(_not_found(pk, code) if row is None else _remind_one(actor, row, now))
    return results
