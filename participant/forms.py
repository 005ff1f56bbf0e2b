from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from opportunities.models import Opportunity


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("ことばでさがす"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("例：土いじり、静かな作業、本")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("種類"), required=False, choices=[("", _("すべて")), *Opportunity.Kind.choices]
    )
    municipality = forms.ChoiceField(label=_("市町村"), required=False, choices=[])
    weekday = forms.TypedChoiceField(
        label=_("曜日"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("いつでも")), *Weekday.choices],
    )
    time_of_day = forms.ChoiceField(
        label=_("時間帯"),
        required=False,
        choices=[
            ("", _("いつでも")),
            ("morning", _("午前")),
            ("afternoon", _("午後")),
            ("evening", _("夕方から")),
        ],
    )
    fit = forms.ChoiceField(
        label=_("ステップ"),
        required=False,
        choices=[
            ("", _("すべて")),
            ("fit", _("今の自分に合うもの")),
            ("next_step", _("次のステップも含める")),
        ],
    )

    def __init__(self, *args, municipalities: list[str], for_participant: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [("", _("すべて"))] + [(m, m) for m in municipalities]
        if not for_participant:
            # Readiness fit only means something for a participant with a step.
            del self.fields["fit"]
