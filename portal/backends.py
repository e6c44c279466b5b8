"""The authentication backend: Django's ``ModelBackend``, with the user's organisation read with
the user (every page shows it in its header, and most permission checks ask for it): one query
a request fewer. The read is prepared (``portal.prepared``): every request makes it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .prepared import Prepared

_user = Prepared(
    lambda pk: get_user_model()._default_manager.select_related("organisation").filter(pk=pk),
    pk=int,
)


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        """``ModelBackend.get_user``, the organisation selected with the user."""
        try:
            user = _user.first(pk=user_id)
        except (TypeError, ValueError):  # not an id: no user, as the ORM's lookup would end
            return None
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
