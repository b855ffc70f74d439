"""A capture time as a client sends it (form field or JSON string), read the same way by every upload route."""

from __future__ import annotations

from datetime import datetime

from app.services.errors import Invalid


def parse_client_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"captured_at '{value}' is not an ISO 8601 date-time like 2024-07-24T07:15:30+02:00") from None
