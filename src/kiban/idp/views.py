"""The provider's sign-in page (standing in for reading the card and entering its PIN) and authorization."""

from django import forms
from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from oauth2_provider.views import AuthorizationView


class CitizenAuthorizationView(AuthorizationView):
    """Authorization for citizens only: anyone else (staff, operators) is sent to the citizen sign-in."""

    login_url = "/idp/login/"

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated and not getattr(request.user, "is_citizen", False):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class CitizenSignInForm(forms.Form):
    username = forms.CharField(label="利用者ID (user id)", max_length=150)
    password = forms.CharField(label="暗証番号 (PIN)", widget=forms.PasswordInput)


def sign_in(request: HttpRequest) -> HttpResponse:
    form = CitizenSignInForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is not None and getattr(user, "is_citizen", False):
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return redirect(next_url)
        form.add_error(None, "利用者IDまたは暗証番号が違います。(Wrong user id or PIN.)")
    return render(request, "idp/login.html", {"form": form, "next": next_url}, status=400 if form.errors else 200)
