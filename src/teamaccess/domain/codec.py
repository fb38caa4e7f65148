"""One cattrs converter for turning domain values into JSON-ready data and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import cattrs

__all__ = ["converter"]

converter = cattrs.Converter()
converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
converter.register_unstructure_hook(timedelta, lambda value: value.total_seconds())
converter.register_structure_hook(timedelta, lambda value, _: timedelta(seconds=value))


def _mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


converter.register_unstructure_hook(MappingProxyType, _mapping)
