"""The cache as an optimisation only: with Redis down, a read is a miss and a write is skipped,
so the page is computed from the database instead of answering 500.

The first error of an outage is logged; for ``RETRY_AFTER`` seconds after it the cache is not
asked at all (each try could cost a connection timeout), then it is tried again.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER = 10.0
_state = {"down_until": 0.0}


def _usable() -> bool:
    return time.monotonic() >= _state["down_until"]


def _failed(what: str) -> None:
    if _usable():  # the first error of this outage: say so once
        logger.exception("the cache could not %s; computing from the database", what)
    _state["down_until"] = time.monotonic() + RETRY_AFTER


def cached(key: str, compute: Callable[[], T], timeout: int) -> T:
    """``cache.get_or_set(key, compute, timeout)`` that never fails because of the cache."""
    if _usable():
        try:
            value = cache.get(key)
        except Exception:  # noqa: BLE001 - any cache backend error is a miss
            _failed("be read")
        else:
            if value is not None:
                return value
    value = compute()
    if _usable():
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001 - not stored; computed again next time
            _failed("be written")
    return value


def cached_many(
    keys: list[str], compute: Callable[[list[str]], dict[str, T]], timeout: int
) -> dict[str, T]:
    """``cached`` for many keys in one round trip each way: ``get_many``, ``compute`` of the
    keys missed (a dict key → value), ``set_many`` of what it computed. Never fails because of
    the cache: with the cache down, every key is computed."""
    found: dict[str, T] = {}
    if _usable():
        try:
            found = cache.get_many(keys)
        except Exception:  # noqa: BLE001 - any cache backend error is a miss
            _failed("be read")
    missed = [key for key in keys if key not in found]
    if missed:
        computed = compute(missed)
        found.update(computed)
        if _usable():
            try:
                cache.set_many(computed, timeout)
            except Exception:  # noqa: BLE001 - not stored; computed again next time
                _failed("be written")
    return found
