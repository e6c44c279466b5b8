"""Pages for consortia and implementation plans: thin callers of selectors and services."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.inputs import parse_revision
from portal.listing import authority_choices, page_of, sortable_columns
from portal.permissions import can_use_portal, require
from portal.views import PermissionMixin
from tasks_catalog.models import Program

from . import files, services
from .actions import PLAN_ACTIONS
from .compare import compare_versions
from .content import commitment_text, content_problems, scan_digest, section_labels
from .filters import ConsortiumFilter
from .forms import (
    ConsortiumForm,
    ExtensionForm,
    MemberForm,
    PlanSectionsForm,
    ScanUploadForm,
    TaskSelectionForm,
    apply_service_error,
)
from .models import MemberUnit, PlanVersion
from .permissions import (
    can_create_consortium,
    can_edit_plan,
    can_grant_extension,
    can_propose_amendment,
    can_read_plan_draft,
    can_take_action,
)
from .review_comments import FIELD_SECTIONS, comments_between, returned_comments
from .selectors import (
    amendment_list,
    consortium_get_for,
    consortium_list_visible_to,
    plan_audit,
    plan_baseline,
    plan_deadline_for,
    plan_readable_for,
    plan_version_list,
    quota_blocks_submission,
    quota_status,
)
from .validators import count_characters
from .workflows import STATE_HELP, PlanAction, PlanState, actions_from


class ConsortiumListView(PermissionMixin, TemplateView):
    """Every consortium the user may see, filtered, searched and sorted like the API's list."""

    template_name = "consortia/consortium_list.html"
    permission = staticmethod(can_use_portal)

    def get_context_data(self, **kwargs):
        user = self.request.user
        filterset = ConsortiumFilter(
            self.request.GET or None, queryset=consortium_list_visible_to(user=user)
        )
        rows = filterset.qs
        counts = dict(
            rows.order_by()
            .values_list("plan__state")
            .annotate(n=Count("id"))
            .values_list("plan__state", "n")
        )
        ordering = self.request.GET.get("ordering", "")
        return super().get_context_data(
            filterset=filterset,
            page_obj=page_of(self.request, rows),
            state_counts=[
                (value, label, counts.get(value, 0)) for value, label in PlanState.choices
            ],
            filtered=any(
                self.request.GET.get(k) for k in ("program", "state", "authority", "search")
            ),
            columns=sortable_columns(
                ordering,
                [
                    (_("Consortium"), "name"),
                    (_("Program"), "program"),
                    (_("Recommending authority"), "authority"),
                    (_("Lead unit"), "lead_unit"),
                    (_("State"), "state"),
                    (_("Last changed"), "updated"),
                ],
            ),
            authorities=authority_choices(user),
            can_create=bool(can_create_consortium(user)),
            programs=Program.objects.filter(is_active=True),
            **kwargs,
        )


