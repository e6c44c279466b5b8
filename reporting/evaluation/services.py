"""Every write to evaluations: permission, workflow, revision check, audit, e-mail."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.models import Consortium
from portal.messages import Message, authority_users_of, leads_of
from portal.models import User
from portal.permissions import require
from portal.services import audit_record
from portal.transitions import check_revision, locked_for_edit, transition
from reporting.evaluation.models import (
    CaseSelection,
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    ModeratedScore,
    Scorecard,
)
from reporting.evaluation.permissions import (
    can_moderate,
    can_score,
    can_select_cases,
    can_start_evaluation,
)
from reporting.evaluation.scheme import scheme_problems
from reporting.evaluation.scoring import evaluation_result
from reporting.evaluation.selectors import CASE_REPORT_STATES, evaluable_consortia
from reporting.evaluation.workflows import WORKFLOW, EvaluationAction
from reporting.final.models import TypicalCase

SCORECARD_STALE = gettext_lazy(
    "Your scorecard was saved elsewhere (another tab or device) after you opened it. Nothing "
    "was saved: reload the page and check it first."
)

SCORECARD_SAVED = gettext_lazy("Your scorecard is saved as a draft. It counts once submitted.")
SCORECARD_SUBMITTED = gettext_lazy("Your scorecard is submitted and counts in the average.")
MODERATION_SAVED = gettext_lazy("The final scores and comments are saved.")


def evaluation_url(evaluation: Evaluation) -> str:
    return reverse("evaluation:evaluation-detail", args=[evaluation.pk])


@transaction.atomic
def evaluation_start(*, actor: User, consortium: Consortium) -> Evaluation:
    """Open the evaluation of a consortium with an approved plan, for the reviewers to score."""
    require(can_start_evaluation(actor, consortium))
    if not evaluable_consortia().filter(pk=consortium.pk).exists():
        raise ValidationError(
            _("Only consortia with an approved implementation plan are evaluated."),
            code="not_evaluable",
        )
    if not EvaluationCriterion.objects.filter(program_id=consortium.program_id).exists():
        raise ValidationError(
            _("The program has no scorecard yet. The Ministry administrator sets it up."),
            code="no_scheme",
        )
    if problems := scheme_problems(program=consortium.program):
        raise ValidationError(problems, code="bad_scheme")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(consortium=consortium, created_by=actor)
    except IntegrityError as exc:
        raise ValidationError(
            _("This consortium's evaluation has already been started."), code="exists"
        ) from exc
    audit_record(
        actor=actor,
        action="evaluation.start",
        target=evaluation,
        to_state=evaluation.state,
        data={"consortium": consortium.pk},
    )
    return evaluation


def _field_error(field: str, message, code: str) -> ValidationError:
    """A field's error that keeps its code (a dict of plain messages would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _decimal(value, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise _field_error(field, _("Enter a number."), "invalid") from exc
    if not number.is_finite():
        raise _field_error(field, _("Enter a number."), "invalid")
    return number.quantize(Decimal("0.1"))


def _check_score(criterion: EvaluationCriterion, value, *, field: str) -> Decimal:
    score = _decimal(value, field=field)
    if score < 0 or score > criterion.max_score:
        raise _field_error(
            field,
            _("“%(criterion)s” is scored from 0 to %(max)s.")
            % {"criterion": criterion.name, "max": criterion.max_score},
            "out_of_range",
        )
    return score


def _criteria(evaluation: Evaluation) -> dict[str, EvaluationCriterion]:
    return {
        c.code: c
        for c in EvaluationCriterion.objects.filter(program_id=evaluation.consortium.program_id)
    }


def _unknown(code) -> ValidationError:
    return _field_error(
        "criterion", _("Unknown criterion “%(code)s”.") % {"code": code}, "unknown_criterion"
    )


