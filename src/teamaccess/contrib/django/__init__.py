"""teamaccess as a Django app: ``INSTALLED_APPS += ["teamaccess.contrib.django"]``.

- Settings in ``TEAMACCESS = {...}`` (see [settings][teamaccess.contrib.django.conf]).
- [DjangoStore][teamaccess.contrib.django.store.DjangoStore]: teamaccess's tables in
  Django's own database, on Django's own connection: a command inside
  ``transaction.atomic()`` is part of that transaction (a SAVEPOINT in it), and one
  outside runs in an ``atomic()`` of its own.
- ``manage.py migrate`` creates the tables (the app's migration); ``manage.py
  teamaccess_relay --sink URL`` and ``manage.py teamaccess_explain USER ACTION COMPANY``.
- Users kept in step with ``AUTH_USER_MODEL``: a saved user with an e-mail is
  registered (``post_save``).
- [requires][teamaccess.contrib.django.views.requires], a view decorator;
  [TeamAccessPermission][teamaccess.contrib.django.drf.TeamAccessPermission] and
  [exception_handler][teamaccess.contrib.django.drf.exception_handler] for Django REST
  framework; [ProblemMiddleware][teamaccess.contrib.django.views.ProblemMiddleware]
  answers teamaccess errors as RFC 9457 ``application/problem+json``.
- [service][teamaccess.contrib.django.conf.service]: the site's ``TeamAccess``.
"""
