"""Pages of the portal app: home per role, notifications, liveness and readiness."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView, TemplateView
from django.views.i18n import set_language

from .health import CHECKS, readiness
from .inbox import inbox_for, panels_for
from .permissions import can_sign_in, can_use_portal, can_view_home
from .roles import HOME_AREA, NON_BUSINESS_ROLES
from .selectors import notification_list_for, provincial_authority_list
from .services import user_set_language


def language_switch(request):
    """Django's ``set_language`` (cookie, redirect), which also remembers a signed-in user's
    choice: the portal writes their e-mails and notifications in it."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


class PermissionMixin(LoginRequiredMixin):
    """Refuse the request unless ``permission(user, **url_kwargs)`` allows it.

    The same ``can_*`` functions guard the API, so a page and its endpoint agree.
    """

    permission = staticmethod(can_use_portal)

    def check_permission(self):
        return self.permission(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        decision = self.check_permission()
        if not decision:
            if decision.hide:
                raise Http404
            raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)


class HomeRedirectView(PermissionMixin, View):
    """``/``: send each user to their role's home page."""

    permission = staticmethod(can_sign_in)

    def get(self, request):
        return redirect(f"portal:home-{HOME_AREA[request.user.role]}")


NON_BUSINESS_AREAS = frozenset(HOME_AREA[role] for role in NON_BUSINESS_ROLES)


class HomeView(PermissionMixin, TemplateView):
    area = ""

    def check_permission(self):
        return can_view_home(self.request.user, self.area)

    def get_template_names(self):
        return [f"portal/home_{self.area}.html"]

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        business = self.area not in NON_BUSINESS_AREAS
        context.update(
            area=self.area,
            # The security and audit administrators' homes list their tools only.
            inbox=inbox_for(user) if business else [],
            panels=panels_for(user, self.area) if business else [],
            organisation=user.organisation,
        )
        if self.area == "ministry":
            context["authority_count"] = provincial_authority_list().count()
        return context


class NotificationListView(PermissionMixin, ListView):
    template_name = "portal/notification_list.html"
    paginate_by = 50
    context_object_name = "notifications"

    def get_queryset(self):
        return notification_list_for(user=self.request.user)


def healthz(request):
    """Liveness: the process answers; nothing else is asked (``portal/health.py``)."""
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"status": "ok"})
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    """Readiness with JSON detail: database, Redis, the worker's and beat's heartbeats, the last
    sweep, MEDIA_ROOT's free space; 503 when a check fails. ``?check=worker,beat`` asks only
    those (``portal.health.CHECKS``)."""
    only = [name for name in request.GET.get("check", "").split(",") if name in CHECKS]
    ready, detail = readiness(only=only or None)
    response = JsonResponse(detail, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