@transaction.atomic
def scorecard_save(
    *,
    actor: User,
    evaluation: Evaluation,
    scores: list[dict],
    revision: int | None = None,
    submit: bool = False,
) -> Scorecard:
    """Save the actor's own scorecard (``scores``: ``{criterion: code, score, comment}``; an
    empty score leaves the criterion unscored). ``submit``: every criterion must be scored and the
    scorecard counts in the average; saving without ``submit`` keeps (or makes) it a draft.
    ``revision`` is the scorecard's revision the reviewer started from (None: a new scorecard)."""
    evaluation = locked_for_edit(
        WORKFLOW, evaluation, actor=actor, permission=lambda locked: can_score(actor, locked)
    )
    criteria = _criteria(evaluation)
    card, created = Scorecard.objects.select_for_update().get_or_create(
        evaluation=evaluation, reviewer=actor
    )
    if not created:
        check_revision(card, revision, message=SCORECARD_STALE)
    values: dict[str, tuple[Decimal | None, str]] = {}
    for item in scores:
        code = item.get("criterion")
        if code not in criteria:
            raise _unknown(code)
        raw = item.get("score")
        comment = (item.get("comment") or "").strip()
        score = (
            None
            if raw is None or str(raw).strip() == ""
            else _check_score(criteria[code], raw, field=f"score_{code}")
        )
        values[code] = (score, comment)
    existing = {s.criterion_id: s for s in card.scores.all()}
    for code, (score, comment) in values.items():
        criterion = criteria[code]
        row = existing.get(criterion.pk)
        if score is None:
            if row is not None:
                row.delete()
                existing.pop(criterion.pk)
            continue
        if row is None:
            existing[criterion.pk] = CriterionScore.objects.create(
                scorecard=card, criterion=criterion, score=score, comment=comment
            )
        else:
            row.score, row.comment = score, comment
            row.save(update_fields=["score", "comment"])
    if submit:
        missing = [c.name for c in criteria.values() if c.pk not in existing]
        if missing:
            raise ValidationError(
                _("Score every criterion before submitting. Not scored: %(names)s.")
                % {"names": "、".join(missing)},
                code="unscored",
            )
    card.submitted_at = timezone.now() if submit else None
    card.revision += 1
    card.save(update_fields=["submitted_at", "revision", "updated_at"])
    audit_record(
        actor=actor,
        action="evaluation.score_submit" if submit else "evaluation.score_save",
        target=evaluation,
        data={
            "scorecard": card.pk,
            "scores": {
                code: str(existing[c.pk].score) for code, c in criteria.items() if c.pk in existing
            },
        },
    )
    return card


@transaction.atomic
def moderation_save(
    *,
    actor: User,
    evaluation: Evaluation,
    revision: int | None,
    finals: list[dict],
    conclusion: str | None = None,
) -> Evaluation:
    """The moderator's final word per criterion (``finals``: ``{criterion: code, score, reason,
    comment}``; an empty score keeps the reviewers' average; a score needs its reason) and the
    overall comment the consortium reads."""
    evaluation = locked_for_edit(
        WORKFLOW,
        evaluation,
        actor=actor,
        permission=lambda locked: can_moderate(actor, locked),
        revision=revision,
    )
    criteria = _criteria(evaluation)
    changes = {}
    for item in finals:
        code = item.get("criterion")
        if code not in criteria:
            raise _unknown(code)
        criterion = criteria[code]
        raw = item.get("score")
        score = (
            None
            if raw is None or str(raw).strip() == ""
            else _check_score(criterion, raw, field=f"final_{code}")
        )
        reason = (item.get("reason") or "").strip()
        if score is not None and not reason:
            raise _field_error(
                f"reason_{code}",
                _("Give the reason for the final score of “%(criterion)s”.")
                % {"criterion": criterion.name},
                "reason_required",
            )
        ModeratedScore.objects.update_or_create(
            evaluation=evaluation,
            criterion=criterion,
            defaults={
                "score": score,
                "reason": reason if score is not None else "",
                "comment": (item.get("comment") or "").strip(),
            },
        )
        changes[code] = {"score": None if score is None else str(score), "reason": reason}
    if conclusion is not None:
        evaluation.conclusion = conclusion.strip()
    evaluation.revision += 1
    evaluation.save(update_fields=["conclusion", "revision"])
    audit_record(
        actor=actor,
        action="evaluation.moderation_edit",
        target=evaluation,
        data={"finals": changes},
    )
    return evaluation


def _summary(evaluation: Evaluation) -> dict:
    result = evaluation_result(evaluation)
    return {
        "total": None if result.total is None else str(result.total),
        "grade": result.grade.code if result.grade else "",
        "finals": {
            r.criterion.code: None if r.final is None else str(r.final) for r in result.criteria
        },
    }


def _message(evaluation: Evaluation, kind: str, subject) -> Message:
    return Message(
        kind=kind,
        subject=subject,
        params=lambda: {"name": evaluation.consortium.name},
        url=evaluation_url(evaluation),
    )


def evaluation_moderate(
    *, actor: User, evaluation: Evaluation, revision: int | None = None, comment: str = ""
) -> Evaluation:
    """Close the scoring; the actor becomes the moderator. Needs a submitted scorecard."""
    with transition(
        WORKFLOW,
        evaluation,
        action=EvaluationAction.MODERATE,
        actor=actor,
        revision=revision,
        comment=comment,
    ) as step:
        evaluation = step.obj
        if not evaluation.scorecards.filter(submitted_at__isnull=False).exists():
            raise ValidationError(_("No reviewer has submitted a scorecard yet."), code="no_scores")
        evaluation.moderator = actor
        evaluation.revision += 1
        step.data = {
            "reviewers": list(
                evaluation.scorecards.filter(submitted_at__isnull=False).values_list(
                    "reviewer_id", flat=True
                )
            )
        }
    return evaluation


