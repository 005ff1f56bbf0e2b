"""A minimal iCalendar (RFC 5545) writer for the "my schedule" feed: CRLF line
ends, text escaping, and lines folded at 75 octets without splitting a UTF-8
character (Japanese titles are 3 octets a character)."""

from collections.abc import Iterable
from datetime import UTC, datetime

from opportunities.models import Session, Signup

PRODID = "-//Hot Station Sanbu//marketplace//JA"


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    out: list[str] = []
    current = b""
    for ch in line:
        encoded = ch.encode()
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_render(*, signups: Iterable[Signup], host: str, name: str, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Tokyo",
    ]
    for signup in signups:
        session = signup.session
        opportunity = session.opportunity
        if session.status == Session.Status.CANCELLED or signup.status == Signup.Status.CANCELLED:
            status = "CANCELLED"
        elif signup.status == Signup.Status.CONFIRMED:
            status = "CONFIRMED"
        else:
            status = "TENTATIVE"
        summary = opportunity.title
        if signup.status != Signup.Status.CONFIRMED:
            summary = f"({signup.get_status_display()}) {summary}"
        location = " ".join(
            p
            for p in [opportunity.partner.name, opportunity.municipality, opportunity.address]
            if p
        )
        description = "\n".join(
            p
            for p in [
                opportunity.what_to_bring and f"持ち物: {opportunity.what_to_bring}",
                opportunity.contact_name and f"問い合わせ: {opportunity.contact_name}",
            ]
            if p
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:signup-{signup.pk}@{host}",
            f"DTSTAMP:{utc(now)}",
            f"DTSTART:{utc(session.starts_at)}",
            f"DTEND:{utc(session.ends_at)}",
            f"SUMMARY:{escape(summary)}",
            f"LOCATION:{escape(location)}",
            f"STATUS:{status}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape(description)}")
        if opportunity.lat is not None and opportunity.lon is not None:
            lines.append(f"GEO:{opportunity.lat:.6f};{opportunity.lon:.6f}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
