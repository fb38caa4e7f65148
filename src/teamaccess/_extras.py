"""Turn a missing optional dependency into an ImportError that names the extra to install."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["needs_extra"]


@contextmanager
def needs_extra(module: str, extra: str) -> Iterator[None]:
    """Re-raise an ``ImportError`` inside the block as one that says what to install.

    >>> with needs_extra("teamaccess.example", "sql"):
    ...     import no_such_module_here  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ImportError: teamaccess.example needs the 'sql' extra: pip install 'teamaccess[sql]'
    """
    try:
        yield
    except ImportError as error:
        raise ImportError(
            f"{module} needs the {extra!r} extra: pip install 'teamaccess[{extra}]' ({error})",
            name=error.name,
        ) from error
