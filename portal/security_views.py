"""The security administrator's pages (``/security/``): lockouts and API tokens.

The same services and permission helper as the API (``portal.api.security``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from .lockouts import cooloff_minutes, lockout_clear, lockout_list
from .permissions import can_manage_security
from .tokens import Revoked, token_active_list, token_revoke
from .views import PermissionMixin


class SecurityMixin(PermissionMixin):
    permission = staticmethod(can_manage_security)


class SecurityHomeView(SecurityMixin, TemplateView):
    template_name = "security/home.html"

    def get_context_data(self, **kwargs):
        lockouts = lockout_list()
        return super().get_context_data(
            locked_count=sum(lockout.locked for lockout in lockouts),
            token_count=token_active_list().count(),
            **kwargs,
        )


class LockoutListView(SecurityMixin, TemplateView):
    template_name = "security/lockout_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            lockouts=lockout_list(), minutes=cooloff_minutes(), **kwargs
        )


class LockoutClearView(SecurityMixin, View):
    def post(self, request):
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "").strip()
        try:
            count = lockout_clear(kind=kind, value=value, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("security:lockout-list")
        if count:
            messages.success(request, _("Unlocked: %(value)s.") % {"value": value})
        else:
            messages.info(request, _("There are no failed logins to clear for this."))
        return redirect("security:lockout-list")


class TokenListView(SecurityMixin, ListView):
    template_name = "security/token_list.html"
    context_object_name = "tokens"
    paginate_by = 50

    def get_queryset(self):
        tokens = token_active_list()
        username = self.request.GET.get("username", "").strip()
        if username:
            tokens = tokens.filter(user__username=username)
        return tokens

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            username=self.request.GET.get("username", "").strip(), **kwargs
        )


class TokenRevokeView(SecurityMixin, View):
    def post(self, request, pk: int):
        token = get_object_or_404(token_active_list(), pk=pk)
        token_revoke(token=token, actor=request.user, reason=Revoked.SECURITY_ADMIN)
        messages.success(
            request,
            _("Token %(prefix)s… of %(user)s revoked.")
            % {"prefix": token.prefix, "user": token.user.username},
        )
        return redirect("security:token-list")
