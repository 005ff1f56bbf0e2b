"""Business dates are local (Asia/Tokyo). Build them here, never with
datetime.now() or date.today()."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

JST = ZoneInfo("Asia/Tokyo")


def local_now() -> datetime:
    return timezone.now().astimezone(JST)


def local_today() -> date:
    return timezone.localdate()


def at(day: date, clock: time) -> datetime:
    """An aware instant for a local date and wall-clock time."""
    return datetime.combine(day, clock, tzinfo=JST)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = at(day, time.min)
    return start, start + timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = day.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1)


def month_bounds(day: date) -> tuple[datetime, datetime]:
    """Aware [start, end) instants of the local month containing ``day``."""
    return at(month_start(day), time.min), at(next_month(day), time.min)


def fiscal_year_of(day: date) -> int:
    """The Japanese fiscal year (April–March) named by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last local date of a fiscal year."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
