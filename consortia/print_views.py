"""Print views of a plan: the review sheet (content + every review comment) as PDF."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views import View

from portal.pdf import pdf_response

from .permissions import can_read_plan_draft
from .review_sheet import render_review_sheet
from .selectors import consortium_get_for, plan_version_list


def review_sheet_response(*, user, pk, version_number=None):
    """Whoever may see the plan may print its review sheet (404 for anyone else). It shows the
    latest submitted version, or the draft when there is none: then only to whoever may read the
    draft (``can_read_plan_draft``: not the Ministry)."""
    plan = consortium_get_for(user=user, pk=pk).plan
    if not can_read_plan_draft(user, plan) and not plan.versions.exists():
        raise Http404
    version = None
    if version_number not in (None, ""):
        try:
            version = plan_version_list(plan=plan).get(number=int(version_number))
        except (ValueError, TypeError, plan.versions.model.DoesNotExist) as exc:
            raise Http404 from exc
    pdf = render_review_sheet(plan, version)
    suffix = f"-v{version.number}" if version else ""
    return pdf_response(pdf, f"评审单-{plan.consortium.name}{suffix}.pdf")


class ReviewSheetView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return review_sheet_response(
            user=request.user, pk=pk, version_number=request.GET.get("version")
        )
