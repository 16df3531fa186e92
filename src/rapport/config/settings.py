"""Rapport settings. Everything comes from the environment; see README.md for the variables.

``RAPPORT_MODE`` is ``production`` (default), ``demo`` (``rapport demo`` / ``make run``) or ``test``.
Outside demo and test mode ``SECRET_KEY`` is required; in demo mode one is generated once and kept under
``var/`` so sessions survive restarts.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from rapport.config.env import ConfigError, env_bool, env_int, env_list, env_secret, env_str

MODE = env_str("RAPPORT_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ConfigError(f"RAPPORT_MODE must be production, demo or test (got {MODE!r})")
DEMO = MODE == "demo"
TESTING = MODE == "test"

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RAPPORT_VAR_DIR", str(Path.cwd() / "var"))).resolve()


def _demo_secret_key() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if DEMO:
        SECRET_KEY = _demo_secret_key()
    elif TESTING:
        SECRET_KEY = "test-only-insecure-key-not-for-production"  # noqa: S105 (test mode only)
    else:
        raise ConfigError("SECRET_KEY must be set (or SECRET_KEY_FILE), or run with RAPPORT_MODE=demo")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if (DEMO or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "rapport.core",
    "rapport.accounts",
    "rapport.customers",
    "rapport.interactions",
    "rapport.commerce",
    "rapport.sales",
    "rapport.imports",
    "rapport.dedupe",
    "rapport.analytics",
    "rapport.ops",
    "rapport.web",
    "rapport.api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rapport.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rapport.config.urls"
WSGI_APPLICATION = "rapport.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database ---------------------------------------------------------------------------------------
# SQLite (WAL) under var/ unless DATABASE_URL names another database. In test mode TEST_DATABASE_URL
# selects the database the suite runs against (CI sets it to the local PostgreSQL).
_db_url = env_str("TEST_DATABASE_URL") if TESTING else ""
_db_url = _db_url or env_str("DATABASE_URL")
if _db_url:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "rapport.sqlite3"),
            "OPTIONS": {
                # WAL lets readers and the single writer proceed together; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock between the web server and the job consumer.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {"huey_class": "huey.RedisHuey", "name": "rapport", "url": REDIS_URL, "immediate": False}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "rapport",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        # Tests run jobs inline; the demo and production run them in the consumer.
        "immediate": TESTING,
    }

# --- Auth -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is deliberately slow; the suite creates many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- I18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ms", "Bahasa Melayu"),
    ("id", "Bahasa Indonesia"),
    ("pl", "Polski"),
    ("fa", "فارسی"),
    ("he", "עברית"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
# The country a phone number without a country code belongs to, when its customer has no country either
# (imports, duplicate detection).
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "MY")
USE_I18N = True
USE_TZ = True

# --- Analytics --------------------------------------------------------------------------------------
# Money in other currencies is converted to the reporting currency for scoring: CURRENCY_RATES gives the
# units of each currency per one unit of the reporting currency ("IDR=3500,PLN=0.9"). The defaults are rough
# price levels for the demo's markets; set them from your finance team's rates.
def _currency_rates() -> dict[str, float]:
    rates = {"MYR": 1.0, "IDR": 3500.0, "PLN": 0.9, "IRR": 10000.0, "ILS": 0.8, "GBP": 0.17, "USD": 0.22, "EUR": 0.2}
    for item in env_list("CURRENCY_RATES"):
        code, _sep, value = item.partition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = 0.0
        if len(code.strip()) != 3 or not rate > 0:
            raise ConfigError(f"CURRENCY_RATES must look like IDR=3500,PLN=0.9 (got {item!r})")
        rates[code.strip().upper()] = rate
    return rates


REPORTING_CURRENCY = env_str("REPORTING_CURRENCY", "MYR").upper()
CURRENCY_RATES = _currency_rates()
ANALYTICS = {
    "PERIOD_DAYS": env_int("ANALYTICS_PERIOD_DAYS", 7),  # the models' unit of time: weeks
    "HORIZON_DAYS": env_int("ANALYTICS_HORIZON_DAYS", 365),  # lifetime value and expected purchases
    "ANNUAL_DISCOUNT_PERCENT": env_int("ANALYTICS_ANNUAL_DISCOUNT_PERCENT", 10),
    "CHURN_WINDOW_DAYS": env_int("ANALYTICS_CHURN_WINDOW_DAYS", 90),  # churn = no purchase in this window
    "GROSS_MARGIN_PERCENT": env_int("ANALYTICS_GROSS_MARGIN_PERCENT", 30),  # margin so far = net spend x this
    "KEEP_RUNS": env_int("ANALYTICS_KEEP_RUNS", 12),
    # New "personal call within 48 hours" tasks per account manager and run, most valuable customers first.
    "CALLS_PER_OWNER": env_int("ANALYTICS_CALLS_PER_OWNER", 10),  # older runs' scores are deleted, month-end runs kept
}

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEMO or TESTING or DEBUG))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- API --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated call then answers 401 with a WWW-Authenticate header, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rapport.api.permissions.RolePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "rapport.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rapport.api.pagination.KeysetOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rapport.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rapport.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rapport API",
    "DESCRIPTION": "Customers, interactions, tasks, products and orders. Cursor-paginated; see /api/docs/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
}
