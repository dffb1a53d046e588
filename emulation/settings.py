"""Settings for the emulation-scoring app.

One module, driven by environment variables. With nothing set it runs on embedded defaults that
need no service: SQLite in the project folder, Celery tasks run in-process, a local-memory cache,
DEBUG on and a generated development secret. Production is switched on by variables
(see `.env.example`), never by a separate file.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name?sslmode=…` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            # A connection dropped by a database restart is noticed and replaced.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) or ":memory:",
            "OPTIONS": SQLITE_OPTIONS,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite://, not {parsed.scheme or url!r}"
    )


DEBUG = env_bool("DEBUG", True)

# Placeholders a key must not be, or contain: the value in .env.example and its kin.
PLACEHOLDER_SECRETS = (
    "change-me",
    "changeme",
    "change_me",
    "secret-key",
    "secretkey",
    "not-secret",
)


def weak_secret_key(key: str) -> str | None:
    """Why a key is unfit for production, or None: Django's own bar (`check --deploy`, W009) — at
    least 50 characters, at least 5 different ones, not one Django generated for development — and
    no placeholder."""
    lowered = key.lower()
    if len(key) < 50:
        return f"it has {len(key)} characters, fewer than 50"
    if len(set(key)) < 5:
        return "it has fewer than 5 different characters"
    if lowered.startswith("django-insecure-"):
        return "it is a development key (django-insecure-…)"
    if any(word in lowered for word in PLACEHOLDER_SECRETS):
        return "it is a placeholder (as in .env.example)"
    return None


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    # A fresh development secret per process: sessions do not survive a restart, which is fine
    # for local use and keeps any real secret out of the repository.
    SECRET_KEY = "dev-" + secrets.token_urlsafe(40)
elif not DEBUG and (weakness := weak_secret_key(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is unfit for production: {weakness}. Draw one with "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"` (see .env.example).'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set when DEBUG is off (see .env.example)."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "clusters",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emulation.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login but the login page itself (and static files, served before).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A NUL in any field is a 400, never a database error (PostgreSQL refuses it in text).
    "emulation.middleware.RefuseNulMiddleware",
    # Last: turns a login refused for too many failures into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emulation.urls"
WSGI_APPLICATION = "emulation.wsgi.application"
ASGI_APPLICATION = "emulation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
# SQLite, embedded or named by DATABASE_URL: parallel writers (8 votes at once) queue instead of
# failing with "database is locked": each transaction takes the write lock when it begins (with
# the default deferred ones, two that read then write deadlock and one fails at once), and waits
# up to 20 s for it.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
REDIS_URL = env_str("REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")

if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft: with Redis down or hanging, pages are served uncached (emulation/cache.py).
            "BACKEND": "emulation.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "thidua",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker every task runs in-process, right away: the background is always optional.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    # Never used for sending; keeps kombu from dialling a broker (and, with a host named, from
    # warning at start-up that it "reverts to localhost").
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
# A worker keeps its database connection between tasks like the web server between requests
# (CONN_MAX_AGE, health checks: emulation/celery.py) instead of Celery's close after every task.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    # A broker that hangs must not hang a member's save: queueing gives up after seconds, the
    # year stays dirty and the sweep scores it (scoring/services/years.py).
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A recompute of many years goes to its own queue, so that dedicated workers (on this machine or
# others: `celery -A emulation worker -Q recompute-bulk`) can share it without delaying the
# recompute a member's save asks for; `make worker` consumes both queues.
RECOMPUTE_BULK_QUEUE = env_str("RECOMPUTE_BULK_QUEUE", "recompute-bulk")
CELERY_TASK_ROUTES = {"scoring.tasks.recompute_chunk": {"queue": RECOMPUTE_BULK_QUEUE}}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE = {
    # Picks up years whose inputs changed while the broker was down.
    "recompute-dirty-years": {
        "task": "scoring.tasks.recompute_dirty_years",
        "schedule": float(env_int("RECOMPUTE_SWEEP_SECONDS", 60)),
    },
    # Sends what waits in the e-mail outbox when the task queued at commit was lost (broker down).
    "send-notifications": {
        "task": "scoring.tasks.send_notifications",
        "schedule": float(env_int("NOTIFICATION_SWEEP_SECONDS", 300)),
    },
    # Messages that fall due with the calendar (deadlines, lateness, signatures, full ballots).
    "notify-due": {
        "task": "scoring.tasks.notify_due",
        "schedule": float(env_int("NOTIFICATION_SWEEP_SECONDS", 300)),
    },
}

# --- auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, which reads the scope generation with the session's user: a revoked
    # role grant holds at the next request in every process (clusters/permissions.py).
    "clusters.permissions.ScopeGenerationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: evidence files go through a permission-checked view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Request bodies are bounded while they are read (emulation/uploads.py): each file by the limit
# of the page that takes it, stopping the request there; form fields by DATA_UPLOAD_MAX_MEMORY_SIZE
# (a 400 page). Files over FILE_UPLOAD_MAX_MEMORY_SIZE wait in a temporary file, not in memory.
FILE_UPLOAD_HANDLERS = [
    "emulation.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# The targets grid posts two fields a cell (the value and what the page showed): 30 members ×
# 40 criteria is 2,400 fields, past Django's default of 1,000. The body's size stays bounded above.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- security ------------------------------------------------------------------------------------
# Sessions read from the cache, written through to the database: one query less a request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after this many seconds (default 8 hours, one working day) or when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer's health check may speak plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling (django-axes, emulation/throttling.py): LOGIN_FAILURE_LIMIT failed logins for
# one user name from one address lock that pair — that user from that address, no one else —, and
# LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the user names, lock the
# address, for LOGIN_LOCKOUT_MINUTES after the failure that reached the limit. So five colleagues
# behind one office router who each mistype once lock no one, while guessing many passwords of
# one account, or many accounts, from one address gets no further than the limits. Attempts made
# while locked are not counted: a right password typed then is no failure and does not prolong
# the lock. The lockout page says until when (HTTP 429). The counts live in the database (axes'
# tables); the secretariat lifts the locks of its cluster's users, the admin anyone's.
AXES_ENABLED = True
AXES_VERBOSE = False  # no start-up banner in every command's output
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# The pair first, then the address: the order PairAndAddressHandler reads the counts in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "emulation.throttling.PairAndAddressHandler"
AXES_LOCKOUT_CALLABLE = "emulation.throttling.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Not reset on success: axes would then forget every failure from the address too — including
# the failures against *other* accounts — so anyone with an account of their own could guess
# another account's password without end by logging in to their own between guesses. Failures
# are forgotten LOGIN_LOCKOUT_MINUTES after the last one instead.
AXES_RESET_ON_SUCCESS = False
# Behind TRUSTED_PROXY_COUNT reverse proxies the client is the address the outermost of them saw:
# that many entries from the right of X-Forwarded-For (anything further left the client wrote
# itself). Without proxies it is REMOTE_ADDR. Behind a proxy, leaving this at 0 would make every
# user share the proxy's address, and a few failures would lock everyone out.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)


def client_ip(request) -> str | None:
    """The address login throttling counts failures for (AXES_CLIENT_IP_CALLABLE)."""
    from django.conf import settings  # cycle: this module is what configures it

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = client_ip

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per task is noise when tasks run in-process (the embedded default).
        "celery.app.trace": {"level": env_str("CELERY_TRACE_LOG_LEVEL", "WARNING")},
        # An untrusted certificate chain is a result shown next to the file, not a warning with
        # a traceback (pyHanko logs one for every chain it cannot build).
        "pyhanko": {"level": "ERROR"},
        # WeasyPrint narrates every step of every rendering at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- e-mail (reminders, notifications, invitations) ---------------------------------------------
# Console by default; SMTP when EMAIL_HOST is set; EMAIL_BACKEND names any other backend (a test's
# worker writes files: django.core.mail.backends.filebased.EmailBackend with EMAIL_FILE_PATH).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # Without a mail server, messages are printed to the console (the embedded default).
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env_str("EMAIL_BACKEND"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "thidua@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# The address links in e-mails start with (the set-password link of an invitation, the page of
# an event).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# How long an invitation's set-password link works (Django's reset token), in seconds.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 7 * 24 * 60 * 60)

# --- this app -----------------------------------------------------------------------------------
# Upload limits per purpose (emulation/uploads.py); the reverse proxy's body limit must be above
# the largest (docs/operations.md).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)  # evidence, scans
INPUT_FILE_MAX_BYTES = env_int("INPUT_FILE_MAX_BYTES", 2 * 1024 * 1024)  # targets CSV/XLSX
SCHEME_FILE_MAX_BYTES = 1024 * 1024  # a scheme file; the reader refuses over 1,000,000 bytes
# A Word template of a document kind (docs/documents.md): the shipped ones weigh about 10 KB.
DOCUMENT_TEMPLATE_MAX_BYTES = env_int("DOCUMENT_TEMPLATE_MAX_BYTES", 2 * 1024 * 1024)
# Processes that share the rendering of a large batch of documents (a conference pack); 1: none
# forked (scoring/documents/render.py, docs/performance.md).
DOCUMENT_RENDER_PROCESSES = env_int("DOCUMENT_RENDER_PROCESSES", 2)
# An award dossiers' package for the national e-dossier system (scoring/dossiers/services/
# package.py): at most this many dossiers and bytes of files, checked before it is written.
DOSSIER_PACKAGE_MAX_DOSSIERS = env_int("DOSSIER_PACKAGE_MAX_DOSSIERS", 200)
DOSSIER_PACKAGE_MAX_BYTES = env_int("DOSSIER_PACKAGE_MAX_BYTES", 200 * 1024 * 1024)

# Digital signatures (scoring/documents/signing.py, docs/operations.md "Digital signatures").
# The certificates a signature's chain must end at, as PEM files (comma-separated paths): the
# national root CA and the specialised government CA the cluster's signers hold certificates
# from. None configured: no signature can be called trusted, and pages say so.
SIGNATURE_TRUST_ROOTS = env_list("SIGNATURE_TRUST_ROOTS")
# A signed PDF is refused past this size before it is parsed (signing and verifying alike).
SIGNATURE_PDF_MAX_BYTES = env_int("SIGNATURE_PDF_MAX_BYTES", 10 * 1024 * 1024)
# Signing with a key held on a PKCS#11 token or HSM instead of an uploaded PKCS#12 file: the
# module (a .so path), the token's label, the key's label (and the certificate's, if it differs),
# the user PIN. Needs the python-pkcs11 package (not a default dependency).
SIGNATURE_PKCS11_MODULE = env_str("SIGNATURE_PKCS11_MODULE")
SIGNATURE_PKCS11_TOKEN_LABEL = env_str("SIGNATURE_PKCS11_TOKEN_LABEL")
SIGNATURE_PKCS11_KEY_LABEL = env_str("SIGNATURE_PKCS11_KEY_LABEL")
SIGNATURE_PKCS11_CERT_LABEL = env_str("SIGNATURE_PKCS11_CERT_LABEL")
SIGNATURE_PKCS11_PIN = env_str("SIGNATURE_PKCS11_PIN")

if env_bool("TESTING", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files straight from the app's folders: a fresh clone has run no collectstatic.
    WHITENOISE_USE_FINDERS = True
