"""One cattrs converter for turning domain values into JSON-ready data and back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

import cattrs

__all__ = ["converter", "keep_last"]

converter = cattrs.Converter()
_T = TypeVar("_T")


def keep_last(text_of: Callable[[_T], str]) -> Callable[[_T], str]:
    """``text_of`` answering again, without calling it, for the value it was last given.

    The events of one command share one time: a batch of them writes it once. The
    last value (by identity) and its text are one tuple, replaced whole, so threads
    never see one's value with another's text.
    """
    last: list[tuple[object, str]] = [(object(), "")]

    def kept(value: _T) -> str:
        seen, text = last[0]
        if seen is value:
            return text
        text = text_of(value)
        last[0] = (value, text)
        return text

    return kept


_isoformat = keep_last(datetime.isoformat)
converter.register_unstructure_hook(datetime, _isoformat)
converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
converter.register_unstructure_hook(timedelta, lambda value: value.total_seconds())
converter.register_structure_hook(timedelta, lambda value, _: timedelta(seconds=value))


def _mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


converter.register_unstructure_hook(MappingProxyType, _mapping)
