"""Secretariat (事務局) pages: fee rules and budgets, monthly payout runs,
training days, spreadsheet imports and the programme dashboard.

Every page requires a logged-in secretariat user; anyone else gets 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.clock import fiscal_year_of, local_today, month_start
from core.errors import DomainError
from core.htmx import is_htmx
from core.importing import ImportReport, importer_named, importer_names
from secretariat.forms import FeeRuleForm, ManualAdjustmentForm
from training import selectors
from training.exports import CONTENT_TYPES, EXPORTERS, line_note, units_text
from training.import_jobs import import_job_confirm, import_job_start
from training.models import (
    AuditEntry,
    FeeRule,
    ImportJob,
    ManualAdjustment,
    PayoutLine,
    PayoutRun,
    ProgrammeTarget,
)
from training.services import (
    fee_rule_save,
    parse_month,
    payout_adjustment_add,
    payout_adjustment_remove,
    payout_run_approve,
    payout_run_compute,
    payout_run_mark_paid,
    target_set,
)

IMPORT_LABELS = {
    "attendance": gettext_lazy("出欠表"),
    "partners": gettext_lazy("協力機関"),
    "participants": gettext_lazy("参加者"),
    "opportunities": gettext_lazy("活動"),
    "fee_rules": gettext_lazy("謝金ルール"),
    "activities": gettext_lazy("活動実績（居場所・子ども食堂・フードバンク）"),
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def secretariat_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_secretariat:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


FISCAL_YEARS = (2000, 2100)
MAX_TARGET = 2**31 - 1  # ProgrammeTarget.target is a PostgreSQL integer


def _whole_number(raw: str, low: int, high: int) -> int | None:
    """``raw`` as an integer in [low, high], or None (never an exception)."""
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def _fiscal_year(request) -> tuple[int, int]:
    """The ?fy= of the page and the HTTP status to answer with: a year that is
    not a whole number from 2000 to 2100 shows the current fiscal year with an
    error message and status 400 (rather than an error page or a 500)."""
    raw = request.GET.get("fy", "")
    if raw.strip() == "":
        return fiscal_year_of(local_today()), 200
    fy = _whole_number(raw, *FISCAL_YEARS)
    if fy is not None:
        return fy, 200
    messages.error(
        request,
        _("年度は%(low)s〜%(high)sの整数で指定してください。今年度を表示しています。")
        % {"low": FISCAL_YEARS[0], "high": FISCAL_YEARS[1]},
    )
    return fiscal_year_of(local_today()), 400


@secretariat_required
def dashboard(request):
    fy, status = _fiscal_year(request)
    rows = selectors.dashboard_rows(fiscal_year=fy)
    budgets = [selectors.budget_status(rule=r) for r in FeeRule.objects.filter(fiscal_year=fy)]
    monthly = selectors.programme_monthly(fiscal_year=fy)
    chart = {
        "labels": [str(r["label"]) for r in rows],
        "targets": [r["target"] or 0 for r in rows],
        "actuals": [r["actual"] for r in rows],
        "months": [f"{m['month']:%Y-%m}" for m in monthly],
        "ue_days": [m["ue_days"] for m in monthly],
        "ue_person_days": [m["ue_person_days"] for m in monthly],
    }
    return render(
        request,
        "secretariat/dashboard.html",
        {"fy": fy, "rows": rows, "budgets": budgets, "chart": chart, "monthly": monthly},
        status=status,
    )


@secretariat_required
def targets_edit(request):
    fy, status = _fiscal_year(request)
    current = dict(ProgrammeTarget.objects.filter(fiscal_year=fy).values_list("metric", "target"))
    if request.method == "POST" and status == 200:
        # Every value is checked before any is saved: one bad value saves nothing.
        wanted, errors = {}, []
        for metric in ProgrammeTarget.Metric:
            raw = request.POST.get(metric.value, "").strip()
            if raw == "":
                continue
            target = _whole_number(raw, 0, MAX_TARGET)
            if target is None:
                errors.append(metric.label)
            wanted[metric.value] = target if target is not None else raw
        if errors:
            messages.error(
                request,
                _(
                    "次の目標は0以上%(max)sまでの整数で入力してください: %(names)s。"
                    "何も保存していません。"
                )
                % {"max": f"{MAX_TARGET:,}", "names": "、".join(str(e) for e in errors)},
            )
            current.update(wanted)  # show what was typed, next to the message
            status = 400
        else:
            try:
                with transaction.atomic():
                    for metric_value, target in wanted.items():
                        target_set(
                            fiscal_year=fy, metric=metric_value, target=target, by=request.user
                        )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("%(fy)s年度の目標を保存しました。") % {"fy": fy})
                return redirect(f"{request.path}?fy={fy}")
    fields = [
        {"name": m.value, "label": m.label, "value": current.get(m.value, "")}
        for m in ProgrammeTarget.Metric
    ]
    return render(
        request, "secretariat/targets_form.html", {"fy": fy, "fields": fields}, status=status
    )


@secretariat_required
def fee_rule_list(request):
    rules = FeeRule.objects.order_by("-fiscal_year", "code")
    rows = [selectors.budget_status(rule=r) for r in rules]
    return render(request, "secretariat/fee_rule_list.html", {"rows": rows})


@secretariat_required
def fee_rule_edit(request, code: str | None = None):
    rule = get_object_or_404(FeeRule, code=code) if code else None
    if request.method == "POST":
        form = FeeRuleForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            new_code = values.pop("code")
            values["kinds"] = sorted(values["kinds"])
            try:
                if rule is not None and new_code != rule.code:
                    raise DomainError(_("既存のルールのコードは変更できません。"))
                fee_rule_save(code=new_code, values=values, by=request.user)
            except (DomainError, ValidationError) as exc:
                message = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
                form.add_error(None, message)
            else:
                messages.success(
                    request, _("謝金ルール %(code)s を保存しました。") % {"code": new_code}
                )
                return redirect("secretariat:fee_rule_list")
    else:
        form = FeeRuleForm(
            initial=FeeRuleForm.initial_for(rule)
            if rule
            else {"fiscal_year": fiscal_year_of(local_today())}
        )
    return render(request, "secretariat/fee_rule_form.html", {"form": form, "rule": rule})


@secretariat_required
def payout_run_list(request):
    return _payout_run_list_page(request)


def _payout_run_list_page(request, status: int = 200):
    runs = selectors.run_list().order_by("-month", "rule__code")[:200]
    rules = FeeRule.objects.order_by("-fiscal_year", "code")
    default_month = month_start(local_today())
    return render(
        request,
        "secretariat/payout_run_list.html",
        {"runs": runs, "rules": rules, "default_month": f"{default_month:%Y-%m}"},
        status=status,
    )


@secretariat_required
@require_POST
def payout_run_compute_view(request):
    rule_id = _whole_number(request.POST.get("rule", ""), 1, 2**63 - 1)
    if rule_id is None:
        messages.error(request, _("謝金ルールを一覧から選んでください。"))
        return _payout_run_list_page(request, status=400)
    rule = get_object_or_404(FeeRule, pk=rule_id)
    try:
        run = payout_run_compute(
            rule=rule, month=parse_month(request.POST.get("month", "")), by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("secretariat:payout_run_list")
    messages.success(
        request, _("%(run)s を計算しました。") % {"run": f"{rule.code} {run.month:%Y-%m}"}
    )
    return redirect("secretariat:payout_run_detail", pk=run.pk)


@secretariat_required
def payout_run_detail(request, pk: int):
    run = get_object_or_404(
        selectors.with_staleness(
            PayoutRun.objects.select_related("rule", "approved_by", "paid_by")
        ),
        pk=pk,
    )
    lines = list(run.lines.order_by("position"))
    for line in lines:
        # Display-only attributes for the template, computed once per line.
        line.units_text = units_text(line, run.rule.basis)  # type: ignore[attr-defined]
        line.note = line_note(line)  # type: ignore[attr-defined]
    open_line = None
    if request.GET.get("line"):
        open_line = next((x for x in lines if str(x.pk) == request.GET["line"]), None)
    audit = AuditEntry.objects.filter(target_type="training.payoutrun", target_id=str(run.pk))[:20]
    return render(
        request,
        "secretariat/payout_run_detail.html",
        {
            "run": run,
            "lines": lines,
            "open_line": open_line,
            "open_sessions": selectors.line_sessions(line=open_line) if open_line else None,
            "budget": selectors.budget_status(rule=run.rule),
            "audit": audit,
            "formats": list(EXPORTERS),
            "adjustments": run.manual_adjustments.select_related("partner", "supporter"),
            "adjustment_form": ManualAdjustmentForm(),
        },
    )


@secretariat_required
def payout_line_sessions(request, pk: int, line_pk: int):
    """The qualifying sessions behind one line (an htmx fragment, or the run page)."""
    line = get_object_or_404(PayoutLine.objects.select_related("run__rule"), pk=line_pk, run_id=pk)
    if not is_htmx(request):
        return redirect(
            f"{reverse('secretariat:payout_run_detail', args=[pk])}?line={line.pk}#line-{line.pk}"
        )
    return render(
        request,
        "secretariat/payout_run_detail.html#line-sessions",
        {"line": line, "sessions": selectors.line_sessions(line=line), "run": line.run},
    )


def _run_action(request, pk: int, action, done: str):
    run = get_object_or_404(PayoutRun.objects.select_related("rule"), pk=pk)
    try:
        if action is payout_run_compute:
            run = payout_run_compute(rule=run.rule, month=run.month, by=request.user)
        else:
            run = action(run=run, by=request.user)
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("secretariat:payout_run_detail", pk=run.pk)


@secretariat_required
@require_POST
def payout_run_recompute(request, pk: int):
    return _run_action(request, pk, payout_run_compute, _("再計算しました。"))


@secretariat_required
@require_POST
def payout_run_approve_view(request, pk: int):
    return _run_action(
        request, pk, payout_run_approve, _("承認しました。以後この月の明細は変わりません。")
    )


@secretariat_required
@require_POST
def payout_run_mark_paid_view(request, pk: int):
    return _run_action(request, pk, payout_run_mark_paid, _("支払済みにしました。"))


@secretariat_required
@require_POST
def payout_adjustment_add_view(request, pk: int):
    run = get_object_or_404(PayoutRun, pk=pk)
    form = ManualAdjustmentForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
        return redirect("secretariat:payout_run_detail", pk=run.pk)
    try:
        payout_adjustment_add(run=run, by=request.user, **form.cleaned_data)
        messages.success(request, _("手動調整を追加し、再計算しました。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("secretariat:payout_run_detail", pk=run.pk)


@secretariat_required
@require_POST
def payout_adjustment_remove_view(request, pk: int, adjustment_pk: int):
    adjustment = get_object_or_404(ManualAdjustment, pk=adjustment_pk, run_id=pk)
    try:
        payout_adjustment_remove(adjustment=adjustment, by=request.user)
        messages.success(request, _("手動調整を取り消し、再計算しました。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("secretariat:payout_run_detail", pk=pk)


@secretariat_required
def payout_run_export(request, pk: int, fmt: str):
    run = get_object_or_404(PayoutRun.objects.select_related("rule"), pk=pk)
    if fmt not in EXPORTERS:
        raise PermissionDenied
    # The pages' statement has Japanese headers and a total line (the
    # command's default format is the one other systems read).
    response = HttpResponse(EXPORTERS[fmt](run, headers="ja"), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="payout-{run.rule.code}-{run.month:%Y-%m}.{fmt}"'
    )
    return response


@secretariat_required
def training_days(request):
    fy, status = _fiscal_year(request)
    return render(
        request,
        "secretariat/training_days.html",
        {
            "fy": fy,
            "participants": selectors.training_days_per_participant(fiscal_year=fy),
            "partners": selectors.training_days_per_partner(fiscal_year=fy),
        },
        status=status,
    )


def _import_page_context(kind: str) -> dict:
    return {
        "kinds": IMPORT_LABELS,
        "kind": kind,
        "columns": [(IMPORT_LABELS[k], ",".join(importer_named(k).columns)) for k in IMPORT_LABELS],
        "jobs": ImportJob.objects.defer("data", "report").select_related("created_by")[:10],
    }


@secretariat_required
def import_upload(request):
    """Upload → a preview job in the worker (training.import_jobs) → its page.
    The job keeps the uploaded bytes, so what a confirmation writes is exactly
    what was previewed."""
    kind = request.POST.get("kind") or request.GET.get("kind") or "attendance"
    if request.method != "POST":
        return render(request, "secretariat/import_upload.html", _import_page_context(kind))
    if kind not in importer_names():
        raise PermissionDenied
    upload = request.FILES.get("file")
    error = None
    if upload is None:
        error = _("ファイルを選んでください。")
    elif upload.size > MAX_UPLOAD_BYTES:
        error = _("ファイルが大きすぎます（5MBまで）。")
    else:
        try:
            job = import_job_start(
                kind=kind, filename=upload.name or "", data=upload.read(), by=request.user
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("secretariat:import_job", pk=job.pk)
    messages.error(request, error)
    return render(request, "secretariat/import_upload.html", _import_page_context(kind), status=400)


OUTCOME_LABELS = {
    "created": gettext_lazy("新規"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("変更なし"),
}


def _import_job_page(request, job: ImportJob, *, partial: bool = False, status: int = 200):
    report = job.report or {}
    outcomes = [
        {**o, "outcome_label": OUTCOME_LABELS.get(o["outcome"], o["outcome"])}
        for o in report.get("outcomes", [])
    ]
    write_job = ImportJob.objects.filter(preview=job).only("pk", "status").first()
    context = {
        "job": job,
        "kind_label": IMPORT_LABELS.get(job.kind, job.kind),
        "report": report,
        "outcomes": outcomes,
        "more_rows": max(
            0,
            report.get("created", 0)
            + report.get("updated", 0)
            + report.get("unchanged", 0)
            - len(outcomes),
        ),
        "summary": ImportReport(
            created=report.get("created", 0),
            updated=report.get("updated", 0),
            unchanged=report.get("unchanged", 0),
        ).summary(),
        "write_job": write_job,
        "can_confirm": (
            job.mode == ImportJob.Mode.PREVIEW
            and job.status == ImportJob.Status.DONE
            and not report.get("error_count", 0)
            and write_job is None
        ),
    }
    template = "secretariat/import_job.html"
    return render(
        request, f"{template}#job-status" if partial else template, context, status=status
    )


def _import_job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


@secretariat_required
def import_job(request, pk: int):
    return _import_job_page(request, _import_job(pk), partial=is_htmx(request))


@secretariat_required
def import_job_status(request, pk: int):
    """The status part of the job page, polled by htmx while the job runs."""
    job = _import_job(pk)
    if not is_htmx(request):
        return redirect("secretariat:import_job", pk=job.pk)
    return _import_job_page(request, job, partial=True)


@secretariat_required
@require_POST
def import_job_confirm_view(request, pk: int):
    job = _import_job(pk)
    try:
        write = import_job_confirm(job=job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        job.refresh_from_db()
        return _import_job_page(request, job, status=exc.status_code)
    messages.success(
        request,
        _("%(kind)sの取り込みを始めました。終わるとこのページに結果が出ます。")
        % {"kind": IMPORT_LABELS.get(write.kind, write.kind)},
    )
    return redirect("secretariat:import_job", pk=write.pk)


@secretariat_required
def audit_log(request):
    page = Paginator(AuditEntry.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "secretariat/audit_log.html", {"page_obj": page})
