"""Every page of the site that shows text people type, per role, for the
XSS/CSP tests (server side in tests/security, in Chromium in tests/browser)."""

from django.urls import reverse

from tests.security.xss_world import XssWorld


def pages_by_role(w: XssWorld) -> dict[str, list[str]]:
    opp, nxt = w.opportunity.code, w.next_step.code
    part = w.participant.code
    line = w.partner_run.lines.exclude(session_ids=[]).first()
    assert line is not None
    rule = w.partner_run.rule.code
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
