"""Coachroom settings: one module, configured from the environment.

Defaults suit a laptop (SQLite in the data directory, DEBUG off). Setting DATABASE_URL signals
a real deployment, so SECRET_KEY and ALLOWED_HOSTS become required.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(envstr("COACHROOM_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATABASE_URL = envstr("DATABASE_URL")
PRODUCTION = bool(DATABASE_URL)
DEBUG = envbool("COACHROOM_DEBUG", False)


def _secret_key() -> str:
    """Read SECRET_KEY, or on a laptop generate one once into the data directory."""
    key = envstr("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

if PRODUCTION and not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DATABASE_URL is set.")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ninja",  # the reporting API (coachroom.integrations): its docs page's scripts, as static files
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "coachroom.accounts",
    "coachroom.audit",
    "coachroom.library",
    "coachroom.coaching",
    "coachroom.leading",
    "coachroom.scheduling",
    "coachroom.induction",
    "coachroom.video",
    "coachroom.reporting",
    "coachroom.records",
    "coachroom.imports",
    "coachroom.integrations",
    "coachroom.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "coachroom.config.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # allauth's request context, for the Microsoft, Google and OpenID Connect sign-in flows.
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Cache-Control: no-store, private on everything a signed-in person is sent.
    "coachroom.config.security.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coachroom.core.errors.DomainErrorMiddleware",
    # Last, so that it sees failed logins after every other middleware has run.
    "axes.middleware.AxesMiddleware",
]

FORM_RENDERER = "coachroom.core.forms.CoachroomFormRenderer"
ROOT_URLCONF = "coachroom.config.urls"
WSGI_APPLICATION = "coachroom.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coachroom.accounts.context.current_school",
                "coachroom.config.context.layout",
                "coachroom.core.offline.device",
            ],
            "builtins": ["template_partials.templatetags.partials"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]
TEMPLATES[0]["DIRS"] = [PACKAGE_DIR / "templates"]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{DATA_DIR / 'coachroom.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if not PRODUCTION:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the worker and the web server share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Single sign-on (coachroom.integrations.sso, docs/integrations.md). django-allauth runs only
# the OpenID Connect flows: the providers come from each trust's settings in the web UI, never from
# SocialApp rows, and allauth's own sign-up, sign-in pages and emails are not used (its URLs are
# not mounted). Coachroom keeps its sign-in page, passwords, locks and accounts.
SSO_ENCRYPTION_KEY = envstr("SSO_ENCRYPTION_KEY")  # encrypts client secrets; else SECRET_KEY
ACCOUNT_ADAPTER = "coachroom.integrations.sso.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "coachroom.integrations.sso.adapter.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Staff provisioning (coachroom.integrations.provisioning, docs/integrations.md): django-scim2's
# SCIM 2.0 views at /scim/v2/ with Coachroom's adapters. A User is a person's place at the token's
# school; a Group is one of its roles. Each school's bearer tokens are made by its admins.
_SCIM = "coachroom.integrations.provisioning.scim"
SCIM_SERVICE_PROVIDER = {
    "USER_MODEL_GETTER": f"{_SCIM}.config.membership_model",
    "USER_ADAPTER": f"{_SCIM}.people.PersonAdapter",
    "USER_FILTER_PARSER": f"{_SCIM}.filters.PersonFilter",
    "GROUP_MODEL": "coachroom.integrations.provisioning.models.ScimGroup",
    "GROUP_ADAPTER": f"{_SCIM}.groups.GroupAdapter",
    "GROUP_FILTER_PARSER": f"{_SCIM}.filters.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": f"{_SCIM}.config.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": f"{_SCIM}.config.base_location",
    "SCHEMAS_GETTER": f"{_SCIM}.config.supported_schemas",
    "AUTH_CHECK_MIDDLEWARE": f"{_SCIM}.auth.BearerTokenAuth",
    "AUTHENTICATION_SCHEMES": [{"type": "oauthbearertoken", "name": "Bearer token"}],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="Coachroom SCIM"',
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations and resets last three days

# Sessions end after a working day of inactivity, and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 9)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in abuse (coachroom.accounts.throttle). Behind a reverse proxy every connection comes
# from the proxy: TRUSTED_PROXY_COUNT is how many proxies append to X-Forwarded-For, and the
# client's address is read from that header, counting from the right. 0: the connection's own.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Five failures for one account from one address lock that account from that address only, for
# 15 minutes, so nobody elsewhere can lock the staff out; and SIGNIN_ADDRESS_FAILURE_LIMIT
# failures from one address across any accounts (password spraying) lock the whole address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
SIGNIN_ADDRESS_FAILURE_LIMIT = envint("SIGNIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "coachroom.accounts.throttle.SignInHandler"
AXES_CLIENT_IP_CALLABLE = "coachroom.accounts.throttle.client_ip"
# Emails anyone can make Coachroom send, per hour: reset links to one account and from one
# address, and invitations to one person (however many schools invite them).
PASSWORD_RESETS_PER_ACCOUNT_HOUR = envint("PASSWORD_RESETS_PER_ACCOUNT_HOUR", 3)
PASSWORD_RESETS_PER_ADDRESS_HOUR = envint("PASSWORD_RESETS_PER_ADDRESS_HOUR", 10)
INVITATIONS_PER_ACCOUNT_HOUR = envint("INVITATIONS_PER_ACCOUNT_HOUR", 5)
# Requests each API token may make a minute (coachroom.integrations, docs/integrations.md);
# counted in the database, so every server process shares the count.
API_REQUESTS_PER_MINUTE = envint("API_REQUESTS_PER_MINUTE", 120)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j M Y, H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    # Files are served from the package (WHITENOISE_USE_FINDERS); an empty folder here keeps
    # whitenoise from warning at start that it has none. `serve` collects into it in production.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Lesson video (docs/video.md): never under MEDIA_URL, served only through the clip view.
    "clips": {
        "BACKEND": envstr("CLIPS_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(envstr("CLIPS_STORAGE_OPTIONS", "{}"))
        or ({} if envstr("CLIPS_STORAGE") else {"location": str(DATA_DIR / "clips")}),
    },
    "staticfiles": {
        "BACKEND": envstr(
            "STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if envstr("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Coachroom <coachroom@localhost>")

COACHROOM_IMPORT_MAX_BYTES = envint("COACHROOM_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
COACHROOM_IMPORT_MAX_UNZIPPED_BYTES = envint(
    "COACHROOM_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024
)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Security ----------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# Behind HTTPS, set SECURE_SSL_REDIRECT=true: HSTS then defaults to a year, subdomains included.
# SECURE_HSTS_PRELOAD=true only once the domain is submitted to the browsers' preload list.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = envint(
    "SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if SECURE_SSL_REDIRECT else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx sends the token from `hx-headers` on <body>.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Request bodies held in memory: form posts up to 10 MB; uploads (rosters) spill to disk past 20 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)

# Content Security Policy (django-csp 4). Every script and stylesheet is a static file: no inline
# <script>, no style="" attributes (templates/components/chart_*.html use classes), no eval.
# htmx's own indicator <style> is switched off by the htmx-config <meta> in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        # The service worker (/sw.js, from the root) and the web app manifest: our own only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    },
}
# Browser features no page uses. Allow `camera`/`microphone` for 'self' if in-app recording lands.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "coachroom.core.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
