"""Evaluation pages: the Ministry's list per program, scoring, moderation, actions, the ranking;
the consortium's and province's view of a published evaluation. Thin callers of selectors,
``scoring.py`` and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from consortia.forms import apply_service_error
from consortia.selectors import consortium_get_for
from portal.permissions import can_use_portal, is_ministry, require
from portal.selectors import audit_list_for_object, provincial_authority_list
from portal.views import PermissionMixin
from reporting.evaluation import services
from reporting.evaluation.actions import EVALUATION_ACTIONS
from reporting.evaluation.export import ranking_export, ranking_table
from reporting.evaluation.forms import (
    EvaluationActionForm,
    ModerationForm,
    RankingFilterForm,
    ScorecardForm,
)
from reporting.evaluation.models import ModeratedScore, Scorecard
from reporting.evaluation.permissions import (
    can_manage_evaluations,
    can_moderate,
    can_score,
    can_see_reviewers,
    can_select_cases,
    can_take_evaluation_action,
)
from reporting.evaluation.scoring import evaluation_result, evaluation_results
from reporting.evaluation.selectors import (
    evaluation_cases,
    evaluation_get_for,
    evaluation_list_visible_to,
    evaluation_overview,
    evaluation_ranking,
    scheme_for,
)
from reporting.evaluation.workflows import STATE_HELP, EvaluationAction, actions_from
from tasks_catalog.models import Program


def _program(request) -> Program:
    code = request.GET.get("program", "")
    if code:
        return get_object_or_404(Program, code=code)
    program = Program.objects.order_by("start_date", "code").first()
    if program is None:
        raise Http404
    return program


def _filters(request, program) -> RankingFilterForm:
    form = RankingFilterForm(request.GET, program=program, provinces=provincial_authority_list())
    form.is_valid()
    return form


class ProgramMixin:
    def program_context(self) -> dict:
        self.program = _program(self.request)
        self.filter_form = _filters(self.request, self.program)
        data = getattr(self.filter_form, "cleaned_data", {})
        self.entity_type = data.get("entity_type", "")
        self.province = data.get("province", "")
        return {
            "program": self.program,
            "programs": Program.objects.order_by("start_date", "code"),
            "filter_form": self.filter_form,
        }


class EvaluationListView(PermissionMixin, ProgramMixin, TemplateView):
    """The Ministry: every evaluable consortium of the program with its evaluation's state,
    reviewers, average and grade. Anyone else: the published evaluations they may see."""

    template_name = "reporting/evaluation/list.html"
    permission = staticmethod(can_use_portal)

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        if is_ministry(user):
            context.update(self.program_context())
            context["rows"] = evaluation_overview(
                program=self.program, entity_type=self.entity_type, province=self.province
            )
            context["ministry"] = True
        else:
            context["published"] = evaluation_results(evaluation_list_visible_to(user=user))
        return context


class EvaluationStartView(PermissionMixin, View):
    permission = staticmethod(can_manage_evaluations)

    def post(self, request, consortium_pk):
        consortium = consortium_get_for(user=request.user, pk=consortium_pk)
        try:
            evaluation = services.evaluation_start(actor=request.user, consortium=consortium)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(
                f"{reverse('evaluation:evaluation-list')}?program={consortium.program.code}"
            )
        return redirect("evaluation:evaluation-detail", evaluation.pk)


class EvaluationMixin(PermissionMixin):
    """The evaluation in the URL, or 404 when the user may not see it (unpublished ones)."""

    def check_permission(self):
        decision = can_use_portal(self.request.user)
        if decision:
            self.evaluation = evaluation_get_for(user=self.request.user, pk=self.kwargs["pk"])
        return decision

    def back(self):
        return redirect("evaluation:evaluation-detail", self.evaluation.pk)


class EvaluationDetailView(EvaluationMixin, TemplateView):
    template_name = "reporting/evaluation/detail.html"

    def get_context_data(self, **kwargs):
        user, evaluation = self.request.user, self.evaluation
        context = super().get_context_data(**kwargs)
        ministry = can_see_reviewers(user, evaluation)
        context.update(
            evaluation=evaluation,
            consortium=evaluation.consortium,
            result=evaluation_result(evaluation),
            ministry=ministry,
            state_help=STATE_HELP.get(evaluation.state, ""),
            can_score=bool(can_score(user, evaluation)),
            can_moderate=bool(can_moderate(user, evaluation)),
            actions=[
                (t.action, EvaluationAction(t.action).label)
                for t in actions_from(evaluation.state)
                if can_take_evaluation_action(user, evaluation, t.action)
            ],
            action_form=EvaluationActionForm(initial={"revision": evaluation.revision}),
            cases=evaluation_cases(user=user, evaluation=evaluation),
            can_select_cases=bool(can_select_cases(user, evaluation)),
            audit=audit_list_for_object(obj=evaluation)[:100] if ministry else [],
        )
        return context


class ScorecardView(EvaluationMixin, TemplateView):
    """The reviewer's own scorecard: save as a draft, or submit it to count in the average."""

    template_name = "reporting/evaluation/score.html"

    def check_permission(self):
        decision = super().check_permission()
        return can_score(self.request.user, self.evaluation) if decision else decision

    def form(self, data=None):
        criteria, _bands = scheme_for(program=self.evaluation.consortium.program)
        card = Scorecard.objects.filter(
            evaluation=self.evaluation, reviewer=self.request.user
        ).first()
        initial = {"revision": card.revision if card else None}
        if card is not None:
            for score in card.scores.select_related("criterion"):
                initial[f"score_{score.criterion.code}"] = score.score
                initial[f"comment_{score.criterion.code}"] = score.comment
        self.card = card
        return ScorecardForm(data, criteria=criteria, initial=initial)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.form()
        return super().get_context_data(
            evaluation=self.evaluation,
            consortium=self.evaluation.consortium,
            form=form,
            card=self.card,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            submit = request.POST.get("intent") == "submit"
            try:
                services.scorecard_save(
                    actor=request.user,
                    evaluation=self.evaluation,
                    scores=form.scores(),
                    revision=form.cleaned_data.get("revision"),
                    submit=submit,
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    services.SCORECARD_SUBMITTED if submit else services.SCORECARD_SAVED,
                )
                return self.back() if submit else redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class ModerationView(EvaluationMixin, TemplateView):
    """The moderator's page: each reviewer's scores beside the average; the final score (with its
    reason) and the comment to the consortium per criterion; the overall comment."""

    template_name = "reporting/evaluation/moderate.html"

    def check_permission(self):
        decision = super().check_permission()
        return can_moderate(self.request.user, self.evaluation) if decision else decision

    def form(self, data=None):
        criteria, _bands = scheme_for(program=self.evaluation.consortium.program)
        initial = {"revision": self.evaluation.revision, "conclusion": self.evaluation.conclusion}
        for row in ModeratedScore.objects.filter(evaluation=self.evaluation).select_related(
            "criterion"
        ):
            code = row.criterion.code
            initial[f"final_{code}"] = row.score
            initial[f"reason_{code}"] = row.reason
            initial[f"comment_{code}"] = row.comment
        return ModerationForm(data, criteria=criteria, initial=initial)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.form()
        result = evaluation_result(self.evaluation)
        by_code = {r.criterion.code: r for r in result.criteria}
        for row in form.rows:
            row["result"] = by_code.get(row["criterion"].code)
        return super().get_context_data(
            evaluation=self.evaluation,
            consortium=self.evaluation.consortium,
            result=result,
            form=form,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.moderation_save(
                    actor=request.user,
                    evaluation=self.evaluation,
                    revision=form.cleaned_data.get("revision"),
                    finals=form.finals(),
                    conclusion=form.cleaned_data.get("conclusion", ""),
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, services.MODERATION_SAVED)
                return self.back()
        return self.render_to_response(self.get_context_data(form=form))


class EvaluationActionView(EvaluationMixin, View):
    """Close scoring, reopen, finalise, publish (``actions.py``)."""

    def post(self, request, *args, **kwargs):
        action = kwargs["action"]
        entry = EVALUATION_ACTIONS.get(action)
        if entry is None:
            raise Http404
        form = entry.form(request.POST)
        form.is_valid()  # a revision and optional text
        try:
            EVALUATION_ACTIONS.take(
                action, actor=request.user, obj=self.evaluation, data=form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                EVALUATION_ACTIONS.done_message(
                    action, self.evaluation, EvaluationAction(action).label
                ),
            )
        return self.back()


class CaseSelectionView(EvaluationMixin, View):
    """Select a typical case for promotion, or drop it (POST ``case``, ``selected``, ``reason``)."""

    def post(self, request, *args, **kwargs):
        require(can_select_cases(request.user, self.evaluation))
        selected = request.POST.get("selected") == "1"
        try:
            services.case_select(
                actor=request.user,
                evaluation=self.evaluation,
                case_id=request.POST.get("case", ""),
                selected=selected,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The case is selected for promotion.")
                if selected
                else _("The case is no longer selected for promotion."),
            )
        response = self.back()
        response["Location"] += "#typical-cases"
        return response


class RankingView(PermissionMixin, ProgramMixin, TemplateView):
    """The program's ranking (finalised and published evaluations), filtered by type and
    province; ``?format=csv|xlsx`` downloads the same table."""

    template_name = "reporting/evaluation/ranking.html"
    permission = staticmethod(can_manage_evaluations)

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "")
        if fmt:
            context = self.program_context()
            try:
                export = ranking_export(
                    user=request.user,
                    program=context["program"],
                    fmt=fmt,
                    entity_type=self.entity_type,
                    province=self.province,
                )
            except ValidationError as exc:
                return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
            response = HttpResponse(export.content, content_type=export.content_type)
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.program_context())
        criteria, bands = scheme_for(program=self.program)
        rows = evaluation_ranking(
            program=self.program, entity_type=self.entity_type, province=self.province
        )
        headers, table = ranking_table(rows, criteria)
        query = self.request.GET.copy()
        query.pop("format", None)
        context.update(
            headers=headers,
            table=list(zip(rows, table, strict=True)),
            bands=bands,
            query=query.urlencode(),
        )
        return context
