from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attendance(models.Model):
    """Who was at a session: a participant as trainee (or supporter), or a
    registered supporter. Training days and fees are counted from these rows."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("欠席")
        EXCUSED = "excused", _("連絡あり欠席")

    class Role(models.TextChoices):
        TRAINEE = "trainee", _("訓練生")
        SUPPORTER = "supporter", _("サポーター")

    session = models.ForeignKey("opportunities.Session", verbose_name=_("開催回"), on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        "people.ParticipantProfile", verbose_name=_("参加者"), on_delete=models.PROTECT, null=True, blank=True, related_name="attendance"
    )
    supporter = models.ForeignKey(
        "people.Supporter", verbose_name=_("サポーター"), on_delete=models.PROTECT, null=True, blank=True, related_name="attendance"
    )
    role = models.CharField(_("役割"), max_length=10, choices=Role, default=Role.TRAINEE)
    status = models.CharField(_("出欠"), max_length=10, choices=Status)
    minutes = models.PositiveSmallIntegerField(_("参加時間（分）"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("記録者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("出欠")
        verbose_name_plural = _("出欠")
        ordering = ["session__starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["present", "absent", "excused"]), name="training_attendance_status_valid"),
            models.CheckConstraint(condition=Q(role__in=["trainee", "supporter"]), name="training_attendance_role_valid"),
            # Exactly one person: a participant or a supporter record.
            models.CheckConstraint(
                condition=(Q(participant__isnull=False) & Q(supporter__isnull=True)) | (Q(participant__isnull=True) & Q(supporter__isnull=False)),
                name="training_attendance_exactly_one_person",
            ),
            models.CheckConstraint(condition=Q(supporter__isnull=True) | Q(role="supporter"), name="training_attendance_supporter_role"),
            models.CheckConstraint(condition=Q(minutes__lte=24 * 60), name="training_attendance_minutes_sane"),
            models.UniqueConstraint(fields=["session", "participant"], condition=Q(participant__isnull=False), name="training_attendance_one_per_participant"),
            models.UniqueConstraint(fields=["session", "supporter"], condition=Q(supporter__isnull=False), name="training_attendance_one_per_supporter"),
        ]

    def __str__(self) -> str:
        who = self.participant or self.supporter
        return f"{who} @ {self.session} ({self.get_status_display()})"
