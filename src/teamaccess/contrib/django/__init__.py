"""teamaccess as a Django app: ``INSTALLED_APPS += ["teamaccess.contrib.django"]``.

- Settings in ``TEAMACCESS = {...}`` (see [settings][teamaccess.contrib.django.conf]).
- [DjangoStore][teamaccess.contrib.django.store.DjangoStore]: teamaccess's tables in
  Django's own database, on Django's own connection: a command inside
  ``transaction.atomic()`` is part of that transaction (a SAVEPOINT in it), and one
  outside runs in an ``atomic()`` of its own.
- ``manage.py migrate`` creates the tables (the app's migrations, not atomic: MySQL
  and MariaDB commit DDL implicitly); ``manage.py teamaccess_relay --sink URL``,
  ``manage.py teamaccess_explain USER ACTION COMPANY`` (USER: id, username or e-mail)
  and ``manage.py teamaccess_sync_users`` (a backfill of the user sync).
- Users kept in step with ``AUTH_USER_MODEL``: a saved user with an e-mail is
  registered or gets its changed e-mail (``post_save``); a deleted one is erased,
  which ends their memberships, seats and tags (``pre_delete``).
- Read-only admin pages for companies, members, seat pools and the outbox
  (``django.contrib.admin``).
- [requires][teamaccess.contrib.django.views.requires], a view decorator;
  [TeamAccessPermission][teamaccess.contrib.django.drf.TeamAccessPermission] and
  [exception_handler][teamaccess.contrib.django.drf.exception_handler] for Django REST
  framework; [ProblemMiddleware][teamaccess.contrib.django.views.ProblemMiddleware]
  answers teamaccess errors as RFC 9457 ``application/problem+json``.
- [service][teamaccess.contrib.django.conf.service]: the site's ``TeamAccess``.
"""
