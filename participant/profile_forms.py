"""The participant's own profile form (/my/profile/): what she can do and likes,
when she is free, how far she travels, her language, email and notifications.

The forms only parse; people.services.participant_profile_update checks the
rules again and writes (the coach's edit page goes through the same service).
"""

from datetime import time
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from people.models import ParticipantProfile, User
from people.services import availability_errors
from people.skills import INTEREST, SKILL, canonical_term, term_label, terms_grouped

MAX_OTHER_LENGTH = 300


def _split_terms(text: str) -> list[str]:
    """「木工、DIY, 釣り」 → the words, split on Japanese or Latin commas and new lines."""
    for separator in ("、", "，", ",", "\n", "・"):
        text = text.replace(separator, "\n")
    return [t.strip() for t in text.split("\n") if t.strip()]


class TermChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ProfileForm(forms.Form):
    self_description = forms.CharField(
        label=_("自己紹介"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("好きなこと、得意なこと、心配なことなど、自由に書いてください。"),
        error_messages={"max_length": _("自己紹介は2000文字までにしてください。")},
    )
    skills = TermChoiceField(label=_("できること"), required=False)
    skills_other = forms.CharField(
        label=_("そのほかにできること"),
        required=False,
        max_length=MAX_OTHER_LENGTH,
        help_text=_("「、」で区切って書いてください。"),
        error_messages={"max_length": _("そのほかにできることは300文字までにしてください。")},
    )
    interests = TermChoiceField(label=_("興味があること"), required=False)
    interests_other = forms.CharField(
        label=_("そのほかに興味があること"),
        required=False,
        max_length=MAX_OTHER_LENGTH,
        help_text=_("「、」で区切って書いてください。"),
        error_messages={"max_length": _("そのほかに興味があることは300文字までにしてください。")},
    )
    max_travel_km = forms.DecimalField(
        label=_("移動できる距離（km）"),
        min_value=Decimal(0),
        max_value=Decimal(500),
        max_digits=4,
        decimal_places=1,
        help_text=_("家から何kmまでなら通えますか。例：2.5"),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={
            "required": _("移動できる距離を入力してください。"),
            "invalid": _("移動できる距離は数字で入力してください。例：2.5"),
            "min_value": _("移動できる距離は0〜500kmの間で入力してください。"),
            "max_value": _("移動できる距離は0〜500kmの間で入力してください。"),
            "max_digits": _("移動できる距離は0〜500kmの間で入力してください。"),
            "max_decimal_places": _("移動できる距離は小数点以下1けたまでで入力してください。"),
            "max_whole_digits": _("移動できる距離は0〜500kmの間で入力してください。"),
        },
    )
    language = forms.ChoiceField(
        label=_("画面のことば"),
        choices=User.Language.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("言語は日本語か英語を選んでください。")},
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        max_length=254,
        help_text=_("お知らせを受け取るときに使います。"),
        error_messages={"invalid": _("メールアドレスの形が正しくありません。")},
    )
    notify_signup = forms.BooleanField(label=_("申し込みの結果"), required=False)
    notify_reminder = forms.BooleanField(label=_("活動の前日のお知らせ"), required=False)
    notify_changes = forms.BooleanField(label=_("活動の中止や変更"), required=False)

    def __init__(self, *args, participant: ParticipantProfile, **kwargs):
        user = participant.user
        known_skills, other_skills = self._split_known(participant.skills, SKILL)
        known_interests, other_interests = self._split_known(participant.interests, INTEREST)
        kwargs.setdefault(
            "initial",
            {
                "self_description": participant.self_description,
                "skills": known_skills,
                "skills_other": "、".join(other_skills),
                "interests": known_interests,
                "interests_other": "、".join(other_interests),
                "max_travel_km": Decimal(str(participant.max_travel_km)).quantize(Decimal("0.1")),
                "language": user.language if user else User.Language.JA,
                "email": user.email if user else "",
                "notify_signup": participant.notify_signup,
                "notify_reminder": participant.notify_reminder,
                "notify_changes": participant.notify_changes,
            },
        )
        super().__init__(*args, **kwargs)
        for name, kind in (("skills", SKILL), ("interests", INTEREST)):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [
                (term.ja, term_label(term.ja))
                for _key, _group, members in terms_grouped(kind)
                for term in members
            ]
            field.error_messages["invalid_choice"] = _("一覧にない項目が選ばれました。")

    @staticmethod
    def _split_known(stored: list[str], kind: str) -> tuple[list[str], list[str]]:
        """Stored terms that are checkboxes of this kind, and the rest (free text)."""
        boxes = {t.ja for _key, _group, members in terms_grouped(kind) for t in members}
        known: list[str] = []
        other: list[str] = []
        for term in stored:
            canonical = canonical_term(term)
            (known if canonical in boxes else other).append(canonical)
        return known, other

    def grouped(self, name: str) -> list[tuple[object, list, bool]]:
        """The checkboxes of ``name`` (skills or interests) by vocabulary group,
        each with whether any of its boxes is ticked (the group starts open)."""
        kind = SKILL if name == "skills" else INTEREST
        boxes = {box.data["value"]: box for box in self[name]}
        grouped = []
        for _key, group, members in terms_grouped(kind):
            mine = [boxes[t.ja] for t in members if t.ja in boxes]
            grouped.append((group, mine, any(box.data["selected"] for box in mine)))
        return grouped

    @property
    def skill_groups(self):
        return self.grouped("skills")

    @property
    def interest_groups(self):
        return self.grouped("interests")

    def _in_stored_order(self, name: str) -> list[str]:
        """The ticked boxes: those she had, in her order, then the new ones."""
        ticked = list(self.cleaned_data[name])
        had = [t for t in self.initial.get(name, []) if t in ticked]
        return [*had, *(t for t in ticked if t not in had)]

    def changes(self) -> dict:
        """What to hand to participant_profile_update (availability aside)."""
        data = self.cleaned_data
        return {
            "self_description": data["self_description"],
            "skills": [*self._in_stored_order("skills"), *_split_terms(data["skills_other"])],
            "interests": [
                *self._in_stored_order("interests"),
                *_split_terms(data["interests_other"]),
            ],
            "max_travel_km": data["max_travel_km"],
            "language": data["language"],
            "email": data["email"],
            "notify_signup": data["notify_signup"],
            "notify_reminder": data["notify_reminder"],
            "notify_changes": data["notify_changes"],
        }


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("曜日"),
        coerce=int,
        choices=[("", _("曜日を選ぶ")), *Weekday.choices],
        error_messages={
            "required": _("曜日を選んでください。"),
            "invalid_choice": _("曜日を選んでください。"),
        },
    )
    start = forms.TimeField(
        label=_("から"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("始まりの時刻を入力してください。"),
            "invalid": _("時刻は 9:30 のように入力してください。"),
        },
    )
    end = forms.TimeField(
        label=_("まで"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("終わりの時刻を入力してください。"),
            "invalid": _("時刻は 9:30 のように入力してください。"),
        },
    )


