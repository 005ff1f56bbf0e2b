"""The secretariat's partner pages: find, register and edit partner
organisations, and deactivate one (never delete: its history stays)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from opportunities.models import Partner
from opportunities.partner_services import partner_create, partner_set_active, partner_update
from secretariat.views import secretariat_required

PAGE_SIZE = 25


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "code",
            "name",
            "name_kana",
            "category",
            "municipality",
            "address",
            "lat",
            "lon",
            "phone",
            "offers_place",
            "offers_consultation",
            "offers_work_acceptance",
            "offers_cafeteria",
            "offers_food_bank",
            "offers_cool_station",
            "notify_staff",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code identifies the partner in imports and statements: it stays.
            del self.fields["code"]

    def offer_fields(self):
        return [self[name] for name in Partner.OFFER_FIELDS.values()]

    def detail_fields(self):
        skip = {*Partner.OFFER_FIELDS.values(), "notify_staff"}
        return [field for field in self if field.name not in skip]


STATUS_FILTERS = {
    "active": gettext_lazy("有効"),
    "inactive": gettext_lazy("無効"),
    "all": gettext_lazy("すべて"),
}


def partners_search(*, query: str, status: str):
    qs = Partner.objects.annotate(
        staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        opportunity_count=Count("opportunities", distinct=True),
    )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(code__icontains=query)
            | Q(name__icontains=query)
            | Q(name_kana__icontains=query)
            | Q(municipality__icontains=query)
        )
    return qs.order_by("code")


@secretariat_required
def partner_list(request):
    query = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "active")
    if status not in STATUS_FILTERS:
        status = "active"
    page = Paginator(partners_search(query=query, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "secretariat/partners.html",
        {"page": page, "query": query, "status": status, "status_filters": STATUS_FILTERS},
    )


def _save(request, form, *, create: bool):
    try:
        partner = form.save(commit=False)
        if create:
            partner_create(partner=partner, by=request.user)
        else:
            partner_update(partner=partner, by=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        if hasattr(error, "message_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    else:
        return partner
    return None


@secretariat_required
def partner_new(request):
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = _save(request, form, create=True)
        if partner is not None:
            messages.success(
                request, _("協力機関「%(name)s」を登録しました。") % {"name": partner.name}
            )
            return redirect("secretariat:partner_edit", pk=partner.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "secretariat/partners_form.html", {"form": form, "partner": None}, status=status
    )


@secretariat_required
def partner_edit(request, pk: int):
    partner = get_object_or_404(Partner, pk=pk)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, create=False) is not None:
            messages.success(
                request, _("協力機関「%(name)s」を保存しました。") % {"name": partner.name}
            )
            return redirect("secretariat:partner_edit", pk=partner.pk)
    status = 400 if request.method == "POST" else 200
    staff = partner.staff.order_by("last_name", "first_name", "username")
    return render(
        request,
        "secretariat/partners_form.html",
        {"form": form, "partner": partner, "staff": staff},
        status=status,
    )


@secretariat_required
def partner_active(request, pk: int):
    """GET asks for confirmation; POST deactivates (or reactivates)."""
    partner = get_object_or_404(Partner, pk=pk)
    activate = not partner.is_active
    if request.method != "POST":
        return render(
            request,
            "secretariat/partners_confirm.html",
            {"partner": partner, "activate": activate},
        )
    partner_set_active(partner=partner, active=activate, by=request.user)
    if activate:
        messages.success(request, _("「%(name)s」を有効に戻しました。") % {"name": partner.name})
    else:
        messages.success(
            request,
            _("「%(name)s」を無効にしました。これまでの活動・出欠・支払の記録は残ります。")
            % {"name": partner.name},
        )
    return redirect("secretariat:partner_edit", pk=partner.pk)
