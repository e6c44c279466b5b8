"""Pages of an amendment of an approved plan (完善实施方案): propose, the amendment's page (its
content beside the baseline, its versions, its actions), the plan's editing forms applied to the
amendment, its form PDF and stamped scan. Thin callers of ``services.amendment_*``."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.permissions import require

from . import files, services
from .actions import AMENDMENT_ACTIONS
from .compare import compare_versions
from .content import content_problems, section_labels
from .forms import (
    AmendmentMemberForm,
    AmendmentProposeForm,
    AmendmentSectionsForm,
    ScanUploadForm,
    TaskSelectionForm,
    apply_service_error,
)
from .models import MemberUnit
from .permissions import (
    can_edit_amendment,
    can_propose_amendment,
    can_take_amendment_action,
    can_upload_amendment_scan,
)
from .selectors import amendment_get_for, plan_baseline
from .services.amendments import AMENDMENT_MEMBER_FIELDS
from .validators import count_characters
from .views import ConsortiumMixin
from .workflows import AMENDMENT_STATE_HELP, AmendmentAction, amendment_actions_from


class AmendmentProposeView(ConsortiumMixin, FormView):
    """提出修订: the recommending authority starts an amendment of its approved plan."""

    template_name = "consortia/amendment_propose.html"
    form_class = AmendmentProposeForm

    def get(self, request, *args, **kwargs):
        require(can_propose_amendment(request.user, self.plan))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        require(can_propose_amendment(request.user, self.plan))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            consortium=self.consortium,
            plan=self.plan,
            baseline=plan_baseline(plan=self.plan),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            amendment = services.amendment_propose(
                actor=self.request.user, plan=self.plan, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The amendment is started from the approved plan. Change what needs changing, then submit it."
            ),
        )
        return redirect("consortia:amendment-detail", self.consortium.pk, amendment.number)


class AmendmentMixin(ConsortiumMixin):
    """Loads the consortium's amendment the URL names (404 when the user may not see it)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.amendment = amendment_get_for(
            user=request.user, consortium_pk=kwargs["pk"], number=kwargs["number"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            consortium=self.consortium, plan=self.plan, amendment=self.amendment, **kwargs
        )

    def done(self, message):
        messages.success(self.request, message)
        return redirect("consortia:amendment-detail", self.consortium.pk, self.amendment.number)


class AmendmentDetailView(AmendmentMixin, TemplateView):
    """The amendment: reason, state, the amended content against the baseline it amends, its
    submitted versions and the Ministry's decisions, the actions the user may take."""

    template_name = "consortia/amendment_detail.html"

    def get_context_data(self, **kwargs):
        user, amendment = self.request.user, self.amendment
        program = self.consortium.program
        labels = section_labels(program)
        content = amendment.content
        versions = list(amendment.versions.select_related("review__reviewer").order_by("number"))
        last_review = next((v.review for v in reversed(versions) if hasattr(v, "review")), None)
        tasks = {t.number: t for t in program.tasks.select_related("category")}
        return super().get_context_data(
            content=content,
            state_help=AMENDMENT_STATE_HELP.get(amendment.state, ""),
            can_edit=bool(can_edit_amendment(user, amendment)),
            can_upload_scan=bool(can_upload_amendment_scan(user, amendment))
            and program.amendment_requires_scan,
            scan_required=program.amendment_requires_scan,
            scan_form=ScanUploadForm(),
            actions=[
                t.action
                for t in amendment_actions_from(amendment.state)
                if can_take_amendment_action(user, amendment, t.action)
            ],
            action_labels=dict(AmendmentAction.choices),
            problems=[
                (labels[k], msgs) for k, msgs in content_problems(self.plan, content).items()
            ],
            sections=[
                s
                for s in compare_versions(amendment.based_on.content, content, program)
                if s["changed"]
            ],
            versions=versions,
            last_number=versions[-1].number if versions else None,
            last_review=last_review,
            review_comments=[
                (labels.get(k, k), v)
                for k, v in (last_review.section_comments if last_review else {}).items()
            ],
            selected_tasks=[
                (tasks[t["number"]], t["responsible"], t.get("target", ""))
                for t in content["tasks"]
                if t["selected"]
            ],
            foundation_chars=count_characters(content["work_foundation"]),
            plan_chars=count_characters(content["implementation_plan"]),
            **kwargs,
        )


class AmendmentEditMixin(AmendmentMixin):
    """Pages that change the amendment: its authority or lead, while drafted or returned."""

    def get(self, request, *args, **kwargs):
        require(can_edit_amendment(request.user, self.amendment))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        require(can_edit_amendment(request.user, self.amendment))
        return super().post(request, *args, **kwargs)


