"""The app's migrations: teamaccess's tables in Django's database."""