class ConsortiumCreateView(PermissionMixin, FormView):
    template_name = "consortia/consortium_form.html"
    form_class = ConsortiumForm
    permission = staticmethod(can_create_consortium)

    def dispatch(self, request, *args, **kwargs):
        code = request.GET.get("program") or request.POST.get("program") or "idfa-2026"
        self.program = get_object_or_404(Program, code=code, is_active=True)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_context_data(self, **kwargs):
        user = self.request.user
        deadline, _extension = plan_deadline_for(
            program=self.program, authority_id=user.organisation_id
        )
        return super().get_context_data(
            program=self.program,
            creating=True,
            deadline=deadline,
            quota=quota_status(program=self.program, authority_id=user.organisation_id),
            **kwargs,
        )

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            consortium = services.consortium_create(
                actor=self.request.user, program=self.program, data=data
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The consortium is created. Fill in its plan next."))
        return redirect("consortia:consortium-detail", consortium.pk)


class ConsortiumMixin(LoginRequiredMixin):
    """Loads the consortium the URL names, or 404 when the user may not see it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.consortium = consortium_get_for(user=request.user, pk=kwargs["pk"])
        self.plan = self.consortium.plan
        return super().dispatch(request, *args, **kwargs)


class ConsortiumDetailView(ConsortiumMixin, TemplateView):
    template_name = "consortia/consortium_detail.html"

    def get_context_data(self, **kwargs):
        user, plan, consortium = self.request.user, self.plan, self.consortium
        # The Ministry reads the last submitted version while the authority drafts or revises.
        draft_readable = bool(can_read_plan_draft(user, plan))
        content, shown_version = plan_readable_for(user=user, plan=plan)
        blank = {"tasks": [], "members": [], "commitments": [], "work_foundation": ""}
        blank["implementation_plan"] = blank["authority_opinion"] = ""
        versions = list(plan_version_list(plan=plan))
        # The plan's own review (an amendment's is shown on the amendment's page).
        last_review = next(
            (v.review for v in reversed(versions) if hasattr(v, "review") and not v.amendment_id),
            None,
        )
        baseline = plan_baseline(plan=plan)
        labels = section_labels(consortium.program)
        actions = [
            t.action for t in actions_from(plan.state) if can_take_action(user, plan, t.action)
        ]
        deadline, extension = plan_deadline_for(
            program=consortium.program, authority_id=consortium.authority_id
        )
        tasks = {t.number: t for t in consortium.program.tasks.select_related("category")}
        return super().get_context_data(
            consortium=consortium,
            plan=plan,
            content=content or blank,
            content_hidden=content is None,
            shown_version=shown_version,
            draft_readable=draft_readable,
            problems=[(labels[k], msgs) for k, msgs in content_problems(plan, content).items()]
            if draft_readable
            else [],
            state_help=STATE_HELP.get(plan.state, ""),
            can_edit=bool(can_edit_plan(user, plan)),
            actions=actions,
            versions=versions,
            baseline=baseline,
            amendments=list(amendment_list(plan=plan)),
            can_propose_amendment=bool(can_propose_amendment(user, plan)),
            last_review=last_review,
            review_comments=[
                (labels.get(k, k), v)
                for k, v in (last_review.section_comments if last_review else {}).items()
            ],
            audit=plan_audit(plan=plan)[:200],
            deadline=deadline,
            extension=extension,
            selected_tasks=[
                (tasks[t["number"]], t["responsible"], t.get("target", ""))
                for t in (content or blank)["tasks"]
                if t["selected"]
            ],
            foundation_chars=count_characters((content or blank)["work_foundation"]),
            plan_chars=count_characters((content or blank)["implementation_plan"]),
            scan_form=ScanUploadForm(),
            scan_outdated=draft_readable
            and bool(plan.scan)
            and plan.scan_content_sha256 != scan_digest(content),
            commitment_texts=_commitment_texts(
                consortium.program, (content or blank)["commitments"]
            ),
            **_quota_notice(plan),
            **kwargs,
        )


def _quota_notice(plan) -> dict:
    """For a draft that would need a slot when the authority's quota is full: say so on its
    pages, before the user gets as far as submitting."""
    if plan.state != PlanState.DRAFT or not quota_blocks_submission(plan):
        return {"quota_blocked": False}
    consortium = plan.consortium
    return {
        "quota_blocked": True,
        "quota": quota_status(program=consortium.program, authority_id=consortium.authority_id),
    }


def _commitment_texts(program, keys):
    return [(commitment_text(c), c["key"] in keys) for c in program.plan_commitments]


class PlanEditMixin(ConsortiumMixin):
    """Pages that change the plan: only its authority, only while it is a draft or returned."""

    def get(self, request, *args, **kwargs):
        require(can_edit_plan(request.user, self.plan))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        require(can_edit_plan(request.user, self.plan))
        return super().post(request, *args, **kwargs)

    # The section of the official form this page edits: the Ministry's comment on it is shown
    # beside it while the plan is returned.
    section = ""

    def get_context_data(self, **kwargs):
        comments = self.review_comments()
        return super().get_context_data(
            consortium=self.consortium,
            plan=self.plan,
            section_comment=comments.get(self.section),
            **_quota_notice(self.plan),
            **kwargs,
        )

    def review_comments(self) -> dict:
        if not hasattr(self, "_review_comments"):
            self._review_comments = returned_comments(self.plan)
        return self._review_comments

    def done(self, message):
        messages.success(self.request, message)
        return redirect("consortia:consortium-detail", self.consortium.pk)


class ConsortiumEditView(PlanEditMixin, FormView):
    template_name = "consortia/consortium_form.html"
    form_class = ConsortiumForm
    section = "basic"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(program=self.consortium.program, instance=self.consortium)
        kwargs.setdefault("initial", {})["revision"] = self.plan.revision
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.consortium.program, **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.consortium_update(
                actor=self.request.user,
                consortium=self.consortium,
                data=data,
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return self.done(_("Basic information saved."))


class MembersView(PlanEditMixin, FormView):
    template_name = "consortia/members.html"
    form_class = MemberForm
    section = "members"

    def get_member(self):
        member_pk = self.kwargs.get("member_pk")
        if member_pk is None:
            return None
        return get_object_or_404(MemberUnit, pk=member_pk, consortium=self.consortium)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        member = self.get_member()
        kwargs["instance"] = member or MemberUnit(
            consortium=self.consortium, sort_order=self.consortium.members.count() + 1
        )
        kwargs.setdefault("initial", {})["revision"] = self.plan.revision
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            members=self.consortium.members.all(), member=self.get_member(), **kwargs
        )

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.member_save(
                actor=self.request.user,
                plan=self.plan,
                data=data,
                revision=form.cleaned_data["revision"],
                member=self.get_member(),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Member unit saved."))
        return redirect("consortia:members", self.consortium.pk)


class MemberDeleteView(PlanEditMixin, View):
    def post(self, request, *args, **kwargs):
        require(can_edit_plan(request.user, self.plan))
        member = get_object_or_404(MemberUnit, pk=kwargs["member_pk"], consortium=self.consortium)
        # The page's form always carries the plan's revision: without one (or with one that is
        # not a number) the removal is refused like a stale one, never done unchecked.
        revision = parse_revision(request.POST.get("revision"))
        try:
            services.member_delete(
                actor=request.user,
                plan=self.plan,
                member=member,
                revision=revision if revision is not None else -1,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Member unit removed."))
        return redirect("consortia:members", self.consortium.pk)


class PlanSectionsView(PlanEditMixin, FormView):
    template_name = "consortia/plan_form.html"
    form_class = PlanSectionsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.consortium.program}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        comments = self.review_comments()
        for name, section in FIELD_SECTIONS.items():
            if name in form.fields and section in comments:
                form.fields[name].review_comment = comments[section]  # shown beside the field
        return form

    def get_initial(self):
        plan = self.plan
        return {
            "work_foundation": plan.work_foundation,
            "implementation_plan": plan.implementation_plan,
            "commitments": plan.commitments,
            "authority_opinion": plan.authority_opinion,
            "revision": plan.revision,
        }

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.plan_update(
                actor=self.request.user,
                plan=self.plan,
                data=data,
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return self.done(_("Plan sections saved."))


class TaskSelectionView(PlanEditMixin, FormView):
    template_name = "consortia/tasks_form.html"
    form_class = TaskSelectionForm
    section = "tasks"

    def get_form_kwargs(self):
        rows = list(self.plan.selections.select_related("task").prefetch_related("responsible"))
        kwargs = super().get_form_kwargs()
        kwargs.update(
            program=self.consortium.program,
            members=list(self.consortium.members.all()),
            selected={s.task.number: [m.pk for m in s.responsible.all()] for s in rows},
            targets={s.task.number: s.target for s in rows},
        )
        kwargs.setdefault("initial", {})["revision"] = self.plan.revision
        return kwargs

    def form_valid(self, form):
        try:
            services.plan_set_tasks(
                actor=self.request.user,
                plan=self.plan,
                selections=form.selections(),
                targets=form.targets(),
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return self.done(_("Task selection saved."))


class ScanUploadView(ConsortiumMixin, View):
    def post(self, request, *args, **kwargs):
        form = ScanUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                services.plan_upload_scan(
                    actor=request.user, plan=self.plan, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("The stamped scan is uploaded. You can submit the plan now.")
                )
        return redirect("consortia:consortium-detail", self.consortium.pk)

    def get(self, request, *args, **kwargs):
        if not can_read_plan_draft(request.user, self.plan):
            raise Http404
        return files.plan_scan_response(self.plan)


class PlanPdfView(ConsortiumMixin, View):
    def get(self, request, *args, **kwargs):
        if not can_read_plan_draft(request.user, self.plan):
            raise Http404
        return files.plan_pdf_response(self.plan)


class VersionFileView(ConsortiumMixin, View):
    def get(self, request, *args, **kwargs):
        version = get_object_or_404(PlanVersion, plan=self.plan, number=kwargs["number"])
        if kwargs["kind"] not in ("pdf", "scan"):
            raise Http404
        return files.version_file_response(version, kwargs["kind"])


class PlanActionView(ConsortiumMixin, TemplateView):
    """One workflow action (``consortia/actions.py``): a confirmation page (with its form) on
    GET, the transition on POST."""

    template_name = "consortia/plan_action.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.entry = PLAN_ACTIONS.get(kwargs["action"])
        if self.entry is None:
            raise Http404
        self.action = kwargs["action"]

    def form(self, data=None):
        if not self.entry.form:
            return None
        # A form that names the plan's sections heads them as the program's form does.
        if getattr(self.entry.form, "takes_program", False):
            return self.entry.form(data, program=self.consortium.program)
        return self.entry.form(data)

    def get_context_data(self, **kwargs):
        kwargs.pop("action", None)
        return super().get_context_data(
            consortium=self.consortium,
            plan=self.plan,
            action=self.action,
            action_label=PlanAction(self.action).label,
            form=kwargs.pop("form", None) or self.form(),
            decision=can_take_action(self.request.user, self.plan, self.action),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data if form is not None else {}
        try:
            result = PLAN_ACTIONS.take(self.action, actor=request.user, obj=self.plan, data=data)
        except ValidationError as exc:
            if form is not None:
                apply_service_error(form, exc)
                return self.render_to_response(self.get_context_data(form=form))
            for message in exc.messages:
                messages.error(request, message)
            return redirect("consortia:consortium-detail", self.consortium.pk)
        messages.success(
            request, PLAN_ACTIONS.done_message(self.action, result, PlanAction(self.action).label)
        )
        return redirect("consortia:consortium-detail", self.consortium.pk)


class CompareView(ConsortiumMixin, TemplateView):
    template_name = "consortia/compare.html"

    def get_context_data(self, **kwargs):
        versions = {v.number: v for v in plan_version_list(plan=self.plan)}
        try:
            a = int(self.request.GET.get("a") or max(1, len(versions) - 1))
            b = int(self.request.GET.get("b") or len(versions))
        except ValueError as exc:
            raise Http404 from exc
        if a not in versions or b not in versions:
            raise Http404
        comments = comments_between(versions, a, b)
        baseline = plan_baseline(plan=self.plan)
        return super().get_context_data(
            consortium=self.consortium,
            plan=self.plan,
            versions=sorted(versions),
            version_options=[
                (n, version_label(versions[n], baseline=baseline)) for n in sorted(versions)
            ],
            label_a=version_label(versions[a], baseline=baseline),
            label_b=version_label(versions[b], baseline=baseline),
            a=a,
            b=b,
            sections=[
                {**section, "comments": comments.get(section["key"], [])}
                for section in compare_versions(
                    versions[a].content, versions[b].content, self.consortium.program
                )
            ],
            comments_from=min(a, b),
            comments_to=max(a, b),
            **kwargs,
        )


def version_label(version: PlanVersion, *, baseline: PlanVersion | None) -> str:
    """“2 (amendment 1, baseline)”: a version's number, whether it amends the approved plan,
    and whether reports are judged against it."""
    notes = []
    if version.amendment_id:
        notes.append(_("amendment %(n)d") % {"n": version.amendment.number})
    if baseline is not None and version.pk == baseline.pk:
        notes.append(_("baseline"))
    if not notes:
        return str(version.number)
    return _("%(n)d (%(notes)s)") % {
        "n": version.number,
        "notes": pgettext("list separator", ", ").join(notes),
    }


class ExtensionView(PermissionMixin, FormView):
    template_name = "consortia/extensions.html"
    form_class = ExtensionForm
    permission = staticmethod(can_grant_extension)

    def get_context_data(self, **kwargs):
        from .models import DeadlineExtension

        extensions = DeadlineExtension.objects.select_related("program", "authority", "granted_by")
        return super().get_context_data(extensions=extensions, **kwargs)

    def form_valid(self, form):
        try:
            services.deadline_extension_grant(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Extension granted."))
        return redirect("consortia:extensions")
