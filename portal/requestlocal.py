"""The request being served, for code far from the view (the audit log's address and agent).

``RequestLocalMiddleware`` sets it for the duration of one request; jobs and commands have none.
A context variable, so threads and async tasks each see their own.
"""

from contextvars import ContextVar

from django.conf import settings

_current = ContextVar("portal_current_request", default=None)

USER_AGENT_MAX = 300


def current_request():
    return _current.get()


def request_memo(key, compute):
    """``compute()``, once per request under ``key``: the next call in the same request gets the
    same answer without asking again. Outside a request (jobs, commands) it computes every time.

    For reads that several parts of one page make alike (a home page's inbox and panels both
    read the active programs and the authority's quotas), never for something the same request
    may change before it asks again."""
    request = current_request()
    if request is None:
        return compute()
    memo = request.__dict__.setdefault("_portal_request_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def client_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the last address a trusted proxy added to
    ``X-Forwarded-For`` (``TRUSTED_PROXY_COUNT`` proxies in front, 0 by default)."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


class RequestLocalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
