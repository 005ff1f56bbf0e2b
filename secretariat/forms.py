from django import forms
from django.utils.translation import gettext_lazy as _

from opportunities.models import Opportunity
from training.models import FeeRule


class FeeRuleForm(forms.Form):
    """Shape only; the rules (money terms fixed after approval) are in fee_rule_save."""

    code = forms.CharField(label=_("ルールコード"), max_length=30)
    name = forms.CharField(label=_("名称"), max_length=200)
    payee = forms.ChoiceField(label=_("支払先"), choices=FeeRule.Payee.choices)
    basis = forms.ChoiceField(label=_("単位"), choices=FeeRule.Basis.choices)
    rate_yen = forms.IntegerField(label=_("単価（円）"), min_value=0)
    monthly_cap_yen = forms.IntegerField(
        label=_("月額上限（円、なしは空欄）"), min_value=0, required=False
    )
    budget_yen = forms.IntegerField(
        label=_("年度予算（円、なしは空欄）"), min_value=0, required=False
    )
    fiscal_year = forms.IntegerField(label=_("年度（開始年）"), min_value=2000, max_value=2100)
    kinds = forms.MultipleChoiceField(
        label=_("対象の活動（なしはすべて）"),
        choices=Opportunity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(
        label=_("適用開始日（空欄は年度の初日）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("適用終了日（空欄は年度の末日）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        payee, basis = data.get("payee"), data.get("basis")
        if payee == "supporter" and basis != "hour":
            self.add_error("basis", _("サポーターへの支払は「1時間あたり」にしてください。"))
        if payee == "partner" and basis == "hour":
            self.add_error("basis", _("協力機関への支払は回・日・月のいずれかにしてください。"))
        return data

    @classmethod
    def initial_for(cls, rule: FeeRule) -> dict:
        return {f: getattr(rule, f) for f in cls.base_fields}


class ManualAdjustmentForm(forms.Form):
    """Shape only; payout_adjustment_add checks the payee and the run's state."""

    payee_code = forms.CharField(label=_("支払先コード"), max_length=40)
    amount_yen = forms.IntegerField(
        label=_("調整額（円、減額はマイナス）"), min_value=-10_000_000, max_value=10_000_000
    )
    reason = forms.CharField(
        label=_("理由（明細に載ります）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_amount_yen(self):
        amount = self.cleaned_data["amount_yen"]
        if amount == 0:
            raise forms.ValidationError(_("0円の調整はできません。"))
        return amount
