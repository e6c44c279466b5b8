"""Test settings: the database and broker come from DATABASE_URL / REDIS_URL like everywhere else.

Tasks run eagerly by default so that a service's on_commit dispatch completes inside the test;
tests marked ``worker`` switch that off and run against a real Celery worker on Redis.
"""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, CELERY_TASK_DEFAULT_QUEUE, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-" + "y" * 40
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))

# Parallel tests (pytest-xdist): each worker gw0, gw1, … has its own test database, and so its
# own media folder, cache keys and Celery queue; a Celery worker started for it inherits the name.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    MEDIA_ROOT = os.path.join(MEDIA_ROOT, XDIST_WORKER)
    CACHES["default"]["KEY_PREFIX"] = XDIST_WORKER
    if not CELERY_TASK_DEFAULT_QUEUE.endswith(f"-{XDIST_WORKER}"):
        CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-{XDIST_WORKER}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PORTAL_ENVIRONMENT = "test"
# The upload checks run in the test process (a child costs ~0.4 s, and hundreds of fixtures
# upload a scan); tests/test_security_uploads.py runs them in the child, as production does.
UPLOAD_CHECK_IN_SUBPROCESS = False
# Enforced as in production; the root conftest.py marks logins verified in tests not about 2FA.
OTP_REQUIRED = True

# Serve static files straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
