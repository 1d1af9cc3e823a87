from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from recall.api.models import MAX_TOKEN_NAME_LENGTH

from .actions import DELETED_USERNAME


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="Used only to reset your password; never shown to anyone.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username")
        if username and username.lower() == DELETED_USERNAME:
            raise forms.ValidationError("This username is reserved.")
        return super().clean_username()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=MAX_TOKEN_NAME_LENGTH,
        help_text="What the token is for, such as “flashcards script” or “laptop”.",
    )


class AccountDeleteForm(forms.Form):
    KEEP, DELETE = "keep", "delete"
    content = forms.ChoiceField(
        label="What you wrote",
        widget=forms.RadioSelect,
        choices=[
            (KEEP, "Keep my resources and comments on the site, under “deleted user”"),
            (DELETE, "Delete my resources and comments too"),
        ],
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
