from django import forms
from django.utils.translation import gettext_lazy as _

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
