"""The ``teamaccess`` command line for operators (extra ``teamaccess[cli]``).

``teamaccess --help`` lists the commands; every command has ``--help``. The database is
SQLite (``sqlite:///teamaccess.sqlite``) unless ``--db URL`` or the environment variable
``TEAMACCESS_DATABASE_URL`` names another SQLAlchemy URL. Exit codes: 0 done (or, for
``explain``, allowed), 1 denied by ``explain``, 2 an error, printed as one line.
"""

from teamaccess.cli._app import main

__all__ = ["main"]
