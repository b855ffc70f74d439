"""Errors a service raises for the caller to turn into HTTP statuses or CLI messages."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Invalid(ServiceError):
    status = 422


class Unsupported(ServiceError):
    status = 415


class TooLargeError(ServiceError):
    status = 413


class Conflict(ServiceError):
    status = 409


def readable(err: BaseException) -> str:
    """The last line of an error's message (ffmpeg's tail, a driver's summary), short enough for a page."""
    text = str(err).strip().splitlines()
    return (text[-1] if text else type(err).__name__)[:500]
