"""The staff sign-in form: password and a TOTP code in one step."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.http import HttpRequest
from django_otp import match_token


class SignInForm(forms.Form):
    username = forms.CharField(label="ユーザー名 (User name)", max_length=150)
    password = forms.CharField(label="パスワード (Password)", widget=forms.PasswordInput)
    otp_token = forms.CharField(
        label="確認コード (6-digit code from your authenticator app)",
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    error_messages = {
        "invalid": (
            "ユーザー名、パスワードまたは確認コードが正しくありません。(The user name, password or code is wrong.)"
        ),
    }

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        self.device: Any = None
        super().__init__(*args, **kwargs)

    def clean_otp_token(self) -> str:
        # Accept full-width digits and spaces as typed on a Japanese IME ("１２３ ４５６").
        token = "".join(unicodedata.normalize("NFKC", self.cleaned_data["otp_token"]).split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError(
                "確認コードは6桁の数字で入力してください。(Enter the 6-digit code.)", code="format"
            )
        return token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        user = authenticate(self.request, username=data["username"], password=data["password"])
        if user is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        device = match_token(user, data["otp_token"])
        if device is None:
            # A right password with a wrong code is a failed sign-in too: django-axes counts it.
            user_login_failed.send(sender=__name__, credentials={"username": data["username"]}, request=self.request)
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.user, self.device = user, device
        return data


__all__ = ["SignInForm", "user_logged_in"]
