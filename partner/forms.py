import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from opportunities.models import Opportunity, Partner
from training.models import Attendance


class TagsField(forms.CharField):
    """A list typed as one line: 「草取り、収穫, 袋詰め」 → ["草取り", "収穫", "袋詰め"]."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [part.strip() for part in re.split(r"[,、，\n]", value or "") if part.strip()]


class PartnerProfileForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "name",
            "name_kana",
            "description",
            "municipality",
            "address",
            "phone",
            "lat",
            "lon",
            "offers_place",
            "offers_consultation",
            "offers_work_acceptance",
            "offers_cafeteria",
            "offers_food_bank",
            "offers_cool_station",
            "open_during_business_hours",
            "opening_notes",
            "notify_staff",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "opening_notes": forms.Textarea(attrs={"rows": 3}),
        }

    OFFER_FIELD_NAMES = list(Partner.OFFER_FIELDS.values())

    def offer_fields(self):
        return [self[name] for name in self.OFFER_FIELD_NAMES]

    def detail_fields(self):
        skip = {
            *self.OFFER_FIELD_NAMES,
            "open_during_business_hours",
            "opening_notes",
            "notify_staff",
        }
        return [field for field in self if field.name not in skip]


class OpeningSlotForm(forms.Form):
    # A blank first choice, so an unused extra row is really empty and is skipped.
    weekday = forms.TypedChoiceField(
        label=_("曜日"), choices=[("", "―"), *Weekday.choices], coerce=int
    )
    start = forms.TimeField(
        label=_("開始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("終了"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            raise forms.ValidationError(_("終了時刻は開始時刻より後にしてください。"))
        return data


OpeningSlotFormSet = forms.formset_factory(OpeningSlotForm, extra=2, can_delete=True, max_num=21)


class OpportunityForm(forms.ModelForm):
    skills = TagsField(
        label=_("必要なスキル"), required=False, help_text=_("「、」で区切って書けます。")
    )
    useful_skills = TagsField(label=_("あると良いスキル"), required=False)

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "description",
            "kind",
            "employment_type",
            "is_farm_setting",
            "min_readiness",
            "skills",
            "useful_skills",
            "status",
            "capacity",
            "municipality",
            "address",
            "what_to_bring",
            "contact_name",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "employment_type": _("中間的就労のときだけ選びます。"),
            "municipality": _("空欄なら機関の所在地になります。"),
        }


class SessionForm(forms.Form):
    day = forms.DateField(label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("開始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("終了"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(
        label=_("定員"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("空欄なら活動の定員"),
    )
    instructor_name = forms.CharField(label=_("指導者"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            raise forms.ValidationError(_("終了時刻は開始時刻より後にしてください。"))
        return data


class WeeklySessionsForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("曜日"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start = forms.TimeField(label=_("開始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("終了"), widget=forms.TimeInput(attrs={"type": "time"}))
    date_from = forms.DateField(label=_("いつから"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("いつまで"), widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(
        label=_("定員"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("空欄なら活動の定員"),
    )
    instructor_name = forms.CharField(label=_("指導者"), max_length=100, required=False)


class AttendanceForm(forms.Form):
    participant = forms.CharField(max_length=20)
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    minutes = forms.IntegerField(label=_("分"), min_value=0, max_value=24 * 60, required=False)


class SupporterAttendanceForm(forms.Form):
    code = forms.CharField(label=_("サポーターコード"), max_length=20, required=False)
    name = forms.CharField(
        label=_("氏名"),
        max_length=100,
        required=False,
        help_text=_("はじめての人は氏名だけで登録できます。"),
    )
    minutes = forms.IntegerField(
        label=_("参加時間（分）"), min_value=0, max_value=24 * 60, required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("name"):
            raise forms.ValidationError(_("サポーターコードか氏名を入れてください。"))
        return data
