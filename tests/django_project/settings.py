"""A Django site that uses teamaccess: SQLite, or PostgreSQL with TEAMACCESS_DJANGO_DB=postgres."""

import os

SECRET_KEY = "tests-only"
DEBUG = False
USE_TZ = True
ROOT_URLCONF = "urls"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "teamaccess.contrib.django",
    "shipping",
]
MIDDLEWARE = [
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "teamaccess.contrib.django.views.ProblemMiddleware",
]
if os.environ.get("TEAMACCESS_DJANGO_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": os.environ.get("TEAMACCESS_DJANGO_PG_USER", "postgres"),
            "HOST": os.environ.get("TEAMACCESS_DJANGO_PG_HOST", "127.0.0.1"),
            "TEST": {"NAME": os.environ.get("TEAMACCESS_DJANGO_TEST_DB", "tatest_django")},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "teamaccess.contrib.django.drf.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["shipping.auth.SiteUser"],
}
TEAMACCESS = {"PREFIX": "ta_", "PLATFORM_ADMINS": []}
