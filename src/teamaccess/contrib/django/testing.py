"""pytest-django helpers: ``pytest_plugins = ["teamaccess.contrib.django.testing"]``."""

from __future__ import annotations

from typing import Any

import pytest

from teamaccess.contrib.django.conf import service
from teamaccess.service.facade import TeamAccess

__all__ = ["teamaccess"]


@pytest.fixture
def teamaccess(db: Any) -> TeamAccess:
    """The site's service on the test database (its tables come with ``migrate``)."""
    return service()
