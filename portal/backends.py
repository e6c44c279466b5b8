"""The authentication backend: Django's ``ModelBackend``, with the user's organisation read with
the user (every page shows it in its header, and most permission checks ask for it): one query
a request fewer."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        """``ModelBackend.get_user``, the organisation selected with the user."""
        users = get_user_model()._default_manager.select_related("organisation")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
