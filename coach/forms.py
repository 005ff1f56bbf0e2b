import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from people.readiness import Readiness


class AssessmentForm(forms.Form):
    step = forms.TypedChoiceField(label=_("ステップ"), choices=Readiness.choices, coerce=int)
    assessed_on = forms.DateField(
        label=_("評価日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("所見"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlaceForm(forms.Form):
    session = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ParticipantCreateForm(forms.Form):
    display_name = forms.CharField(label=_("表示名"), max_length=100)
    name_kana = forms.CharField(label=_("ふりがな"), max_length=100, required=False)
    code = forms.RegexField(
        label=_("参加者コード"),
        regex=r"^[A-Za-z0-9_-]+$",
        max_length=20,
        required=False,
        help_text=_("空欄なら自動でつけます。英数字のみ。"),
        error_messages={"invalid": _("英数字と - _ だけが使えます。")},
    )
    municipality = forms.CharField(label=_("住んでいる市町村"), max_length=50, required=False)
    email = forms.EmailField(label=_("メールアドレス（任意）"), required=False)


class CaseNoteForm(forms.Form):
    body = forms.CharField(
        label=_("ケース記録"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("記録の内容を書いてください。")},
    )


class ParticipantEditForm(forms.Form):
    """What a coach may change of a participant (people.services decides
    again; this only shapes the input)."""

    display_name = forms.CharField(label=_("表示名"), max_length=100)
    name_kana = forms.CharField(label=_("ふりがな"), max_length=100, required=False)
    self_description = forms.CharField(
        label=_("自己紹介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    skills = forms.CharField(
        label=_("できること"),
        required=False,
        help_text=_("「、」で区切って書けます。"),
    )
    interests = forms.CharField(
        label=_("興味"), required=False, help_text=_("「、」で区切って書けます。")
    )
    municipality = forms.CharField(label=_("住んでいる市町村"), max_length=50, required=False)
    max_travel_km = forms.DecimalField(
        label=_("移動できる距離（km）"),
        min_value=0,
        max_value=500,
        decimal_places=1,
        error_messages={
            "invalid": _("移動できる距離は数字で入力してください。"),
            "min_value": _("移動できる距離は0〜500kmの間で入力してください。"),
            "max_value": _("移動できる距離は0〜500kmの間で入力してください。"),
            "max_decimal_places": _("移動できる距離は小数第1位までで入力してください。"),
        },
    )
    emergency_contact = forms.CharField(label=_("緊急連絡先"), max_length=200, required=False)
    support_notes = forms.CharField(
        label=_("支援の背景（機微情報）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("協力機関には表示されません。"),
    )

    @staticmethod
    def split_terms(text: str) -> list[str]:
        return [t.strip() for t in re.split(r"[、,，\n]", text or "") if t.strip()]


class AvailabilitySlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("曜日"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    start = forms.TimeField(
        label=_("開始"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("終了"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self):
        data = super().clean()
        chosen = [data.get("weekday") is not None, bool(data.get("start")), bool(data.get("end"))]
        if any(chosen) and not all(chosen):
            raise forms.ValidationError(_("曜日・開始・終了をすべて入れてください。"))
        return data


AvailabilityFormSet = forms.formset_factory(
    AvailabilitySlotForm, extra=2, max_num=14, validate_max=True
)
