"""Settings for jiqun, read from the environment.

DJANGO_ENV=production switches on the few production overrides at the bottom; everything else is the
same in development, tests and production.
"""

from pathlib import Path

import dj_database_url

from jiqun.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env_str("JIQUN_VAR_DIR", str(BASE_DIR / "var")))

ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = ENV == "production"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jiqun.core",
    "jiqun.audit",
    "jiqun.regions",
    "jiqun.accounts",
    "jiqun.programmes",
    "jiqun.clusters",
    "jiqun.enterprises",
    "jiqun.monitoring",
    "jiqun.targets",
    "jiqun.evaluation",
    "jiqun.recognition",
    "jiqun.projects",
    "jiqun.incidents",
    "jiqun.chains",
    "jiqun.dashboards",
    "jiqun.reports",
    "jiqun.api",
]

MIDDLEWARE = [
    "jiqun.dashboards.page_cache.WholePageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jiqun.core.middleware.IdleSessionMiddleware",
    "jiqun.core.middleware.LanguageMiddleware",
    "jiqun.core.middleware.QueryTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jiqun.core.middleware.SecurityHeadersMiddleware",
    "jiqun.accounts.middleware.PasswordExpiryMiddleware",
    "jiqun.accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "jiqun.audit.middleware.AuditMiddleware",
]

ROOT_URLCONF = "jiqun.config.urls"
WSGI_APPLICATION = "jiqun.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiqun.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiqun.sqlite3'}"),
        # Connections kept between requests (one per server thread), checked before reuse: opening one per
        # request cost more than the cached pages themselves (a PostgreSQL backend; SQLite's PRAGMAs).
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while a report is imported; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# 等保 2.0 level 3: complex passwords, changed every 90 days.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jiqun.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiqun.accounts.validators.CharacterClassValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("JIQUN_PASSWORD_MAX_AGE_DAYS", 90)
# 等保 2.0 level 3 asks for two factors on administrator roles: these roles must confirm a TOTP code after
# the password (django-otp). Comma-separated role values; add province_admin where policy asks for it.
TWO_FACTOR_ROLES = set(env_list("JIQUN_2FA_ROLES", ["system_admin", "security_admin", "audit_admin"]))
OTP_TOTP_ISSUER = "jiqun"

# Lockout keyed by username, not IP: a whole office shares one NAT address. Unlocks after a cool-off.
AXES_FAILURE_LIMIT = env_int("JIQUN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("JIQUN_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# axes warns that username-only lockout ignores the IP; that is the point here (DESIGN §4).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Each server process keeps its caches in its own memory. The overviews' pages kept whole per session
# (jiqun/dashboards/page_cache.py, ~45 KB each) have a cache of their own, so that many sessions never push out
# the overview's parts in the default cache, which take far longer to build again.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jiqun"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jiqun-pages",
              "OPTIONS": {"MAX_ENTRIES": env_int("JIQUN_KEPT_PAGES", 500)}},
}
# On PostgreSQL, a kept page is answered again without its query until a change is heard (page_changes).
JIQUN_KEPT_PAGES_LISTEN = env_bool("JIQUN_KEPT_PAGES_LISTEN", True)

SESSION_COOKIE_AGE = env_int("JIQUN_SESSION_MINUTES", 30) * 60
# The idle timeout: each request refreshes the session's expiry, at most once a minute
# (jiqun.core.middleware.IdleSessionMiddleware), rather than saving the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# The province map the dashboards draw: a GeoJSON FeatureCollection of the 16 cities (properties.name as the
# regions table names them). The default is the 示意图 `make static` derives from an npm package; a department
# points this at its own approved map (审图号) and labels it with {"jiqun": {"label": ...}} (docs/map.md).
JIQUN_MAP_GEOJSON = Path(env_str("JIQUN_MAP_GEOJSON", str(PACKAGE_DIR / "static" / "vendor" / "maps" / "shandong.json")))

