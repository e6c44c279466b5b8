"""The session store: Django's database sessions, the session read prepared (``portal.prepared``)
since every request makes it. Everything else (saving, expiry, ``clearsessions``) is Django's."""

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import Prepared

_session = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=str,
    now=dt.datetime,
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session row if it exists and has not expired; otherwise None, and the key is
        forgotten (a new session gets a new key), as Django's own store does."""
        session = _session.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session