def evaluation_reopen(
    *, actor: User, evaluation: Evaluation, revision: int | None = None, comment: str = ""
) -> Evaluation:
    """Back one step: from moderation to the reviewers, or from finalised to moderation."""
    with transition(
        WORKFLOW,
        evaluation,
        action=EvaluationAction.REOPEN,
        actor=actor,
        revision=revision,
        comment=comment,
    ) as step:
        if not (comment or "").strip():
            raise _field_error("comment", _("Say why the evaluation is reopened."), "required")
        evaluation = step.obj
        evaluation.finalised_at = None
        evaluation.revision += 1
        reviewers = User.objects.filter(
            pk__in=evaluation.scorecards.values("reviewer_id"), is_active=True
        ).exclude(pk=actor.pk)
        step.notify(
            _message(
                evaluation,
                "evaluation.reopen",
                gettext_lazy("The evaluation of “%(name)s” was reopened"),
            ),
            list(reviewers),
        )
    return evaluation


def evaluation_finalise(
    *, actor: User, evaluation: Evaluation, revision: int | None = None, comment: str = ""
) -> Evaluation:
    """Fix the scores: every criterion needs a final score (the average or the moderator's)."""
    with transition(
        WORKFLOW,
        evaluation,
        action=EvaluationAction.FINALISE,
        actor=actor,
        revision=revision,
        comment=comment,
    ) as step:
        evaluation = step.obj
        summary = _summary(evaluation)
        if summary["total"] is None:
            raise ValidationError(
                _("Every criterion needs a final score before the evaluation is finalised."),
                code="incomplete",
            )
        evaluation.finalised_at = timezone.now()
        evaluation.revision += 1
        step.data = summary
    return evaluation


def evaluation_publish(
    *, actor: User, evaluation: Evaluation, revision: int | None = None, comment: str = ""
) -> Evaluation:
    """Show the final scores, comments and grade to the consortium and its province."""
    with transition(
        WORKFLOW,
        evaluation,
        action=EvaluationAction.PUBLISH,
        actor=actor,
        revision=revision,
        comment=comment,
    ) as step:
        evaluation = step.obj
        evaluation.published_at = timezone.now()
        evaluation.revision += 1
        step.data = _summary(evaluation)
        consortium = evaluation.consortium
        step.notify(
            _message(
                evaluation,
                "evaluation.publish",
                gettext_lazy("The Ministry published the evaluation of “%(name)s”"),
            ),
            leads_of(consortium) + authority_users_of(consortium),
        )
    return evaluation


CASE_REASON_MAX_CHARS = 500


@transaction.atomic
def case_select(
    *, actor: User, evaluation: Evaluation, case_id, selected: bool, reason: str = ""
) -> CaseSelection | None:
    """Select a typical case of the consortium for promotion (with why), or drop it. Ministry
    staff, until the evaluation is published; audited on the evaluation. Selecting a case that
    is already selected updates the reason; dropping one that is not selected does nothing."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    require(can_select_cases(actor, evaluation))
    reason = (reason or "").strip()
    if len(reason) > CASE_REASON_MAX_CHARS:
        raise _field_error(
            "reason",
            _("At most %(limit)d characters.") % {"limit": CASE_REASON_MAX_CHARS},
            "too_long",
        )
    try:
        case = TypicalCase.objects.get(
            public_id=case_id,
            consortium=evaluation.consortium,
            report__state__in=CASE_REPORT_STATES,
        )
    except (TypicalCase.DoesNotExist, ValueError, ValidationError) as exc:
        raise ValidationError(
            _("The consortium has no such typical case in a confirmed final summary."),
            code="unknown_case",
        ) from exc
    existing = CaseSelection.objects.filter(case=case).first()
    data = {"case": str(case.public_id), "title": case.title}
    if not selected:
        if existing is not None:
            existing.delete()
            audit_record(
                actor=actor, action="evaluation.case_unselect", target=evaluation, data=data
            )
        return None
    if existing is None:
        existing = CaseSelection.objects.create(
            evaluation=evaluation, case=case, reason=reason, selected_by=actor
        )
    elif existing.reason != reason:
        existing.reason = reason
        existing.save(update_fields=["reason"])
    audit_record(
        actor=actor,
        action="evaluation.case_select",
        target=evaluation,
        comment=reason,
        data=data,
    )
    return existing
