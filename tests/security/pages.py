"""Every page of the site that shows text people type, per role, for the
XSS/CSP tests (server side in tests/security, in Chromium in tests/browser)."""

from django.urls import reverse
from django.utils import timezone

from tests.security.xss_world import XssWorld, payload


def pages_by_role(w: XssWorld) -> dict[str, list[str]]:
    opp, nxt = w.opportunity.code, w.next_step.code
    part = w.participant.code
    line = w.partner_run.lines.exclude(session_ids=[]).first()
    assert line is not None
    rule = w.partner_run.rule.code
    job = _import_job(w)
    return {
        "anonymous": [
            reverse("home"),
            reverse("opportunity_list"),
            reverse("opportunity_list") + "?q=畑",
            reverse("opportunity_detail", args=[opp]),
            reverse("partner_map"),
            reverse("login"),
            reverse("admin:login"),
            "/api/docs",
        ],
        "participant": [
            reverse("home"),
            reverse("opportunity_list"),
            reverse("opportunity_detail", args=[opp]),
            reverse("opportunity_detail", args=[nxt]),
            reverse("partner_map"),
            reverse("my_schedule"),
            reverse("my_profile"),
            reverse("signup_cancel", args=[w.signup.pk]),
        ],
        "coach": [
            reverse("coach_caseload"),
            reverse("coach_participant", args=[part]),
            reverse("coach_opportunity", args=[opp]),
            reverse("coach_signup_decline", args=[w.request.pk]),
            reverse("opportunity_detail", args=[opp]),
            reverse("partner_map"),
        ],
        "staff": [
            reverse("partner_dashboard"),
            reverse("partner_profile"),
            reverse("partner_opportunity_list"),
            reverse("partner_opportunity", args=[opp]),
            reverse("partner_opportunity_edit", args=[opp]),
            reverse("partner_opportunity_close", args=[opp]),
            reverse("partner_session", args=[w.today.pk]),
            reverse("partner_session", args=[w.past.pk]),
            reverse("partner_session_cancel", args=[w.upcoming.pk]),
        ],
        "secretariat": [
            reverse("secretariat:dashboard"),
            reverse("secretariat:fee_rule_list"),
            reverse("secretariat:fee_rule_edit", args=[rule]),
            reverse("secretariat:payout_run_list"),
            reverse("secretariat:payout_run_detail", args=[w.partner_run.pk]),
            reverse("secretariat:payout_run_detail", args=[w.supporter_run.pk]),
            reverse("secretariat:payout_run_detail", args=[w.partner_run.pk]) + f"?line={line.pk}",
            reverse("secretariat:training_days"),
            reverse("secretariat:audit_log"),
            reverse("secretariat:import_upload"),
            reverse("secretariat:import_job", args=[job.pk]),
            reverse("secretariat:targets_edit"),
            reverse("coach_caseload"),
            reverse("coach_participant", args=[part]),
            reverse("admin:index"),
            reverse("admin:opportunities_partner_changelist"),
            reverse("admin:opportunities_partner_change", args=[w.partner.pk]),
            reverse("admin:opportunities_opportunity_change", args=[w.opportunity.pk]),
            reverse("admin:people_participantprofile_change", args=[w.participant.pk]),
            reverse("admin:people_supporter_changelist"),
            reverse("admin:people_user_changelist"),
            reverse("admin:opportunities_session_change", args=[w.past.pk]),
            reverse("admin:training_auditentry_changelist"),
        ],
    }


def _import_job(w: XssWorld):
    """A done preview whose file name and row labels came from an upload."""
    from training.models import ImportJob

    label = payload("IJ", 60)
    return ImportJob.objects.create(
        kind="partners",
        filename=payload("IF", 255),
        data=b"",
        status="done",
        rows_done=1,
        rows_total=1,
        report={
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "rows": 1,
            "written": False,
            "error_count": 0,
            "errors": [],
            "outcomes": [{"row": 2, "outcome": "created", "label": label}],
        },
        created_by=w.secretariat,
        finished_at=timezone.now(),
    )
