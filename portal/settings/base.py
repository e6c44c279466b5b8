"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
PORTAL_ENVIRONMENT = "base"
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies in front of the portal add to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    # Django's admin on a site that also asks for the second factor (portal/otp.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "django_celery_beat",
    # Two factors (TOTP) and single-use recovery codes for administrators and Ministry staff.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "tasks_catalog",
    "consortia",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy (portal/headers.py).
    "csp.middleware.CSPMiddleware",
    "portal.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The request being served, for the audit log's address and user agent.
    "portal.requestlocal.RequestLocalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed its second factor.
    "portal.otp.PortalOTPMiddleware",
    # Every 403 and every download goes in the audit log (portal/security_audit.py).
    "portal.security_audit.SecurityAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts (portal/passwords.py).
    "portal.passwords.SessionTimeoutMiddleware",
    # Roles that need two factors reach nothing but login, verify and enrol until verified.
    "portal.otp.TwoFactorMiddleware",
    # A password that must change first (initial, reset or too old: portal/passwords.py).
    "portal.passwords.PasswordPolicyMiddleware",
    # A NUL character in the address or a form: 400 before any view (portal/inputs.py).
    "portal.inputs.OddInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a login refused for lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# reporting/ is one Django app (one app label, one migration history) split into sub-packages
# by sub-domain: periods & progress reports, the "1+4+N" registry, insights (README, design).
REPORTING_SUBPACKAGES = ("periods", "registry", "insights", "final", "evaluation", "closing")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The reporting app's sub-packages keep their own templates (reporting/periods/templates …).
        "DIRS": [
            BASE_DIR / "templates",
            *(BASE_DIR / "reporting" / sub / "templates" for sub in REPORTING_SUBPACKAGES),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- What the browser may do with a portal page (portal/headers.py) ------------------------------
# No inline script or style anywhere: every script and style sheet is a file under static/ (the
# API docs load Swagger UI's init script from its own URL: SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page of the portal uses: denied to every origin (Permissions-Policy).
PERMISSIONS_POLICY = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Database: DATABASE_URL, default a SQLite file under var/ -------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout keep the dev server and an eager Celery task from locking each other out.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses every login of a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the user's organisation read with the user (portal/backends.py).
    "portal.backends.PortalModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# GB/T 22239-2019 8.1.4.1 (identification): complexity, history, forced and periodic change.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=10)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
# Privileged roles (portal.passwords.PRIVILEGED_ROLES) change their password this often.
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Also records every new password (history, date, who set it; ends the API tokens).
    {"NAME": "portal.passwords.PasswordHistoryValidator"},
]
# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE
# seconds after the login whatever happens (portal.passwords.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Django's database sessions, read with a prepared query (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"

# Brute force (django-axes): FAILURE_LIMIT wrong passwords for one account, or from one address,
# lock that account or address out for the cool-off time, on every login (pages, admin, API).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "portal.lockouts.axes_username"  # cut to 150 characters
AXES_RESET_ON_SUCCESS = False  # one's own good login must not clear an address's failures
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "portal.requestlocal.client_address"  # the same as the audit log's
AXES_LOCKOUT_CALLABLE = "portal.lockouts.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Never written in clear into the attempt records (the password never is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp"]

# API tokens (portal.tokens): a new one at each login, kept as a hash, ending after the TTL.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=8)
API_TOKEN_MAX_PER_USER = env.int("API_TOKEN_MAX_PER_USER", default=5)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
# Two factors (MLPS 2.0 level 3): these roles verify a TOTP code or a recovery code after
# their password, on every page, the admin site and session API calls (portal/otp.py).
# Production always enforces it; local settings leave it off unless OTP_REQUIRED=1.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_REQUIRED_ROLES = ["ministry_admin", "ministry_staff", "security_admin", "audit_admin"]
OTP_MAX_FAILED_ATTEMPTS = 5  # wrong codes in one session before it is logged out
OTP_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "MIIT Pilot Portal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: nothing is visible without logging in

