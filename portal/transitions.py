"""The transition kernel: how every workflow (plans, progress reports) takes one action.

``transition(workflow, obj, action=…, actor=…)`` is a context manager around one transaction:

1. lock the row (``SELECT … FOR UPDATE OF``, read with the table's ``lock_related``);
2. check who may take the action: the workflow's permission helper answers a ``Decision``
   (the table's ``actor`` column, and whether the action is allowed from this state at all);
   a refusal raises ``PermissionDenied`` with its translated reason;
3. check the revision the user started from (``ValidationError`` code ``stale``);
4. run the caller's block with the locked object (``step.obj``): checks and writes of its own,
   the audit entry's ``comment`` / ``data``, the messages to send and the jobs to dispatch;
5. change the state from the workflow table and save;
6. write the audit entry ``<prefix>.<action>`` with from/to state, comment and data;
7. announce the table's events (``portal/events.py``), run the block's follow-ups (writes the
   transition causes), queue the messages (each recipient's language, ``portal/messages.py``)
   and dispatch the jobs when the transaction commits.

Edits that are no transition (a plan's sections, a report's entries) use ``locked_for_edit``:
steps 1–3 with the edit's own permission.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .events import announce
from .inputs import parse_revision
from .messages import Message, message_send
from .models import User
from .permissions import Decision, require
from .prepared import Prepared
from .services import audit_record
from .workflow import Workflow


def check_revision(obj: models.Model, revision: int | None, *, message) -> None:
    """Refuse a change based on an older copy than the one stored (two people at once), or on
    a revision that is not a whole number."""
    if revision is None:
        return
    if parse_revision(revision) != obj.revision:
        raise ValidationError(message, code="stale")


def lock(workflow: Workflow, obj: models.Model) -> models.Model:
    """The row again, locked for the rest of the transaction (call inside ``atomic``), read
    with the table's ``lock_related`` objects. Only the row itself is locked (``FOR UPDATE OF``):
    PostgreSQL would otherwise lock every joined row too, and the period or program a row is read
    with is shared by every other row of it (each autosave of a quarter's reports would wait for
    the one before, nationwide). What must be counted under a lock takes its own (the quota: the
    authority's row, ``consortia.services.plans``)."""
    locked = _lock_read(workflow.model, tuple(workflow.lock_related or ())).first(pk=obj.pk)
    if locked is None:
        raise workflow.model.DoesNotExist(f"{workflow.model.__name__} {obj.pk} no longer exists.")
    return locked


_lock_reads: dict[tuple, Prepared] = {}


def _lock_read(model, related: tuple[str, ...]) -> Prepared:
    """The locking read of ``model``'s rows with ``related``, prepared (``portal.prepared``):
    every save and transition makes it."""
    key = (model, related)
    read = _lock_reads.get(key)
    if read is None:

        def build(pk):
            qs = model.objects.select_for_update(of=("self",))
            return (qs.select_related(*related) if related else qs).filter(pk=pk)

        read = _lock_reads[key] = Prepared(build, pk=int)
    return read


def locked_for_edit(
    workflow: Workflow,
    obj: models.Model,
    *,
    actor: User,
    permission: Callable[[models.Model], Decision],
    revision: int | None = None,
) -> models.Model:
    """Lock, check ``permission(locked)`` and the revision; the locked object (inside ``atomic``)."""
    obj = lock(workflow, obj)
    require(permission(obj))
    check_revision(obj, revision, message=workflow.stale_message)
    return obj


@dataclass
class Step:
    """One transition being taken: what the caller's block adds to it."""

    obj: Any  # the locked object
    action: str
    comment: str = ""
    data: dict = field(default_factory=dict)
    messages: list[tuple[Message, Iterable[User], Callable | None]] = field(default_factory=list)
    follow_ups: list[Callable[[], None]] = field(default_factory=list)
    jobs: list[Callable[[], None]] = field(default_factory=list)
    source: str = ""  # the state before (set when the block starts)

    def notify(
        self,
        message: Message,
        recipients: Iterable[User],
        *,
        dedupe_key: Callable[[User], str] | None = None,
    ) -> None:
        """Send ``message`` to ``recipients`` (each in their language) once the transition is
        written."""
        self.messages.append((message, recipients, dedupe_key))

    def then(self, follow_up: Callable[[], None]) -> None:
        """Run ``follow_up`` after the transition's audit entry, in the same transaction (writes
        that the transition causes, such as the accounts an approval opens)."""
        self.follow_ups.append(follow_up)

    def on_commit(self, job: Callable[[], None]) -> None:
        """Run ``job`` (dispatch a Celery task) once the transaction has committed."""
        self.jobs.append(job)


@contextmanager
def transition(
    workflow: Workflow,
    obj: models.Model,
    *,
    action: str,
    actor: User,
    revision: int | None = None,
    stale_message=None,
    permission: Callable[[models.Model], Decision] | None = None,
    comment: str = "",
) -> Iterator[Step]:
    """Take ``action`` on ``obj`` (see the module's docstring); yields the ``Step``.

    ``permission(locked)`` replaces the workflow's own helper where an action has a stricter
    rule (a report is submitted only while its period is open); it builds on that helper, so an
    action out of order is still refused with its reason."""
    with transaction.atomic():
        obj = lock(workflow, obj)
        check = permission or (lambda locked: workflow.permission(actor, locked, action))
        require(check(obj))
        check_revision(obj, revision, message=stale_message or workflow.stale_message)
        step = Step(obj=obj, action=action, comment=comment, source=obj.state)
        yield step
        row = workflow.transition_for(obj.state, action)
        if row is None:  # the block changed the state: a programming error, not the user's
            raise RuntimeError(f"{workflow.prefix}.{action} is not allowed from {obj.state}")
        obj.state = row.target
        obj.save(update_fields=workflow.save_fields)
        audit_record(
            actor=actor,
            action=f"{workflow.prefix}.{action}",
            target=obj,
            from_state=step.source,
            to_state=obj.state,
            comment=step.comment,
            data=step.data,
        )
        for event in workflow.announces:
            announce(event, action=f"{workflow.prefix}.{action}", target=obj, actor=actor)
        for follow_up in step.follow_ups:
            follow_up()
        for message, recipients, dedupe_key in step.messages:
            message_send(message=message, recipients=recipients, dedupe_key=dedupe_key)
        for job in step.jobs:
            transaction.on_commit(job)
