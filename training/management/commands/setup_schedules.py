"""Create the django-q2 schedules for the notification tasks. Safe to run again:
each schedule is found by name and only its function and period are refreshed,
so its next run is not pushed back."""

from datetime import time, timedelta

from django.core.management.base import BaseCommand
from django_q.models import Schedule

from core.clock import at, local_today

SCHEDULES = [
    # (name, function, type, local time of day, weekday of the first run or None)
    (
        "opportunities: reminders for tomorrow",
        "opportunities.tasks.session_reminders_send",
        Schedule.DAILY,
        time(17, 0),
        None,
    ),
    (
        "opportunities: weekly absence digest for coaches",
        "training.tasks.absence_digest_send",
        Schedule.WEEKLY,
        time(8, 0),
        0,
    ),
    (
        "matching: nightly refresh of stored recommendations",
        "matching.tasks.recommendations_refresh_all",
        Schedule.DAILY,
        time(3, 0),
        None,
    ),
]


def _first_run(clock: time, weekday: int | None):
    day = local_today() + timedelta(days=1)
    while weekday is not None and day.weekday() != weekday:
        day += timedelta(days=1)
    return at(day, clock)


class Command(BaseCommand):
    help = "Create or refresh the django-q2 schedules for reminders and the coaches' weekly digest."

    def handle(self, *args, **options):
        for name, func, schedule_type, clock, weekday in SCHEDULES:
            schedule, created = Schedule.objects.get_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": schedule_type,
                    "next_run": _first_run(clock, weekday),
                    "repeats": -1,
                },
            )
            if not created and (schedule.func, schedule.schedule_type) != (func, schedule_type):
                schedule.func, schedule.schedule_type = func, schedule_type
                schedule.save(update_fields=["func", "schedule_type"])
            self.stdout.write(
                f"{'created' if created else 'kept'}: {name} (next {schedule.next_run:%Y-%m-%d %H:%M %Z})"
            )
