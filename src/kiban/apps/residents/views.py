"""Counter (窓口) views of resident records."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view

from . import selectors
from .permissions import READ_ROLES
from .validation import ProcedureError


class SearchForm(forms.Form):
    kana = forms.CharField(label="カナ氏名 (name in kana)", max_length=64, required=False)
    name = forms.CharField(label="漢字氏名 (name)", max_length=64, required=False)
    address = forms.CharField(label="住所 (address)", max_length=128, required=False)
    birth_date = forms.DateField(label="生年月日 (date of birth)", required=False)
    purpose = forms.CharField(label="利用目的 (purpose)", max_length=200)


class PurposeForm(forms.Form):
    purpose = forms.CharField(label="利用目的 (purpose)", max_length=200)


@staff_view(*READ_ROLES)
def resident_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        criteria = selectors.SearchCriteria(
            kana=data["kana"], name=data["name"], address=data["address"], birth_date=data["birth_date"]
        )
        try:
            results = selectors.search(criteria, data["purpose"])
        except ProcedureError as exc:
            for error in exc.errors:
                form.add_error(None, f"{error.message} ({error.message_en})")
    return render(request, "residents/search.html", {"form": form, "results": results})


@staff_view(*READ_ROLES)
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    form = PurposeForm(request.GET or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", {"form": form}, status=400 if request.GET else 200)
    resident = selectors.open_resident(resident_id, form.cleaned_data["purpose"])
    if resident is None:
        raise Http404("no such resident")
    return render(request, "residents/detail.html", {"resident": resident})