class BaseAvailabilityFormSet(forms.BaseFormSet):
    """Weekly slots; a row left blank (or ticked to delete) is simply not kept."""

    def _construct_form(self, i, **kwargs):
        kwargs.update(empty_permitted=True, use_required_attribute=False)
        return super()._construct_form(i, **kwargs)

    def slots(self) -> list[tuple[int, time, time]]:
        return [
            (form.cleaned_data["weekday"], form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.has_changed()
            and not (self.can_delete and form.cleaned_data.get("DELETE"))
            and {"weekday", "start", "end"} <= set(form.cleaned_data)
        ]

    def clean(self):
        if any(self.errors):
            return
        problems = availability_errors(self.slots())
        if problems:
            raise forms.ValidationError(problems)


AvailabilityFormSet = forms.formset_factory(
    AvailabilityForm,
    formset=BaseAvailabilityFormSet,
    extra=2,
    can_delete=True,
    max_num=21,
    validate_max=True,
)


def availability_formset(*, participant: ParticipantProfile, data=None) -> BaseAvailabilityFormSet:
    """Her slots as rows (bound to ``data`` on a POST), plus blank rows to add."""
    if data is not None:
        formset = AvailabilityFormSet(data, prefix="slots")
        assert isinstance(formset, BaseAvailabilityFormSet)
        return formset
    initial = [
        {"weekday": s.weekday, "start": s.start, "end": s.end}
        for s in participant.availability.order_by("weekday", "start")
    ]
    formset = AvailabilityFormSet(initial=initial, prefix="slots")
    assert isinstance(formset, BaseAvailabilityFormSet)
    return formset
