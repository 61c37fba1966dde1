"""One root exception with coded subclasses.

The hub turns any :class:`TijdlijnError` into an error ack at one boundary, so the code is the
contract with clients (see docs/protocol.md) and the message is Dutch text a person can act on.
Messages never contain case content: they describe what was wrong, not what was sent.
"""

from __future__ import annotations

from typing import ClassVar, NotRequired, TypedDict


class ErrorBody(TypedDict):
    """An error as clients receive it (in an ack, or an HTTP answer's ``error``)."""

    code: str
    message: str
    # A further code a client acts on (guard.FacilitatorKeyNeeded).
    detail: NotRequired[str]


class TijdlijnError(Exception):
    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "Er ging iets mis."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def as_error(self) -> ErrorBody:
        return {"code": self.code, "message": self.message}


class Invalid(TijdlijnError):
    code = "invalid"
    default_message = "Ongeldige invoer."


class Forbidden(TijdlijnError):
    code = "forbidden"
    default_message = "Dit mag je rol niet doen."


class NotFound(TijdlijnError):
    code = "not_found"
    default_message = "Niet gevonden."


class Conflict(TijdlijnError):
    code = "conflict"
    default_message = "Dit kan nu niet."


class LimitReached(TijdlijnError):
    code = "limit_reached"
    default_message = "Het maximum aantal is bereikt."


class RateLimited(TijdlijnError):
    code = "rate_limited"
    default_message = "Even rustig aan: te veel berichten achter elkaar. Probeer het zo opnieuw."


class MeetingClosed(TijdlijnError):
    code = "meeting_closed"
    default_message = "Deze bijeenkomst is afgesloten."


class MeetingGone(TijdlijnError):
    code = "meeting_gone"
    default_message = "Deze bijeenkomst bestaat niet meer."


class Unauthorized(TijdlijnError):
    code = "unauthorized"
    default_message = "Deze link of code is niet (meer) geldig."


class StoreUnavailable(TijdlijnError):
    code = "unavailable"
    default_message = "De opslag is tijdelijk niet bereikbaar. Probeer het zo opnieuw."


class UnknownEvent(TijdlijnError):
    code = "unknown_event"
    default_message = "Onbekend bericht."


class MeetingExpired(MeetingGone):
    """Its lifetime ran out: told apart from an ending, so nobody thinks it was ended on purpose."""

    code = "meeting_expired"
    default_message = (
        "Deze bijeenkomst is verlopen: ze is een tijd niet gebruikt en daarom verwijderd."
    )


class MeetingLost(MeetingGone):
    """The server no longer has the meeting (a restart): a facilitator console can restore it."""

    code = "meeting_lost"
    default_message = (
        "De verbinding met de bijeenkomst wordt hersteld. Een ogenblik geduld; je hoeft niets "
        "te doen."
    )


class Busy(TijdlijnError):
    code = "busy"
    default_message = "Het is nu erg druk; je wijziging wordt zo opnieuw verstuurd."


class TooLate(TijdlijnError):
    """A retry of a write sent so long ago that the server no longer knows whether it landed
    (base.OPS_WINDOW): refused rather than risk applying it twice."""

    code = "too_late"
    default_message = (
        "Deze wijziging bleef te lang onderweg. Kijk of ze er al staat en voeg ze zo nodig "
        "opnieuw toe."
    )
