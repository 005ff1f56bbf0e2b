"""The entry form of the activity ledger, shared by the partner staff's pages
(their own organisation: no partner field) and the secretariat's (a partner to
choose). The rules are training.ledger's, so the form, the import and the
admin refuse the same lines with the same sentences."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.clock import local_today
from core.errors import DomainError
from opportunities.models import Partner
from training.ledger import (
    MAX_COUNT,
    MAX_PERSONS,
    MAX_WEIGHT_KG,
    activity_record_problems,
    activity_record_save,
)
from training.models import ActivityRecord

VALUE_FIELDS = ["held_on", "activity", "counterpart_type", "count", "persons", "weight_kg", "note"]


class ActivityRecordForm(forms.Form):
    held_on = forms.DateField(
        label=_("実施日"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("実施日を入力してください。"),
            "invalid": _("実施日は YYYY-MM-DD の形で入力してください。"),
        },
    )
    activity = forms.ChoiceField(
        label=pgettext_lazy("ledger", "活動"),
        choices=ActivityRecord.Activity.choices,
        error_messages={
            "required": _("活動の種類を選んでください。"),
            "invalid_choice": _("活動の種類を一覧から選んでください。"),
        },
    )
    counterpart_type = forms.ChoiceField(
        label=_("寄付元・配布先の種類"),
        choices=[("", _("（食品のときに選ぶ）")), *ActivityRecord.CounterpartType.choices],
        required=False,
        help_text=_("食品の寄付受入では寄付元、配布では配布先の種類です。"),
        error_messages={"invalid_choice": _("寄付元・配布先の種類を一覧から選んでください。")},
    )
    count = forms.IntegerField(
        label=_("回数・件数"),
        min_value=1,
        max_value=MAX_COUNT,
        initial=1,
        help_text=_("開催回数・来所回数・寄付や配布の件数です。"),
        error_messages={
            "required": _("回数・件数を入力してください。"),
            "invalid": _("回数・件数は整数で入力してください。"),
            "min_value": _("回数・件数は1以上にしてください。"),
            "max_value": _("回数・件数が大きすぎます。"),
        },
    )
    persons = forms.IntegerField(
        label=_("人数"),
        min_value=0,
        max_value=MAX_PERSONS,
        initial=0,
        error_messages={
            "required": _("人数を入力してください（いなければ0）。"),
            "invalid": _("人数は整数で入力してください。"),
            "min_value": _("人数は0以上にしてください。"),
            "max_value": _("人数が大きすぎます。"),
        },
    )
    weight_kg = forms.DecimalField(
        label=_("重さ（kg）"),
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_WEIGHT_KG,
        max_digits=10,
        decimal_places=1,
        help_text=_("食品の寄付受入・配布のときだけ入力します（小数点以下1桁まで）。"),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("重さ（kg）は数値で入力してください。"),
            "min_value": _("重さ（kg）は0以上にしてください。"),
            "max_value": _("重さ（kg）が大きすぎます。"),
            "max_digits": _("重さ（kg）が大きすぎます。"),
            "max_decimal_places": _("重さ（kg）は小数点以下1桁までで入力してください。"),
            "max_whole_digits": _("重さ（kg）が大きすぎます。"),
        },
    )
    note = forms.CharField(
        label=_("メモ"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("メモは1000文字以内にしてください。")},
    )

    def __init__(self, *args, record: ActivityRecord | None = None, **kwargs):
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(record, name) for name in self.field_names()}
        super().__init__(*args, **kwargs)
        self.fields["held_on"].widget.attrs["max"] = local_today().isoformat()

    @classmethod
    def field_names(cls) -> list[str]:
        return VALUE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for problem in activity_record_problems(cleaned):
                self.add_error(None, problem)
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in VALUE_FIELDS}

    def save_through_ledger(self, *, record: ActivityRecord | None, by, partner=None) -> bool:
        """Save a valid form with activity_record_save; False, with the reason
        on the form, when the form or the ledger refuses it. ``partner`` fixes
        the organisation (partner staff's pages: always their own)."""
        if not self.is_valid():
            return False
        values = self.values() if partner is None else {**self.values(), "partner": partner}
        try:
            activity_record_save(values=values, record=record, by=by)
        except DomainError as error:
            self.add_error(None, error.message)
            return False
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
            return False
        return True


class SecretariatActivityRecordForm(ActivityRecordForm):
    """The secretariat enters lines for any partner."""

    partner = forms.ModelChoiceField(
        label=_("協力機関"),
        queryset=Partner.objects.order_by("code"),
        error_messages={
            "required": _("協力機関を選んでください。"),
            "invalid_choice": _("協力機関を一覧から選んでください。"),
        },
    )
    field_order = ["partner", *VALUE_FIELDS]

    @classmethod
    def field_names(cls) -> list[str]:
        return ["partner", *VALUE_FIELDS]

    def values(self) -> dict:
        return {**super().values(), "partner": self.cleaned_data["partner"]}
