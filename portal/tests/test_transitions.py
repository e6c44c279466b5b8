"""The transition kernel (``portal/transitions.py``) on a small workflow of its own: the right
actor moves the state and leaves one audit entry, announces the table's events and sends the
block's messages; the wrong actor, a stale revision and an action out of order are refused and
leave nothing behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consortia.models import Consortium, Plan
from portal import events
from portal.messages import Message
from portal.models import AuditEntry, Notification
from portal.permissions import ALLOW, deny
from portal.roles import Role
from portal.transitions import locked_for_edit, transition
from portal.workflow import Transition, Workflow
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

STALE = "Someone else changed it."


def may(user, plan, action):
    """The test workflow's permission helper: the table's actor column, or out of order."""
    row = WORKFLOW.transition_for(plan.state, action)
    if row is None:
        return deny("Not now.")
    if row.actor == "authority" and user.role != Role.PROVINCIAL_AUTHORITY:
        return deny("Only the authority.")
    if row.actor == "ministry" and user.role not in (Role.MINISTRY_STAFF, Role.MINISTRY_ADMIN):
        return deny("Only the Ministry.")
    return ALLOW


WORKFLOW = Workflow(
    [
        Transition("draft", "finish", "submitted", "authority"),
        Transition("submitted", "undo", "draft", "ministry"),
    ],
    model="consortia.Plan",
    prefix="test",
    permission="portal.tests.test_transitions.may",
    save_fields=["state", "updated_at"],
    stale_message=STALE,
    announces=[events.FIGURES_CHANGED],
)


@pytest.fixture
def plan(province_user):
    program = Program.objects.get(code="idfa-2026")
    consortium = Consortium.objects.create(
        program=program,
        authority=province_user.organisation,
        name="测试联合体",
        entity_type=program.entity_types.first(),
        created_by=province_user,
    )
    return Plan.objects.create(consortium=consortium)


@pytest.fixture
def heard(monkeypatch):
    """What the kernel announced: (action, target) per event."""
    calls = []
    monkeypatch.setattr(events, "_listeners", {})
    events.listen(events.FIGURES_CHANGED, lambda **kw: calls.append(kw))
    return calls


def _audit(plan):
    return AuditEntry.objects.filter(object_id=str(plan.pk), action__startswith="test.")


def test_the_right_actor_moves_the_state_and_one_audit_entry_is_written(
    plan, province_user, ministry_staff, heard, django_capture_on_commit_callbacks
):
    jobs = []
    with (
        django_capture_on_commit_callbacks(execute=True),
        transition(
            WORKFLOW, plan, action="finish", actor=province_user, revision=1, comment="ok"
        ) as step,
    ):
        assert step.source == "draft"
        assert step.obj.pk == plan.pk
        step.data = {"why": "ready"}
        step.notify(Message(kind="test.finish", subject="Finished"), [ministry_staff])
        step.on_commit(lambda: jobs.append("dispatched"))
    plan.refresh_from_db()
    assert plan.state == "submitted"
    [entry] = _audit(plan)
    assert (entry.action, entry.from_state, entry.to_state) == ("test.finish", "draft", "submitted")
    assert (entry.actor, entry.comment, entry.data) == (province_user, "ok", {"why": "ready"})
    assert heard == [{"action": "test.finish", "target": step.obj, "actor": province_user}]
    assert Notification.objects.get(kind="test.finish").recipient == ministry_staff
    assert jobs == ["dispatched"]


def test_the_wrong_actor_is_refused_with_the_helpers_reason(plan, ministry_staff, heard):
    with (
        pytest.raises(PermissionDenied, match="Only the authority."),
        transition(WORKFLOW, plan, action="finish", actor=ministry_staff),
    ):
        pytest.fail("the block must not run for a refused actor")
    plan.refresh_from_db()
    assert plan.state == "draft"
    assert not _audit(plan).exists()
    assert heard == []


def test_a_stale_revision_is_refused_with_the_workflows_message(plan, province_user):
    with (
        pytest.raises(ValidationError) as refused,
        transition(WORKFLOW, plan, action="finish", actor=province_user, revision=0),
    ):
        pytest.fail("the block must not run on a stale revision")
    assert refused.value.code == "stale"
    assert refused.value.messages == [STALE]
    plan.refresh_from_db()
    assert plan.state == "draft"
    assert not _audit(plan).exists()


def test_an_action_out_of_order_is_refused(plan, ministry_staff):
    with (
        pytest.raises(PermissionDenied, match="Not now."),
        transition(WORKFLOW, plan, action="undo", actor=ministry_staff),
    ):
        pytest.fail("the block must not run for an action the state does not allow")
    assert not _audit(plan).exists()


def test_a_refusal_inside_the_block_leaves_the_state_the_audit_and_the_messages_untouched(
    plan, province_user, ministry_staff, heard
):
    def refuse_after_adding_a_message():
        with transition(WORKFLOW, plan, action="finish", actor=province_user) as step:
            step.notify(Message(kind="test.finish", subject="Finished"), [ministry_staff])
            raise ValidationError("Incomplete")

    with pytest.raises(ValidationError, match="Incomplete"):
        refuse_after_adding_a_message()
    plan.refresh_from_db()
    assert plan.state == "draft"
    assert not _audit(plan).exists()
    assert heard == []
    assert not Notification.objects.filter(kind="test.finish").exists()


def test_taking_the_action_twice_writes_one_entry_per_transition(
    plan, province_user, ministry_staff
):
    with transition(WORKFLOW, plan, action="finish", actor=province_user):
        pass
    with (
        pytest.raises(PermissionDenied),
        transition(WORKFLOW, plan, action="finish", actor=province_user),
    ):
        pass
    with transition(WORKFLOW, plan, action="undo", actor=ministry_staff):
        pass
    assert list(_audit(plan).order_by("pk").values_list("action", flat=True)) == [
        "test.finish",
        "test.undo",
    ]


def test_an_edit_is_locked_permission_and_revision_checked(plan, province_user):
    assert locked_for_edit(WORKFLOW, plan, actor=province_user, permission=lambda p: ALLOW)
    with pytest.raises(PermissionDenied, match="No."):
        locked_for_edit(WORKFLOW, plan, actor=province_user, permission=lambda p: deny("No."))
    with pytest.raises(ValidationError) as refused:
        locked_for_edit(WORKFLOW, plan, actor=province_user, permission=lambda p: ALLOW, revision=7)
    assert refused.value.code == "stale"


@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_the_row_and_not_the_rows_read_with_it(reference_data, plan):
    """``lock`` reads the row with the workflow's ``lock_related`` and locks the row alone: the
    program and authority (a report's period) it is read with stay free for every other row's
    transaction. PostgreSQL only (SQLite has no row locks)."""
    import threading

    from django.db import connection, transaction

    from consortia.workflows import WORKFLOW as PLANS
    from portal.transitions import lock

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    assert PLANS.lock_related  # read with the program and the authority

    def can_lock(table: str, pk: int) -> bool:
        """From another connection: can this row be locked right now?"""
        answer = []

        def run():
            from django.db import OperationalError
            from django.db import connection as other

            try:
                with transaction.atomic(), other.cursor() as cursor:
                    cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
                answer.append(True)
            except OperationalError:
                answer.append(False)
            finally:
                other.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        return answer[0]

    consortium = plan.consortium
    with transaction.atomic():
        locked = lock(PLANS, plan)
        assert locked.consortium.program.pk == consortium.program_id  # read with it
        assert not can_lock("consortia_plan", plan.pk)
        assert can_lock("tasks_catalog_program", consortium.program_id)
        assert can_lock("portal_organisation", consortium.authority_id)
        assert can_lock("consortia_consortium", consortium.pk)
    assert can_lock("consortia_plan", plan.pk)  # released with the transaction
