"""The secretariat's people pages: staff accounts (partner staff, coaches,
secretariat), a one-time link for each to set their password, and coach
caseloads (moving participants from one coach to another, audited)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from opportunities.models import Partner
from people.account_services import (
    STAFF_ROLES,
    caseload_reassign,
    staff_account_create,
    staff_account_set_active,
    staff_account_update,
    staff_password_link,
)
from people.models import ParticipantProfile, User
from secretariat.views import secretariat_required
from training.services import audit_record

PAGE_SIZE = 25
ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


class StaffAccountForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("ユーザー名（ログインに使います）"), max_length=150
    )
    last_name = forms.CharField(label=gettext_lazy("姓"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("名"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("メールアドレス"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("役割"), choices=ROLE_CHOICES)
    partner = forms.ModelChoiceField(
        label=gettext_lazy("所属する協力機関（協力機関スタッフのみ）"),
        queryset=Partner.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    language = forms.ChoiceField(label=gettext_lazy("言語"), choices=User.Language.choices)

    def __init__(self, *args, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing is not None:
            del self.fields["username"]
            if editing.partner_id:
                # An inactive partner's staff keep their partner while being edited.
                partner_field = self.fields["partner"]
                assert isinstance(partner_field, forms.ModelChoiceField)
                partner_field.queryset = Partner.objects.filter(
                    Q(is_active=True) | Q(pk=editing.partner_id)
                ).order_by("code")


def staff_search(*, query: str, role: str):
    qs = (
        User.objects.filter(role__in=STAFF_ROLES)
        .select_related("partner")
        .annotate(caseload_count=Count("caseload"))
    )
    if role in dict(ROLE_CHOICES):
        qs = qs.filter(role=role)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(email__icontains=query)
            | Q(partner__name__icontains=query)
        )
    return qs.order_by("role", "last_name", "first_name", "username")


@secretariat_required
def people_list(request):
    query = request.GET.get("q", "")[:100]
    role = request.GET.get("role", "")
    page = Paginator(staff_search(query=query, role=role), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "secretariat/people.html",
        {"page": page, "query": query, "role": role, "roles": ROLE_CHOICES},
    )


def _account_fields(data: dict) -> dict:
    role = data["role"]
    return {
        "last_name": data["last_name"],
        "first_name": data["first_name"],
        "email": data["email"],
        "role": role,
        "partner": data["partner"] if role == User.Role.PARTNER_STAFF else None,
        "language": data["language"],
    }


def _account_snapshot(user: User) -> dict:
    """What the audit log keeps of a staff account (never a password)."""
    return {
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "role": user.role,
        "partner": str(user.partner) if user.partner_id else "",
        "language": user.language,
        "is_active": user.is_active,
    }


@secretariat_required
def people_new(request):
    initial = {"role": request.GET.get("role", User.Role.COACH), "language": "ja"}
    if request.GET.get("partner", "").isdigit():
        initial["partner"] = int(request.GET["partner"])
    form = StaffAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = staff_account_create(
                    by=request.user,
                    username=form.cleaned_data["username"],
                    **_account_fields(form.cleaned_data),
                )
                audit_record(
                    by=request.user,
                    action="staff_account_created",
                    target=user,
                    before=None,
                    after=_account_snapshot(user),
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "%(name)sさんのアカウントを作りました。"
                    "パスワード設定のリンクを作って、本人に渡してください。"
                )
                % {"name": user.display_name},
            )
            return redirect("secretariat:people_edit", pk=user.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "secretariat/people_form.html", {"form": form, "account": None}, status=status
    )


def _staff_or_404(pk: int) -> User:
    return get_object_or_404(User.objects.filter(role__in=STAFF_ROLES), pk=pk)


@secretariat_required
def people_edit(request, pk: int):
    account = _staff_or_404(pk)
    initial = {
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
        "role": account.role,
        "partner": account.partner_id,
        "language": account.language,
    }
    form = StaffAccountForm(request.POST or None, initial=initial, editing=account)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                before = _account_snapshot(account)
                staff_account_update(
                    by=request.user, user=account, **_account_fields(form.cleaned_data)
                )
                account.refresh_from_db()
                after = _account_snapshot(account)
                if after != before:
                    audit_record(
                        by=request.user,
                        action="staff_account_changed",
                        target=account,
                        before=before,
                        after=after,
                    )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)sさんのアカウントを保存しました。") % {"name": account.display_name},
            )
            return redirect("secretariat:people_edit", pk=account.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "secretariat/people_form.html",
        {
            "form": form,
            "account": account,
            "password_link": request.session.pop("password_link", ""),
        },
        status=status,
    )


@secretariat_required
def people_active(request, pk: int):
    """GET asks for confirmation; POST deactivates (or reactivates) the account."""
    account = _staff_or_404(pk)
    activate = not account.is_active
    if request.method != "POST":
        return render(
            request, "secretariat/people_confirm.html", {"account": account, "activate": activate}
        )
    try:
        with transaction.atomic():
            staff_account_set_active(by=request.user, user=account, active=activate)
            audit_record(
                by=request.user,
                action="staff_account_activated" if activate else "staff_account_deactivated",
                target=account,
                before={"is_active": not activate},
                after={"is_active": activate},
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if activate:
            messages.success(
                request,
                _("%(name)sさんのアカウントを有効に戻しました。") % {"name": account.display_name},
            )
        else:
            messages.success(
                request,
                _("%(name)sさんのアカウントを無効にしました。ログインできなくなります。")
                % {"name": account.display_name},
            )
    return redirect("secretariat:people_edit", pk=account.pk)


@secretariat_required
def people_password_link(request, pk: int):
    """POST: a one-time link for the person to set their password, shown once."""
    account = _staff_or_404(pk)
    if request.method != "POST":
        return redirect("secretariat:people_edit", pk=account.pk)
    try:
        # The link itself is a credential: the log records that one was made, not the link.
        with transaction.atomic():
            path = staff_password_link(by=request.user, user=account)
            audit_record(
                by=request.user,
                action="staff_password_link_issued",
                target=account,
                before=None,
                after={"username": account.username},
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        request.session["password_link"] = request.build_absolute_uri(path)
    return redirect("secretariat:people_edit", pk=account.pk)


def _coach_label(user: User | None) -> str:
    return user.display_name if user is not None else _("（担当なし）")


@secretariat_required
def caseload(request):
    """Coaches with their caseloads; pick a coach (or the unassigned), tick
    participants and move them to another coach. Each move is audited."""
    coaches = (
        User.objects.filter(role=User.Role.COACH)
        .annotate(caseload_count=Count("caseload"))
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    source = request.GET.get("coach", "") or request.POST.get("from", "")
    source_coach = coaches.filter(pk=source).first() if source.isdigit() else None
    if source == "none" or source_coach is not None:
        participants = ParticipantProfile.objects.filter(coach=source_coach).only(
            "id", "code", "display_name", "municipality", "coach_id"
        )
    else:
        participants = ParticipantProfile.objects.none()
    error = ""
    if request.method == "POST":
        codes = request.POST.getlist("participants")
        target = request.POST.get("to", "")
        chosen = list(participants.filter(code__in=codes))
        to_coach = coaches.filter(pk=target, is_active=True).first() if target.isdigit() else None
        if not chosen:
            error = _("引き継ぐ参加者を1人以上選んでください。")
        elif target != "none" and to_coach is None:
            error = _("引き継ぎ先の支援員を選んでください。")
        else:
            try:
                with transaction.atomic():
                    changed = caseload_reassign(
                        by=request.user, participants=chosen, coach=to_coach
                    )
                    for participant, previous in changed:
                        audit_record(
                            by=request.user,
                            action="caseload_reassigned",
                            target=participant,
                            before={"coach": _coach_label(previous)},
                            after={"coach": _coach_label(to_coach)},
                        )
            except DomainError as err:
                error = err.message
            else:
                messages.success(
                    request,
                    _("%(n)d人の担当を%(coach)sに変更しました。")
                    % {"n": len(changed), "coach": _coach_label(to_coach)},
                )
                return redirect(f"{request.path}?coach={source}")
    return render(
        request,
        "secretariat/people_caseload.html",
        {
            "coaches": coaches,
            "source": source,
            "source_coach": source_coach,
            "participants": participants.order_by("code"),
            "unassigned": ParticipantProfile.objects.filter(coach__isnull=True).count(),
            "error": error,
        },
        status=400 if error else 200,
    )
