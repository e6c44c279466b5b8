"""Local development and the demo: DEBUG on, SQLite and eager Celery unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-secret-" + "x" * 30)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
PORTAL_ENVIRONMENT = "local"
# The demo lets Ministry users in with their password alone; OTP_REQUIRED=1 asks for the code
# (load_demo gives the demo administrators and Ministry staff a device with a published secret).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)

# Serve static files straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
