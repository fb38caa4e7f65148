"""A Django site that uses teamaccess: SQLite, or TEAMACCESS_DJANGO_DB=postgres or mariadb."""

import os

SECRET_KEY = "tests-only"
DEBUG = False
USE_TZ = True
ROOT_URLCONF = "urls"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "teamaccess.contrib.django",
    "shipping",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "teamaccess.contrib.django.views.ProblemMiddleware",
    "teamaccess.contrib.django.views.TokenMiddleware",
    "teamaccess.contrib.django.views.RequestContextMiddleware",
]
TEMPLATES = [  # the admin's pages
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
if os.environ.get("TEAMACCESS_DJANGO_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": os.environ.get("TEAMACCESS_DJANGO_PG_USER", "postgres"),
            "HOST": os.environ.get("TEAMACCESS_DJANGO_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("TEAMACCESS_DJANGO_PG_PORT", "5432"),
            "PASSWORD": os.environ.get("TEAMACCESS_DJANGO_PG_PASSWORD", ""),
            "TEST": {"NAME": os.environ.get("TEAMACCESS_DJANGO_TEST_DB", "tatest_django")},
        }
    }
elif os.environ.get("TEAMACCESS_DJANGO_DB") == "mariadb":
    import pymysql  # the mysql extra's driver, in mysqlclient's place (Django's MySQLdb)

    pymysql.install_as_MySQLdb()
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": "test",
            "USER": os.environ.get("TEAMACCESS_DJANGO_MY_USER", "root"),
            "HOST": os.environ.get("TEAMACCESS_DJANGO_MY_HOST", "127.0.0.1"),
            "PORT": os.environ.get("TEAMACCESS_DJANGO_MY_PORT", "3306"),
            "PASSWORD": os.environ.get("TEAMACCESS_DJANGO_MY_PASSWORD", ""),
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
