"""Reads of consortia and plans, scoped to who asks."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from portal.permissions import is_ministry
from portal.prepared import Prepared
from portal.requestlocal import request_memo
from portal.roles import Role
from portal.selectors import audit_list_for_object, scoped_to_province
from tasks_catalog.models import Program
from tasks_catalog.selectors import active_programs_with_calendar

from .content import plan_content
from .models import Consortium, DeadlineExtension, Plan, PlanAmendment, PlanVersion
from .permissions import VIEW_PERMISSION, can_read_plan_draft, can_view_consortium
from .workflows import AMENDMENT_OPEN_STATES, QUOTA_STATES, AmendmentState, PlanState


def _consortia() -> QuerySet[Consortium]:
    return Consortium.objects.select_related("program", "authority", "entity_type", "plan")


# The page of one consortium reads it so on every request (prepared: portal.prepared).
_consortium = Prepared(lambda pk: _consortia().filter(pk=pk), pk=int)


def province_consortia(authority) -> QuerySet[Consortium]:
    """What ``consortium_list_visible_to`` gives the provincial authority whose organisation is
    ``authority`` (``scoped_to_province``'s rule): for prepared reads, which take the authority
    as their value rather than the user."""
    return _consortia().filter(authority_id=authority)


# A province's home asks these on every view (prepared).
_province_plans_waiting = Prepared(
    lambda authority: province_consortia(authority).filter(
        plan__state__in=[PlanState.DRAFT, PlanState.RETURNED]
    ),
    authority=int,
)
_province_amendments_waiting = Prepared(
    lambda authority: amendments_waiting(
        province_consortia(authority), [AmendmentState.DRAFT, AmendmentState.RETURNED]
    ),
    authority=int,
)


def amendments_waiting(consortia, states) -> QuerySet[PlanAmendment]:
    """The amendments of ``consortia`` in ``states``, oldest first, each with its consortium and
    authority: what a home's inbox lists."""
    return (
        PlanAmendment.objects.filter(plan__consortium__in=consortia, state__in=states)
        .select_related("plan__consortium__authority")
        .order_by("updated_at", "pk")
    )


def province_plans_waiting(*, user) -> list[Consortium]:
    """The province's consortia whose plan it drafts or must revise."""
    if user.organisation_id is None:
        return []
    return _province_plans_waiting.all(authority=user.organisation_id)


def province_amendments_waiting(*, user) -> list[PlanAmendment]:
    """The province's amendments it drafts or must revise, oldest first."""
    if user.organisation_id is None:
        return []
    return _province_amendments_waiting.all(authority=user.organisation_id)


def _sees_granted_only(user) -> bool:
    """Leads and members see the consortia granted to them (django-guardian), nothing else."""
    return getattr(user, "is_authenticated", False) and user.role in (
        Role.CONSORTIUM_LEAD,
        Role.CONSORTIUM_MEMBER,
    )


def consortium_list_visible_to(*, user) -> QuerySet[Consortium]:
    """Ministry: all; a province: its own (``scoped_to_province``); lead and members: the
    consortia they are granted."""
    qs = _consortia()
    if _sees_granted_only(user):
        allowed = get_objects_for_user(
            user, VIEW_PERMISSION, klass=Consortium, accept_global_perms=False
        )
        return qs.filter(pk__in=allowed.values("pk"))
    return scoped_to_province(qs, user=user)


def deadline_extension_list_visible_to(*, user) -> QuerySet[DeadlineExtension]:
    """The Ministry sees every extension, an authority its own, anyone else none."""
    qs = DeadlineExtension.objects.select_related("program", "authority", "granted_by")
    return scoped_to_province(qs, user=user)


def consortium_get_for(*, user, pk) -> Consortium:
    """The consortium if the user may see it; 404 otherwise (ids are not to be guessed).

    A lead's or member's grant is asked of this one consortium (``can_view_consortium``, and
    remembered for the request) rather than through the list of every consortium granted to
    them, which costs django-guardian more to build than the rest of the lookup."""
    try:
        if _sees_granted_only(user) or is_ministry(user):  # any consortium: the grant follows
            consortium = _consortium.first(pk=pk)
        else:
            consortium = consortium_list_visible_to(user=user).filter(pk=pk).first()
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if consortium is None:
        raise Http404
    if not can_view_consortium(user, consortium):
        raise Http404
    return consortium


def plan_get_for(*, user, consortium_pk) -> Plan:
    return consortium_get_for(user=user, pk=consortium_pk).plan


def plan_readable_for(*, user, plan: Plan) -> tuple[dict | None, PlanVersion | None]:
    """The plan's content as ``user`` may read it, and the version it comes from.

    The working copy (``(plan_content(plan), None)``) for whoever may read it
    (``can_read_plan_draft``); for the Ministry while the authority drafts or revises the plan,
    the last submitted version (``(version.content, version)``), or ``(None, None)`` when the plan
    was never submitted."""
    if can_read_plan_draft(user, plan):
        return plan_content(plan), None
    version = plan.versions.filter(amendment__isnull=True).order_by("-number").first()
    return (version.content, version) if version else (None, None)


def plan_get_draft_for(*, user, consortium_pk) -> Plan:
    """The plan if the user may read its working copy (``can_read_plan_draft``); 404 otherwise."""
    plan = plan_get_for(user=user, consortium_pk=consortium_pk)
    if not can_read_plan_draft(user, plan):
        raise Http404
    return plan


def plan_version_list(*, plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("submitted_by", "review", "amendment").order_by("number")


def plan_baseline(*, plan: Plan) -> PlanVersion | None:
    """The version reports and the final summary are judged against: the newest version the
    Ministry approved (the first approval, or an approved amendment later). None before approval.
    Earlier baselines stay readable in ``plan_version_list``."""
    from .workflows import PlanAction

    return (
        plan.versions.filter(review__decision=PlanAction.APPROVE)
        .select_related("review")
        .order_by("-number")
        .first()
    )


def plan_audit(*, plan: Plan):
    """Everything that happened to the plan and to its amendments, newest first."""
    from django.contrib.contenttypes.models import ContentType

    from portal.models import AuditEntry

    ids = [str(pk) for pk in plan.amendments.values_list("pk", flat=True)]
    if not ids:
        return audit_list_for_object(obj=plan)
    amendment_type = ContentType.objects.get_for_model(PlanAmendment)
    return (
        audit_list_for_object(obj=plan)
        | AuditEntry.objects.filter(content_type=amendment_type, object_id__in=ids).select_related(
            "actor"
        )
    ).order_by("-created_at", "-id")


# --- amendments --------------------------------------------------------------------------------


def amendment_list(*, plan: Plan) -> QuerySet[PlanAmendment]:
    return plan.amendments.select_related("based_on", "created_by").order_by("number")


def amendment_open(*, plan: Plan) -> PlanAmendment | None:
    """The amendment being drafted, reviewed or revised (at most one), else None."""
    return plan.amendments.filter(state__in=AMENDMENT_OPEN_STATES).first()


def amendment_get_for(*, user, consortium_pk, number) -> PlanAmendment:
    """The consortium's amendment ``number`` if the user may see the consortium; 404 otherwise."""
    plan = plan_get_for(user=user, consortium_pk=consortium_pk)
    try:
        return plan.amendments.select_related("plan__consortium__program", "based_on").get(
            number=number
        )
    except (PlanAmendment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def version_scan_source(*, version: PlanVersion) -> PlanVersion | None:
    """The version whose stamped scan stands for ``version``: itself when it has one, else the
    newest earlier version with a scan (an amendment submitted without a new scan)."""
    if version.scan:
        return version
    return (
        PlanVersion.objects.filter(plan_id=version.plan_id, number__lt=version.number)
        .exclude(scan="")
        .order_by("-number")
        .first()
    )


def quota_used(*, program: Program, authority_id: int, exclude_plan: Plan | None = None) -> int:
    """The authority's slots in use: its plans submitted, returned or approved (``QUOTA_STATES``)."""
    qs = Plan.objects.filter(
        consortium__program=program, consortium__authority_id=authority_id, state__in=QUOTA_STATES
    )
    if exclude_plan is not None:
        qs = qs.exclude(pk=exclude_plan.pk)
    return qs.count()


def quota_status(*, program: Program, authority_id: int) -> dict:
    """``{"used", "limit", "full"}`` for the authority in the program: what the new-consortium
    page, a draft's page, the province home and the API show (``quota_statuses``)."""
    return quota_statuses(programs=[program], authority_id=authority_id)[program.pk]


def plan_holds_slot(plan: Plan) -> bool:
    """A plan already counted in the quota (submitted, returned or approved)."""
    return plan.state in QUOTA_STATES


def quota_blocks_submission(plan: Plan) -> bool:
    """The plan would need a slot and none is free: a draft (or a reopened plan) while the
    authority's quota is full. A returned plan keeps its own slot and is never blocked."""
    if plan_holds_slot(plan):
        return False
    consortium = plan.consortium
    return (
        quota_used(
            program=consortium.program, authority_id=consortium.authority_id, exclude_plan=plan
        )
        >= consortium.program.recommendation_quota
    )


def plan_deadline_for(
    *, program: Program, authority_id: int
) -> tuple[dt.date, DeadlineExtension | None]:
    """The authority's plan deadline: the program's, or the latest extension granted to it
    (``plan_deadlines_for``)."""
    return plan_deadlines_for(programs=[program], authority_id=authority_id)[program.pk]


def plan_counts_by_state(*, user) -> dict[str, int]:
    rows = (
        consortium_list_visible_to(user=user)
        .values("plan__state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["plan__state"]: r["n"] for r in rows}


def quota_statuses(*, programs: list[Program], authority_id: int) -> dict[int, dict]:
    """``{"used", "limit", "full"}`` of each program for the authority, by program id, in one
    query: its slots in use (plans submitted, returned or approved: ``QUOTA_STATES``) against
    the program's quota."""
    used = dict(
        Plan.objects.filter(
            consortium__program__in=programs,
            consortium__authority_id=authority_id,
            state__in=QUOTA_STATES,
        )
        .values_list("consortium__program_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {}
    for program in programs:
        n, limit = used.get(program.pk, 0), program.recommendation_quota
        out[program.pk] = {"used": n, "limit": limit, "full": n >= limit}
    return out


def plan_deadlines_for(
    *, programs: list[Program], authority_id: int
) -> dict[int, tuple[dt.date, DeadlineExtension | None]]:
    """The authority's plan deadline in each program, by program id, in one query: the
    program's, or the latest extension granted to it if later, with that extension."""
    latest: dict[int, DeadlineExtension] = {}
    for extension in DeadlineExtension.objects.filter(
        program__in=programs, authority_id=authority_id
    ).order_by("-new_deadline"):
        latest.setdefault(extension.program_id, extension)
    out = {}
    for program in programs:
        extension = latest.get(program.pk)
        if extension and extension.new_deadline > program.plan_deadline:
            out[program.pk] = (extension.new_deadline, extension)
        else:
            out[program.pk] = (program.plan_deadline, None)
    return out


def quota_summary(*, user) -> list[dict]:
    """For an authority: per active program, slots used (submitted, returned or approved plans),
    whether the quota is full, and the deadline that applies (two queries, the programs being
    read once per request). The province's home asks it twice, for its inbox and its panel:
    answered once per request (``request_memo``)."""
    if getattr(user, "role", "") != Role.PROVINCIAL_AUTHORITY:
        return []
    return request_memo(("quota_summary", user.pk), lambda: _quota_summary(user))


def _quota_summary(user) -> list[dict]:
    programs = active_programs_with_calendar()
    deadlines = plan_deadlines_for(programs=programs, authority_id=user.organisation_id)
    quotas = quota_statuses(programs=programs, authority_id=user.organisation_id)
    out = []
    for program in programs:
        deadline, extension = deadlines[program.pk]
        quota = quotas[program.pk]
        out.append(
            {
                "program": program,
                "used": quota["used"],
                "quota": quota["limit"],
                "full": quota["full"],
                "deadline": deadline,
                "extension": extension,
            }
        )
    return out


def plans_waiting_for_review() -> QuerySet[Plan]:
    return Plan.objects.filter(Q(state="submitted")).select_related("consortium__authority")