class AmendmentSectionsView(AmendmentEditMixin, FormView):
    template_name = "consortia/plan_form.html"
    form_class = AmendmentSectionsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.consortium.program}

    def get_initial(self):
        a = self.amendment
        return {
            "reason": a.reason,
            "work_foundation": a.content["work_foundation"],
            "implementation_plan": a.content["implementation_plan"],
            "revision": a.revision,
        }

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.amendment_update(
                actor=self.request.user,
                amendment=self.amendment,
                data=data,
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return self.done(_("Amendment saved."))


class AmendmentMembersView(AmendmentEditMixin, FormView):
    """The amendment's member units (1-based positions in the URL), with the plan's member form."""

    template_name = "consortia/amendment_members.html"
    form_class = AmendmentMemberForm

    def get_index(self) -> int | None:
        index = self.kwargs.get("index")
        if index is not None and not 1 <= index <= len(self.amendment.content["members"]):
            raise Http404
        return index

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        index = self.get_index()
        row = self.amendment.content["members"][index - 1] if index else {}
        kwargs["instance"] = MemberUnit(
            consortium=self.consortium,
            **{k: v for k, v in row.items() if k in AMENDMENT_MEMBER_FIELDS},
        )
        kwargs.setdefault("initial", {})["revision"] = self.amendment.revision
        return kwargs

    def get_context_data(self, **kwargs):
        index = self.get_index()
        members = list(enumerate(self.amendment.content["members"], 1))
        return super().get_context_data(
            members=members,
            member=self.amendment.content["members"][index - 1] if index else None,
            **kwargs,
        )

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.amendment_member_save(
                actor=self.request.user,
                amendment=self.amendment,
                data=data,
                revision=form.cleaned_data["revision"],
                index=self.get_index(),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Member unit saved."))
        return redirect("consortia:amendment-members", self.consortium.pk, self.amendment.number)


class AmendmentMemberDeleteView(AmendmentEditMixin, View):
    def post(self, request, *args, **kwargs):
        require(can_edit_amendment(request.user, self.amendment))
        try:
            services.amendment_member_delete(
                actor=request.user,
                amendment=self.amendment,
                index=kwargs["index"],
                revision=request.POST.get("revision"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Member unit removed."))
        return redirect("consortia:amendment-members", self.consortium.pk, self.amendment.number)


class AmendmentTasksView(AmendmentEditMixin, FormView):
    """The plan's task form; member units are the amendment's (their positions as choices)."""

    template_name = "consortia/tasks_form.html"
    form_class = TaskSelectionForm

    def members(self) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(pk=i, name=m["name"])
            for i, m in enumerate(self.amendment.content["members"], 1)
        ]

    def get_form_kwargs(self):
        position = {m.name: m.pk for m in self.members()}
        selected = {
            t["number"]: [position[n] for n in t["responsible"] if n in position]
            for t in self.amendment.content["tasks"]
            if t["selected"]
        }
        kwargs = super().get_form_kwargs()
        kwargs.update(
            program=self.consortium.program,
            members=self.members(),
            selected=selected,
            targets={
                t["number"]: t.get("target", "")
                for t in self.amendment.content["tasks"]
                if t["selected"]
            },
        )
        kwargs.setdefault("initial", {})["revision"] = self.amendment.revision
        return kwargs

    def form_valid(self, form):
        names = {m.pk: m.name for m in self.members()}
        selections = {
            number: [names[i] for i in ids if i in names]
            for number, ids in form.selections().items()
        }
        try:
            services.amendment_set_tasks(
                actor=self.request.user,
                amendment=self.amendment,
                selections=selections,
                targets=form.targets(),
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return self.done(_("Task selection saved."))


class AmendmentPdfView(AmendmentMixin, View):
    def get(self, request, *args, **kwargs):
        return files.amendment_pdf_response(self.amendment)


class AmendmentScanView(AmendmentMixin, View):
    def post(self, request, *args, **kwargs):
        form = ScanUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                services.amendment_upload_scan(
                    actor=request.user, amendment=self.amendment, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("The stamped scan is uploaded. You can submit the amendment now.")
                )
        return redirect("consortia:amendment-detail", self.consortium.pk, self.amendment.number)

    def get(self, request, *args, **kwargs):
        if not self.amendment.scan:
            raise Http404
        return files.stored_pdf_response(
            self.amendment.scan.name,
            f"盖章扫描件-{self.consortium.name}-修订{self.amendment.number}.pdf",
        )


class AmendmentActionView(AmendmentMixin, TemplateView):
    """One action of ``AMENDMENT_ACTIONS``: a confirmation page (with its form) on GET, the
    transition on POST."""

    template_name = "consortia/plan_action.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.entry = AMENDMENT_ACTIONS.get(kwargs["action"])
        if self.entry is None:
            raise Http404
        self.action = kwargs["action"]

    def form(self, data=None):
        return self.entry.form(data) if self.entry.form else None

    def get_context_data(self, **kwargs):
        kwargs.pop("action", None)
        return super().get_context_data(
            action=self.action,
            action_label=AmendmentAction(self.action).label,
            form=kwargs.pop("form", None) or self.form(),
            decision=can_take_amendment_action(self.request.user, self.amendment, self.action),
            cancel_url=self.amendment_url(),
            **kwargs,
        )

    def amendment_url(self) -> str:
        return services.amendment_url(self.amendment)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data if form is not None else {}
        try:
            result = AMENDMENT_ACTIONS.take(
                self.action, actor=request.user, obj=self.amendment, data=data
            )
        except ValidationError as exc:
            if form is not None:
                apply_service_error(form, exc)
                return self.render_to_response(self.get_context_data(form=form))
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.amendment_url())
        messages.success(
            request,
            AMENDMENT_ACTIONS.done_message(self.action, result, AmendmentAction(self.action).label),
        )
        return redirect(self.amendment_url())