# The audit chain (等保 2.0 level 3): HMAC-keyed with a secret kept outside the database (the environment, else
# a 0600 key file made on first use), its head checkpointed in a file outside the database. Retention below
# 180 days is refused at start-up (jiqun.audit.apps).
JIQUN_AUDIT_KEY = env_str("JIQUN_AUDIT_KEY", "")
JIQUN_AUDIT_KEY_FILE = Path(env_str("JIQUN_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key")))
JIQUN_AUDIT_HEAD_FILE = Path(env_str("JIQUN_AUDIT_HEAD_FILE", str(VAR_DIR / "audit-head.json")))
JIQUN_AUDIT_RETENTION_DAYS = env_int("JIQUN_AUDIT_RETENTION_DAYS", 180)

JIQUN_DEMO_PASSWORD = env_str("JIQUN_DEMO_PASSWORD", "Jiqun@2026demo")
# Separation of duties: whoever wrote any revision of a report cannot approve it (city, 代市级 or province).
JIQUN_SEPARATE_FILL_AND_APPROVE = env_bool("JIQUN_SEPARATE_FILL_AND_APPROVE", True)

# Excel uploads, checked before any spreadsheet parser reads them (jiqun/monitoring/importer/package.py).
# The 100,000-row × 35-column template of the import bench is 26 MB and unpacks to 229 MB; reading it grew the
# process by 520 MB, under the 720 MB the budget check estimates for it.
JIQUN_UPLOAD_MAX_BYTES = env_int("JIQUN_UPLOAD_MAX_BYTES", 50 * 1024**2)
JIQUN_IMPORT_MAX_UNPACKED_BYTES = env_int("JIQUN_IMPORT_MAX_UNPACKED_BYTES", 512 * 1024**2)
JIQUN_IMPORT_MAX_ENTRIES = env_int("JIQUN_IMPORT_MAX_ENTRIES", 200)
JIQUN_IMPORT_MAX_RATIO = env_int("JIQUN_IMPORT_MAX_RATIO", 100)  # the template's sheet compresses 8:1
JIQUN_IMPORT_MAX_CELLS = env_int("JIQUN_IMPORT_MAX_CELLS", 5_000_000)
JIQUN_IMPORT_MEMORY_BUDGET = env_int("JIQUN_IMPORT_MEMORY_BUDGET_MB", 1024) * 1024**2
JIQUN_IMPORT_EXTRA_ROWS = env_int("JIQUN_IMPORT_EXTRA_ROWS", 100)  # total rows, notes, blank rows users add
JIQUN_IMPORT_EXTRA_COLUMNS = env_int("JIQUN_IMPORT_EXTRA_COLUMNS", 5)

# Attachments of recognition applications (jiqun/recognition/attachments.py): per file, and per application.
JIQUN_ATTACHMENT_MAX_BYTES = env_int("JIQUN_ATTACHMENT_MAX_BYTES", 20 * 1024**2)
JIQUN_ATTACHMENT_MAX_COUNT = env_int("JIQUN_ATTACHMENT_MAX_COUNT", 20)

# The header of the half-yearly summary (半年报汇总表, jiqun/reports/xlsx.py), as the statistics office approved
# the form: its 表号 (blank until one is assigned, for writing in by hand) and its 制定机关 (empty: the
# programme's 发文机关, else 省工业和信息化厅). docs/reports.md.
JIQUN_HALFYEAR_FORM_NUMBER = env_str("JIQUN_HALFYEAR_FORM_NUMBER", "").strip()
JIQUN_HALFYEAR_FORM_AUTHORITY = env_str("JIQUN_HALFYEAR_FORM_AUTHORITY", "").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JIQUN_LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    DEBUG = False
    # waitress serves the collected static files through whitenoise; no web server needed in front.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if SECRET_KEY.startswith("dev-only"):
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")

# Long work started from a page (a quarterly report, the statistical template of a large scope) runs in a
# django-tasks worker on the database backend (SQLite or PostgreSQL, no broker): `jiqun serve` starts one
# (`manage.py db_worker`). Tests that want the work done at once override it with the immediate backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A statistical template for more reports than this is built by the worker, not inside the request.
JIQUN_TASK_THRESHOLD_ROWS = env_int("JIQUN_TASK_THRESHOLD_ROWS", 5000)
# A job's file under VAR_DIR/tasks/ is kept this many days after it is made (`jiqun tasks clean`, and the worker
# once a day, delete older ones).
JIQUN_TASK_KEEP_DAYS = env_int("JIQUN_TASK_KEEP_DAYS", 7)
