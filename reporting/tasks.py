"""Celery tasks of the reporting app: arguments in, a service call, nothing else.

Their names (``reporting.tasks.<function>``) are stored in the beat schedule's rows and are how
the services dispatch them (``portal.jobs.dispatch_on_commit``): keep them.
"""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from reporting.closing.services import closing_render
from reporting.insights.exports.services import export_render
from reporting.insights.rollups import rollup_execute, rollup_nightly
from reporting.insights.summaries import summary_render
from reporting.periods.reminders import reminders_redispatch_stale, reminders_send


@shared_task(acks_late=True)
def reminders_send_task(offsets: list[int] | None = None, today: str | None = None) -> int:
    """Daily (beat schedule in the database, editable in the admin): today's report reminders.

    ``offsets`` (days before the due date) come from the periodic task's kwargs; ``today``
    (an ISO date) is for tests only. Reminders left pending by a worker that died are sent first.
    Returns how many new reminders were recorded.
    """
    reminders_redispatch_stale()
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return reminders_send(today=day, offsets=offsets)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_run_task(run_id: int, today: str | None = None) -> int:
    """One roll-up run (requested on a transition, by staff, or nightly). Returns rows written.

    Redelivered after a worker dies (``acks_late`` + ``reject_on_worker_lost``): the run is
    still "running" and is simply computed again.
    """
    day = dt.date.fromisoformat(today) if today else None
    return rollup_execute(run_id=run_id, today=day).rows


@shared_task(acks_late=True)
def rollup_nightly_task() -> int:
    """Nightly (beat schedule in the database): every active program's roll-ups, stuck runs redone."""
    return len(rollup_nightly())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def summary_render_task(document_id: int) -> str:
    """Render one summary PDF. Redelivered after a worker dies: rendered again; done: left alone."""
    return summary_render(document_id=document_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_render_task(job_id: int) -> str:
    """Build one export file, re-checking the requesting user's scope. Returns the job's status."""
    return export_render(job_id=job_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def closing_render_task(document_id: int) -> str:
    """Render a program's closing document. Redelivered after a worker dies: rendered again."""
    return closing_render(document_id=document_id).status
