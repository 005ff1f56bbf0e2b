from django import forms
from django.utils.translation import gettext_lazy as _


class FirstLoginForm(forms.Form):
    code = forms.CharField(
        label=_("支援員からもらったコード（8文字）"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-EFGH",
            }
        ),
    )
    password1 = forms.CharField(
        label=_("これから使うパスワード（8文字以上）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("もう一度、同じパスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("2つのパスワードが違います。もう一度入力してください。"))
        return data
