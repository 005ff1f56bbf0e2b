from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """0 = Monday, as Python's date.weekday() counts."""

    MONDAY = 0, _("月曜")
    TUESDAY = 1, _("火曜")
    WEDNESDAY = 2, _("水曜")
    THURSDAY = 3, _("木曜")
    FRIDAY = 4, _("金曜")
    SATURDAY = 5, _("土曜")
    SUNDAY = 6, _("日曜")