# --- Languages: Chinese first ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
# Uploaded and generated files are read and written through Django's storage API only, never by
# a MEDIA_ROOT path, so that several web nodes can share them: local disk (MEDIA_ROOT) by
# default, any S3-compatible object store (AWS S3, MinIO, Ceph …) with STORAGE_BACKEND=s3, which
# needs the optional extra: pip install -e ".[s3]" (README, "Shared file storage").
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "filesystem":
    MEDIA_STORAGE: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),  # required
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # e.g. http://minio:9000
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            # Without keys, boto3 finds its own (instance role, ~/.aws, AWS_* of the environment).
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default=""),  # a key prefix inside the bucket
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),  # MinIO: "path"
            "signature_version": "s3v4",
            "verify": env("AWS_S3_CA_BUNDLE", default=None),  # a CA file for a private endpoint
            # Like the local disk: a taken name gets a new one, nothing is overwritten; files
            # stay private (the bucket's own policy) and are only ever sent by the portal.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}."
    )
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Every upload is checked whole (portal/filecheck) in a child process with these bounds; a file
# beyond any of them is refused with a message that names the bound (issue 13).
UPLOAD_MAX_PAGES = min(env.int("UPLOAD_MAX_PAGES", default=500), 32_767)  # smallint columns
UPLOAD_MAX_PDF_OBJECTS = env.int("UPLOAD_MAX_PDF_OBJECTS", default=100_000)
UPLOAD_MAX_INFLATED_BYTES = env.int("UPLOAD_MAX_INFLATED_BYTES", default=256 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)
UPLOAD_MAX_ARCHIVE_MEMBERS = env.int("UPLOAD_MAX_ARCHIVE_MEMBERS", default=2_000)
UPLOAD_MAX_COMPRESSION_RATIO = env.int("UPLOAD_MAX_COMPRESSION_RATIO", default=200)
UPLOAD_CHECK_SECONDS = env.int("UPLOAD_CHECK_SECONDS", default=10)  # CPU and wall clock
UPLOAD_CHECK_MEMORY_BYTES = env.int("UPLOAD_CHECK_MEMORY_BYTES", default=1024 * 1024 * 1024)
UPLOAD_CHECK_IN_SUBPROCESS = env.bool("UPLOAD_CHECK_IN_SUBPROCESS", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security audit (MLPS 2.0 level 3: keep at least six months) ------------------------------
# Entries older than this many days may be moved to the archive (``manage.py audit_archive``);
# fewer than 180 is refused at startup (portal/audit_archive.py).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
AUDIT_ARCHIVE_DIR = env.path("AUDIT_ARCHIVE_DIR", default=str(VAR_DIR / "audit-archive"))

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MIIT pilot portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery: REDIS_URL present -> Redis broker; absent -> in-memory, tasks run eagerly ------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's database scheduler, which also stamps beat's heartbeat (portal/beat.py).
CELERY_BEAT_SCHEDULER = "portal.beat:PortalScheduler"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"

# --- Fault tolerance (README, "Faults"): the web never waits on Redis, jobs never stay stuck ------
# The sweeper (portal.tasks.jobs_sweep_task, beat) runs every JOB_SWEEP_SECONDS: it dispatches again
# jobs and e-mails left waiting longer than JOB_GRACE_SECONDS (their message was lost, or never sent
# because Redis was down) and takes back running jobs whose lease expired (their worker is gone).
# A worker renews its job's lease every third of JOB_LEASE_SECONDS while it works.
JOB_SWEEP_SECONDS = env.float("JOB_SWEEP_SECONDS", default=60)
JOB_GRACE_SECONDS = env.float("JOB_GRACE_SECONDS", default=60)
JOB_LEASE_SECONDS = env.float("JOB_LEASE_SECONDS", default=90)
# How often a job is started before the sweeper gives up on it (failed, with a retry offered).
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# A message taken by a worker that vanished goes back to the queue after this long: longer than
# the longest job (a national summary PDF or a large export take minutes), far below Redis's
# default hour. Jobs do not wait for it: the sweeper takes them back when their lease expires.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
# Redis unreachable: fail in about a second, never 20 retries; the caller logs and moves on.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=1.0)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5.0)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # the worker waits for Redis at start
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
}
CELERY_RESULT_BACKEND_ALWAYS_RETRY = False
CELERY_RESULT_EXPIRES = 3600
# The beat schedule lives in the database (editable in the admin); the sweeper's period is this
# setting, written into the database when beat starts.
CELERY_BEAT_SCHEDULE = {
    "Sweep jobs and e-mails": {
        "task": "portal.tasks.jobs_sweep_task",
        "schedule": JOB_SWEEP_SECONDS,
        "options": {"expire_seconds": int(JOB_SWEEP_SECONDS)},  # no backlog of sweeps
    }
}
# /readyz: the worker's and beat's heartbeats are older than this → not ready.
HEARTBEAT_MAX_AGE_SECONDS = env.float("HEARTBEAT_MAX_AGE_SECONDS", default=3 * JOB_SWEEP_SECONDS)
# /readyz: less free space than this on MEDIA_ROOT's disk → not ready.
READYZ_MIN_FREE_BYTES = env.int("READYZ_MIN_FREE_BYTES", default=1024**3)

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Redis down: a miss within a second (portal.caching), not a hung request.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_CONNECT_TIMEOUT,
                "retry": Retry(NoBackoff(), 0),  # redis-py retries 3 times by default
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with a WWW-Authenticate header.
        "portal.api.authentication.ApiTokenAuthentication",
        # A session of a 2FA role counts once verified (portal/otp.py).
        "portal.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.PortalFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MIIT Industrial Data Pilot Portal API",
    "DESCRIPTION": (
        "Programs, reference tasks, organisations, consortia, implementation plans and "
        "quarterly reporting. Authenticate with a session or with `Authorization: Token <key>`; "
        "send `Accept-Language: en` or `zh-hans` for messages in that language."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a "state" or "status": give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "PlanStateEnum": "consortia.workflows.PlanState",
        "AmendmentStateEnum": "consortia.workflows.AmendmentState",
        "ReportStateEnum": "reporting.periods.workflows.ReportState",
        "TaskStatusEnum": "reporting.models.TaskStatus",
        "NotificationStatusEnum": "portal.models.Notification.Status",
        "KeyTechnologyStatusEnum": "reporting.models.KeyTechnology.Status",
        "JobStatusEnum": "reporting.models.JobStatus",
        "RollupRunStatusEnum": "reporting.models.RollupRun.Status",
        "LockoutKindEnum": "portal.lockouts.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
