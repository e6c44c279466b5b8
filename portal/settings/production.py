"""Production: every secret from the environment, HTTPS only. `manage.py check --deploy` is clean."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
# localhost stays allowed for the container health check.
ALLOWED_HOSTS = [*env.list("ALLOWED_HOSTS"), "localhost"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
PORTAL_ENVIRONMENT = "production"
# Two factors for administrators and Ministry staff, whatever the environment says.
OTP_REQUIRED = True
# Uploads are checked in a bounded child process, whatever the environment says (portal/filecheck).
UPLOAD_CHECK_IN_SUBPROCESS = True

# Keep database connections open between requests (each new one costs a few milliseconds).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
