"""Column types used across the fieldsvc schema.

Revisions import these directly (``from fieldsvc.db.types import UTCDateTime``),
so they must stay importable, and their DDL must not change, for as long as
old revisions reference them.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["Money", "UTCDateTime"]


class UTCDateTime(TypeDecorator):
    """A ``timestamp with time zone`` that only accepts aware datetimes.

    Values are normalised to UTC on the way in and come back in UTC, so the
    application never sees a naive or local-time datetime.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: Optional[dt.datetime], dialect: Dialect
    ) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(
        self, value: Optional[dt.datetime], dialect: Dialect
    ) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Money(TypeDecorator):
    """An amount in a currency's major unit, stored as ``numeric(12, 2)``.

    The currency itself lives in a sibling column; this type only makes sure
    amounts are Decimals rounded to cents (banker's rounding), never floats.
    """

    impl = sa.Numeric(12, 2, asdecimal=True)
    cache_ok = True

    _CENT = Decimal("0.01")

    def process_bind_param(self, value: Any, dialect: Dialect) -> Optional[Decimal]:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("Money does not accept floats; use Decimal or str")
        return Decimal(value).quantize(self._CENT, rounding=ROUND_HALF_EVEN)

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[Decimal]:
        if value is None:
            return None
        return Decimal(value).quantize(self._CENT)
