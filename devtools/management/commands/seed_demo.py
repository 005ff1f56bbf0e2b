"""Build a believable Sanbu-area demo network (partners, opportunities,
participants, sessions, sign-ups and three months of attendance).

Safe to run again: every row is found by its natural key (codes, usernames,
(opportunity, starts_at), (session, participant)) and randomness comes from
fixed seeds keyed by those codes, so a second run adds nothing. Dates are
relative to today (Asia/Tokyo), so a run on a later day adds the sessions of
the new days and marks the sessions that have passed since as held.
"""

import logging
import math
import random
import time as monotonic_clock
import unicodedata
from contextlib import contextmanager
from datetime import date, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.clock import at, local_today
from core.errors import DomainError
from devtools import demo_data as data
from devtools.demo_data import ParticipantSpec
from devtools.demo_training import demo_seed_fee_rules_and_targets
from opportunities.models import OpeningSlot, Opportunity, Partner, Session, Signup
from opportunities.services import (
    opportunity_save,
    session_create,
    sessions_generate_weekly,
    signup_cancel,
    signup_create,
)
from people.models import AvailabilitySlot, ParticipantProfile, ReadinessAssessment, Supporter, User
from people.readiness import lowest_step_reaching
from people.services import readiness_record
from training.models import Attendance

WEEKDAY_CHARS = "月火水木金土日"


# --- small pure helpers -----------------------------------------------------


def parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def parse_days(text: str) -> list[int]:
    """「月-金」「火,木」「毎週月曜」「毎日」「水-月」(wraps) → weekday numbers."""
    text = text.removeprefix("毎週").removesuffix("曜")
    if text == "毎日":
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = (WEEKDAY_CHARS.index(c) for c in part.split("-"))
            span = (last - first) % 7
            days.extend((first + i) % 7 for i in range(span + 1))
        else:
            days.append(WEEKDAY_CHARS.index(part))
    return sorted(set(days))


def parse_pattern(text: str) -> tuple[list[int], time, time]:
    """「月,木 9:00-12:00」 → ([0, 3], 9:00, 12:00)."""
    days, hours = text.rsplit(" ", 1)
    start, end = hours.split("-")
    return parse_days(days), parse_clock(start), parse_clock(end)


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal, counting full-width characters as two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)


def seeded(*key) -> random.Random:
    """A random generator that depends only on the key, not on the order of calls."""
    return random.Random(":".join(str(k) for k in (data.RANDOM_SEED, *key)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def participant_home(spec: ParticipantSpec) -> tuple[float, float]:
    """A home a short way from the town hall, always the same for one code."""
    lat, lon = data.MUNICIPALITIES[spec["muni"]]
    rng = seeded("home", spec["code"])
    return round(lat + rng.uniform(-0.015, 0.015), 5), round(lon + rng.uniform(-0.015, 0.015), 5)


def assessment_dates(spec: ParticipantSpec, today: date) -> list[date]:
    """Oldest first; the last one between one and six weeks ago."""
    rng = seeded("assessed", spec["code"])
    day = today - timedelta(days=rng.randint(7, 42))
    dates = [day]
    for _ in spec["steps"][1:]:
        day = day - timedelta(days=rng.randint(45, 80))
        dates.append(day)
    return list(reversed(dates))


def common_days(slots, patterns) -> set[int]:
    """The weekdays on which a participant's free time meets an opportunity's times."""
    days_found = set()
    for weekday, s_start, s_end in slots:
        for days, start, end in patterns:
            if weekday in days and s_start < end and start < s_end:
                days_found.add(weekday)
    return days_found


def choose_regulars() -> dict[str, dict[str, set[int]]]:
    """Who comes to each opportunity week after week, and on which weekdays
    (opportunity code → participant code → weekdays).

    A regular is at the opportunity's step or a little above it, lives within
    their travel distance and comes on the days their free time meets its
    times. Nobody comes more days a week than their step (step 1: once, step 5:
    five times), nor to more than two places (three from step 4). People with
    the fewest options choose first, so that the quiet places for the first
    steps are not taken by those who could go anywhere; the pairings of the
    demo's stories (data.REGULARS) come before all that.
    """
    partners = {p["code"]: p for p in data.PARTNERS}
    opps = {o["code"]: o for o in data.OPPORTUNITIES if o.get("status", "open") != "draft"}
    patterns = {code: [parse_pattern(w) for w in o["when"]] for code, o in opps.items()}
    seats = {code: min(o["capacity"], 3) for code, o in opps.items()}
    people = {p["code"]: p for p in data.PARTICIPANTS if p.get("consent", True)}

    def slots_of(person: ParticipantSpec) -> list[tuple[int, time, time]]:
        slots: list[tuple[int, time, time]] = []
        for text in person["slots"]:
            days, start, end = parse_pattern(text)
            slots.extend((d, start, end) for d in days)
        return slots

    options: dict[str, list[tuple[float, str, set[int]]]] = {}
    for code, person in people.items():
        step = person["steps"][-1]
        lat, lon = participant_home(person)
        slots = slots_of(person)
        words = set(person["skills"]) | set(person["interests"])
        rng = seeded("regulars", code)
        for opp_code, opp in opps.items():
            if not opp["step"] <= step <= opp["step"] + 2:
                continue
            partner = partners[opp["partner"]]
            km = distance_km(lat, lon, partner["lat"], partner["lon"])
            days = common_days(slots, patterns[opp_code])
            if km > person["travel"] + 2 or not days:
                continue
            # Lower is better: a snug step, close to home, shared skills, a little chance.
            shared = len(words & (set(opp["skills"]) | set(opp["useful"])))
            score = (step - opp["step"]) + km / 5 - shared + rng.random() * 1.5
            options.setdefault(code, []).append((score, opp_code, days))

    regulars: dict[str, dict[str, set[int]]] = {code: {} for code in sorted(opps)}
    load = dict.fromkeys(people, 0)
    busy: dict[str, list[tuple[int, time, time]]] = {code: [] for code in people}

    def times(opp_code: str, days: set[int]) -> list[tuple[int, time, time]]:
        return [(d, start, end) for ds, start, end in patterns[opp_code] for d in ds if d in days]

    def clashes(person_code: str, opp_code: str, days: set[int]) -> bool:
        return any(
            d == d2 and start < end2 and start2 < end
            for d, start, end in times(opp_code, days)
            for d2, start2, end2 in busy[person_code]
        )

    def add(person_code: str, opp_code: str, days: set[int]) -> None:
        regulars[opp_code][person_code] = days
        load[person_code] += len(days)
        busy[person_code].extend(times(opp_code, days))

    for person_code, opp_code in data.REGULARS:
        days = common_days(slots_of(people[person_code]), patterns[opp_code])
        add(person_code, opp_code, days or {d for ds, _, _ in patterns[opp_code] for d in ds})
    for code in sorted(people, key=lambda c: (len(options.get(c, [])), c)):
        step = people[code]["steps"][-1]
        for _, opp_code, days in sorted(options.get(code, []), key=lambda o: (o[0], o[1])):
            places = sum(1 for chosen in regulars.values() if code in chosen)
            if places >= (3 if step >= 4 else 2):
                break
            if code in regulars[opp_code] or len(regulars[opp_code]) >= seats[opp_code]:
                continue
            if load[code] + len(days) > step or clashes(code, opp_code, days):
                continue
            add(code, opp_code, days)
    return regulars


# --- the command -------------------------------------------------------------


class Command(BaseCommand):
    help = "山武圏域のデモデータ（協力機関・活動・参加者・開催回・申込・出欠）を作成します。何度実行しても重複しません。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--past-weeks", type=int, default=13, help="出欠を作る過去の週数（既定13週≒3か月）"
        )
        parser.add_argument(
            "--future-weeks", type=int, default=8, help="開催回を作る今後の週数（既定8週）"
        )

    def handle(self, *args, **options):
        self.started = monotonic_clock.monotonic()
        self.today = local_today()
        self.past_weeks = options["past_weeks"]
        self.future_weeks = options["future_weeks"]
        self.stdout.write(
            f"デモデータを作成します（基準日 {self.today:%Y-%m-%d}、乱数シード {data.RANDOM_SEED}）"
        )
        # django-q logs every enqueued notification; a seed run enqueues one
        # per sign-up, which would drown the progress lines.
        q_logger = logging.getLogger("django-q")
        previous_level = q_logger.level
        q_logger.setLevel(logging.WARNING)
        try:
            self.seed_all()
        finally:
            q_logger.setLevel(previous_level)
        self.print_summary()

    def seed_all(self) -> None:
        with transaction.atomic():
            with self.stage("1/10 アカウント（事務局・支援員・協力機関スタッフ）"):
                self.seed_staff()
            with self.stage("2/10 協力機関と開所時間"):
                self.seed_partners()
            with self.stage("3/10 活動"):
                self.seed_opportunities()
            with self.stage("4/10 参加者・参加できる時間帯・準備度の評価"):
                self.seed_participants()
            with self.stage("5/10 サポーター"):
                self.seed_supporters()
            with self.stage("6/10 開催回（過去・今後）"):
                self.seed_sessions()
            with self.stage("7/10 過去の開催回の実施・中止と出欠"):
                self.seed_past()
            with self.stage("8/10 今後の申込（確定・承認待ち・キャンセル待ち）"):
                self.seed_signups()
            with self.stage("9/10 今日の開催回と参加予定者"):
                self.seed_today()
            with self.stage("10/10 指導料ルールと目標（training アプリ）"):
                self.seed_fee_rules()

    @contextmanager
    def stage(self, label: str):
        began = monotonic_clock.monotonic()
        self.note = ""
        yield
        took = monotonic_clock.monotonic() - began
        self.stdout.write(f"  {label} … {self.note} ({took:.1f}秒)")

    # --- accounts -------------------------------------------------------------

    def seed_staff(self) -> None:
        # One hash for every demo account: hashing is deliberately slow, and the
        # demo password is the same everywhere anyway.
        self.password_hash = make_password(data.DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        sec = data.SECRETARIAT
        # The secretariat login doubles as the Django admin login for the demo.
        self.users[sec["username"]] = self.upsert_user(
            sec["username"],
            User.Role.SECRETARIAT,
            sec["last_name"],
            sec["first_name"],
            email=sec["email"],
            is_staff=True,
            is_superuser=True,
        )
        for coach in data.COACHES:
            self.users[coach["username"]] = self.upsert_user(
                coach["username"],
                User.Role.COACH,
                coach["last_name"],
                coach["first_name"],
                email=coach["email"],
            )
        self.note = f"事務局1・支援員{len(data.COACHES)}"

    def upsert_user(
        self,
        username,
        role,
        last_name,
        first_name,
        *,
        email="",
        language="ja",
        partner=None,
        **extra,
    ) -> User:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "last_name": last_name,
                "first_name": first_name,
                "email": email or f"{username}@example.org",
                "language": language,
                "partner": partner,
                "password": self.password_hash,
                "is_active": True,
                **extra,
            },
        )
        return user

    # --- partners -------------------------------------------------------------

    def seed_partners(self) -> None:
        self.partners: dict[str, Partner] = {}
        slot_count = 0
        for spec in data.PARTNERS:
            offers = set(spec["offers"].split())
            unknown = offers - set(Partner.OFFER_FIELDS)
            assert not unknown, f"{spec['code']}: unknown offers {unknown}"
            partner, _ = Partner.objects.update_or_create(
                code=spec["code"],
                defaults={
                    "name": spec["name"],
                    "name_kana": spec["kana"],
                    "category": spec["category"],
                    "description": spec["description"],
                    "municipality": spec["municipality"],
                    "address": spec["address"],
                    "lat": spec["lat"],
                    "lon": spec["lon"],
                    "phone": spec["phone"],
                    "open_during_business_hours": spec["business"],
                    "opening_notes": ("営業時間中。" if spec["business"] else "") + spec["notes"],
                    "is_active": True,
                    **{field: code in offers for code, field in Partner.OFFER_FIELDS.items()},
                },
            )
            self.partners[partner.code] = partner
            wanted = set()
            for text in spec["hours"]:
                days, start, end = parse_pattern(text)
                for day in days:
                    OpeningSlot.objects.update_or_create(
                        partner=partner, weekday=day, start=start, defaults={"end": end}
                    )
                    wanted.add((day, start))
            for slot in partner.opening_slots.all():
                if (slot.weekday, slot.start) not in wanted:
                    slot.delete()
            slot_count += len(wanted)

        # Partner staff logins belong to their organisation.
        for staff in data.PARTNER_STAFF:
            self.users[staff["username"]] = self.upsert_user(
                staff["username"],
                User.Role.PARTNER_STAFF,
                staff["last_name"],
                staff["first_name"],
                language=staff.get("language", "ja"),
                partner=self.partners[staff["partner"]],
            )
        self.staff_by_partner = {
            s["partner"]: self.users[s["username"]] for s in data.PARTNER_STAFF
        }
        self.note = (
            f"{len(self.partners)}機関・開所時間{slot_count}枠・スタッフ{len(data.PARTNER_STAFF)}人"
        )

    # --- opportunities ----------------------------------------------------------

    def seed_opportunities(self) -> None:
        self.opportunities: dict[str, Opportunity] = {}
        existing = {
            o.code: o
            for o in Opportunity.objects.filter(code__in=[s["code"] for s in data.OPPORTUNITIES])
        }
        for spec in data.OPPORTUNITIES:
            opp = existing.get(spec["code"]) or Opportunity(code=spec["code"])
            opp.partner = self.partners[spec["partner"]]
            opp.title = spec["title"]
            opp.description = spec["description"]
            opp.kind = spec["kind"]
            opp.employment_type = spec.get("emp", "")
            opp.is_farm_setting = (
                spec.get("farm", False) or spec["kind"] == Opportunity.Kind.FARM_WELFARE
            )
            opp.min_readiness = spec["step"]
            opp.skills = spec["skills"]
            opp.useful_skills = spec["useful"]
            opp.status = spec.get("status", Opportunity.Status.OPEN)
            opp.capacity = spec["capacity"]
            opp.what_to_bring = spec["bring"]
            opp.contact_name = spec["contact"]
            self.opportunities[opp.code] = opportunity_save(opportunity=opp)
        by_status = {
            s: sum(1 for o in self.opportunities.values() if o.status == s)
            for s in Opportunity.Status.values
        }
        self.note = f"{len(self.opportunities)}件（募集中{by_status['open']}・下書き{by_status['draft']}・終了{by_status['closed']}）"

    # --- participants -----------------------------------------------------------

    def seed_participants(self) -> None:
        self.participants: dict[str, ParticipantProfile] = {}
        assessments = 0
        for spec in data.PARTICIPANTS:
            dates = assessment_dates(spec, self.today)
            user = None
            if spec.get("login"):
                last, _, first = spec["name"].partition(" ")
                user = self.upsert_user(
                    spec["login"],
                    User.Role.PARTICIPANT,
                    last,
                    first,
                    language=spec.get("language", "ja"),
                )
                self.users[user.username] = user
            lat, lon = participant_home(spec)
            consent = spec.get("consent", True)
            # Without a demo login, leave the account alone: a coach may have
            # issued one through the app since the last run.
            account = {"user": user} if user else {}
            profile, _ = ParticipantProfile.objects.update_or_create(
                code=spec["code"],
                defaults={
                    **account,
                    "display_name": spec["name"],
                    "name_kana": spec["kana"],
                    "self_description": spec["self"],
                    "skills": spec["skills"],
                    "interests": spec["interests"],
                    "municipality": spec["muni"],
                    "lat": lat,
                    "lon": lon,
                    "max_travel_km": spec["travel"],
                    "coach": self.users[spec["coach"]],
                    "consent_given": consent,
                    "consent_given_on": dates[0] if consent else None,
                    "support_notes": spec["notes"],
                    "emergency_contact": spec["emergency"],
                },
            )
            wanted = set()
            for text in spec["slots"]:
                days, start, end = parse_pattern(text)
                for day in days:
                    AvailabilitySlot.objects.update_or_create(
                        participant=profile, weekday=day, start=start, defaults={"end": end}
                    )
                    wanted.add((day, start))
            for slot in profile.availability.all():
                if (slot.weekday, slot.start) not in wanted:
                    slot.delete()
            # The readiness history is written once; the latest step becomes the
            # participant's current step through the service.
            if not profile.assessments.exists():
                for step, assessed_on in zip(spec["steps"], dates, strict=True):
                    readiness_record(
                        participant=profile,
                        step=step,
                        coach=self.users[spec["coach"]],
                        assessed_on=assessed_on,
                        notes=data.ASSESSMENT_NOTES[step],
                    )
                    assessments += 1
            self.participants[profile.code] = profile
        logins = sum(1 for s in data.PARTICIPANTS if s.get("login"))
        self.note = f"{len(self.participants)}人（ログイン{logins}人）・新しい評価{assessments}件"

    def seed_supporters(self) -> None:
        self.supporters = {}
        for code, name in data.SUPPORTERS:
            self.supporters[code], _ = Supporter.objects.update_or_create(
                code=code, defaults={"name": name}
            )
        self.note = f"{len(self.supporters)}人"

    # --- sessions ---------------------------------------------------------------

    def seed_sessions(self) -> None:
        past_from = self.today - timedelta(weeks=self.past_weeks)
        past_to = self.today - timedelta(days=1)
        future_to = self.today + timedelta(weeks=self.future_weeks) - timedelta(days=1)
        created = 0
        for spec in data.OPPORTUNITIES:
            opp = self.opportunities[spec["code"]]
            if opp.status == Opportunity.Status.DRAFT:
                continue
            ranges = []
            if self.past_weeks > 0:
                if opp.status == Opportunity.Status.OPEN:
                    ranges.append((past_from, past_to))
                else:
                    # A closed one (the preparations for a festival that is over)
                    # ran for six weeks and ended three weeks ago.
                    begin = max(past_from, self.today - timedelta(weeks=9))
                    if begin <= self.today - timedelta(weeks=3):
                        ranges.append((begin, self.today - timedelta(weeks=3)))
            if opp.status == Opportunity.Status.OPEN and self.future_weeks > 0:
                ranges.append((self.today, future_to))
            for text in spec["when"]:
                days, start, end = parse_pattern(text)
                for date_from, date_to in ranges:
                    created += len(
                        sessions_generate_weekly(
                            opportunity=opp,
                            weekdays=days,
                            start=start,
                            end=end,
                            date_from=date_from,
                            date_to=date_to,
                            instructor_name=opp.contact_name,
                        )
                    )
        total = Session.objects.filter(opportunity__in=self.opportunities.values()).count()
        self.note = f"新規{created}回（合計{total}回）"

    def seed_past(self) -> None:
        """Past sessions were held, except a few cancelled (weather, illness);
        the regulars came, mostly."""
        self.regulars = choose_regulars()
        today_start = at(self.today, time.min)
        demo_sessions = Session.objects.filter(opportunity__in=self.opportunities.values())
        held: list[int] = []
        cancelled: list[int] = []
        for session in demo_sessions.filter(
            starts_at__lt=today_start, status=Session.Status.SCHEDULED
        ).select_related("opportunity"):
            rng = seeded("past", session.opportunity.code, session.starts_at.isoformat())
            (cancelled if rng.random() < 0.06 else held).append(session.pk)
        Session.objects.filter(pk__in=held).update(status=Session.Status.HELD)
        Session.objects.filter(pk__in=cancelled).update(status=Session.Status.CANCELLED)

        have_participant = set(
            Attendance.objects.filter(
                participant__isnull=False, session__in=demo_sessions
            ).values_list("session_id", "participant_id")
        )
        have_supporter = set(
            Attendance.objects.filter(
                supporter__isnull=False, session__in=demo_sessions
            ).values_list("session_id", "supporter_id")
        )
        confirmed: dict[int, list[int]] = {}
        for session_id, participant_id in Signup.objects.filter(
            session__in=demo_sessions,
            session__status=Session.Status.HELD,
            status=Signup.Status.CONFIRMED,
        ).values_list("session_id", "participant_id"):
            confirmed.setdefault(session_id, []).append(participant_id)
        # Someone comes to an opportunity from the day a coach judged them one
        # step below it (a "next step" placement) or higher; never before.
        history: dict[int, list[tuple[date, int]]] = {}
        for participant_id, assessed_on, step in (
            ReadinessAssessment.objects.filter(participant__in=self.participants.values())
            .order_by("assessed_on")
            .values_list("participant_id", "assessed_on", "step")
        ):
            history.setdefault(participant_id, []).append((assessed_on, step))

        def came_from(participant_id: int, min_step: int) -> date | None:
            return next(
                (
                    day
                    for day, step in history.get(participant_id, [])
                    if step >= lowest_step_reaching(min_step)
                ),
                None,
            )

        rows = []
        secretariat = self.users[data.SECRETARIAT["username"]]
        for session in demo_sessions.filter(status=Session.Status.HELD).select_related(
            "opportunity"
        ):
            opp = session.opportunity
            duration = session.duration_minutes
            recorder = self.staff_by_partner.get(self.partner_code(opp), secretariat)
            weekday = timezone.localtime(session.starts_at).weekday()
            day = timezone.localdate(session.starts_at)
            people = []
            for code, days in self.regulars.get(opp.code, {}).items():
                since = came_from(self.participants[code].pk, opp.min_readiness)
                if weekday in days and since is not None and since <= day:
                    people.append(self.participants[code].pk)
            people += [pk for pk in confirmed.get(session.pk, []) if pk not in people]
            for participant_id in people:
                if (session.pk, participant_id) in have_participant:
                    continue
                rng = seeded("attend", opp.code, session.starts_at.isoformat(), participant_id)
                roll = rng.random()
                if roll < 0.76:
                    status = Attendance.Status.PRESENT
                    minutes = max(
                        min(30, duration), duration - rng.choice([0, 0, 0, 0, 15, 30, 60])
                    )
                else:
                    status = Attendance.Status.EXCUSED if roll < 0.90 else Attendance.Status.ABSENT
                    minutes = 0
                rows.append(
                    Attendance(
                        session=session,
                        participant_id=participant_id,
                        role=Attendance.Role.TRAINEE,
                        status=status,
                        minutes=minutes,
                        recorded_by=recorder,
                        recorded_at=session.ends_at,
                    )
                )
            supporter_code = data.SUPPORTER_AT.get(opp.code)
            if supporter_code:
                supporter = self.supporters[supporter_code]
                rng = seeded("support", opp.code, session.starts_at.isoformat())
                if rng.random() < 0.7 and (session.pk, supporter.pk) not in have_supporter:
                    rows.append(
                        Attendance(
                            session=session,
                            supporter=supporter,
                            role=Attendance.Role.SUPPORTER,
                            status=Attendance.Status.PRESENT,
                            minutes=duration,
                            recorded_by=recorder,
                            recorded_at=session.ends_at,
                        )
                    )
        Attendance.objects.bulk_create(rows)
        self.note = f"実施{len(held)}回・中止{len(cancelled)}回を新たに記録・出欠{len(rows)}件"

    def partner_code(self, opportunity: Opportunity) -> str:
        return next(code for code, p in self.partners.items() if p.pk == opportunity.partner_id)

    # --- sign-ups -----------------------------------------------------------------

    def upcoming(self, opp_code: str) -> list[Session]:
        if not hasattr(self, "_upcoming"):
            self._upcoming: dict[str, list[Session]] = {}
            for session in (
                Session.objects.filter(
                    opportunity__in=self.opportunities.values(),
                    status=Session.Status.SCHEDULED,
                    # From the start of today, so partner staff find today's
                    # sessions with people on the roster to take attendance for.
                    starts_at__gte=at(self.today, time.min),
                )
                .select_related("opportunity")
                .order_by("starts_at")
            ):
                self._upcoming.setdefault(session.opportunity.code, []).append(session)
        return self._upcoming.get(opp_code, [])

    def sign_up(
        self, participant_code: str, opp_code: str, nth: int, who: str, *, waitlist=True
    ) -> Signup | None:
        """Sign up through the service unless this person already has a sign-up
        (of any status) for that session."""
        sessions = self.upcoming(opp_code)
        if nth >= len(sessions):
            return None
        session = sessions[nth]
        participant = self.participants[participant_code]
        if Signup.objects.filter(session=session, participant=participant).exists():
            return None
        by = participant.user if who == "self" and participant.user else participant.coach
        assert by is not None, f"{participant_code} has no coach"
        try:
            # Demo history is not news: nobody is emailed about it.
            signup = signup_create(
                session=Session.objects.get(pk=session.pk),
                participant=participant,
                by=by,
                waitlist_if_full=waitlist,
                notify=False,
            )
        except DomainError:
            return None
        self.new_signups += 1
        return signup

    def seed_signups(self) -> None:
        self.new_signups = 0

        def told(participant_code: str, opp_code: str, **status) -> bool:
            # A story is told once: a run on a later day does not repeat it on
            # the then-next session.
            return Signup.objects.filter(
                participant=self.participants[participant_code],
                session__opportunity=self.opportunities[opp_code],
                **status,
            ).exists()

        # Stories first, so the regulars never take the seats they need.
        for participant_code, opp_code, nth, who in data.STORY_SIGNUPS:
            if not told(participant_code, opp_code):
                self.sign_up(participant_code, opp_code, nth, who)
        opp_code, nth, people = data.FULL_SESSION
        if not Signup.objects.filter(
            session__opportunity=self.opportunities[opp_code], status=Signup.Status.WAITLISTED
        ).exists():
            for participant_code in people:
                self.sign_up(participant_code, opp_code, nth, "coach")
        participant_code, opp_code, nth = data.CANCELLED_SIGNUP
        if not told(participant_code, opp_code, status=Signup.Status.CANCELLED):
            signup = self.sign_up(participant_code, opp_code, nth, "coach")
            if signup is not None:
                coach = signup.participant.coach
                assert coach is not None, f"{participant_code} has no coach"
                signup_cancel(signup=signup, by=coach, notify=False)
        # The regulars are booked by their coaches into the next session, and
        # about half of them into the one after.
        for opp_code_, regulars in self.regulars.items():
            if self.opportunities[opp_code_].status != Opportunity.Status.OPEN:
                continue
            for participant_code, days in regulars.items():
                theirs = [
                    n
                    for n, session in enumerate(self.upcoming(opp_code_))
                    if timezone.localtime(session.starts_at).weekday() in days
                ]
                wanted = 2 if seeded("second", opp_code_, participant_code).random() < 0.5 else 1
                for nth in theirs[:wanted]:
                    self.sign_up(participant_code, opp_code_, nth, "coach", waitlist=False)
        counts = dict(
            Signup.objects.filter(session__opportunity__in=self.opportunities.values())
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        self.note = "新規{}件（確定{}・承認待ち{}・キャンセル待ち{}・キャンセル{}）".format(
            self.new_signups,
            *(counts.get(s, 0) for s in ("confirmed", "requested", "waitlisted", "cancelled")),
        )

    # --- today ----------------------------------------------------------------------

    def seed_today(self) -> None:
        """A session under way at each demo staff member's partner, with people
        on its roster, so that attendance can be tried at once on a phone.

        It started an hour ago, so nobody can sign up for it any more through
        the services (they refuse started sessions, as they should): its sign-ups
        are history, written here the way seed_past writes attendance, with the
        same rules checked by hand – the right step, a free seat, no clash.
        Found again by (opportunity, today), so a second run changes nothing.
        """
        now = timezone.localtime()
        day_start = at(self.today, time.min)
        starts_at = max(
            day_start, now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        )
        ends_at = min(starts_at + timedelta(hours=3), at(self.today, time(23, 59)))
        created = placed = 0
        for staff in data.PARTNER_STAFF:
            partner = self.partners[staff["partner"]]
            opportunity = (
                Opportunity.objects.filter(partner=partner, status=Opportunity.Status.OPEN)
                .order_by("code")
                .first()
            )
            if opportunity is None:
                continue
            today_sessions = Session.objects.filter(
                opportunity=opportunity,
                starts_at__gte=day_start,
                starts_at__lt=day_start + timedelta(days=1),
            )
            if today_sessions.filter(starts_at__lte=now).exists():
                continue
            session = session_create(
                opportunity=opportunity,
                starts_at=starts_at,
                ends_at=ends_at,
                instructor_name=opportunity.contact_name,
            )
            created += 1
            placed += self.place_history(session, people=3)
        self.note = f"新規{created}回・参加予定{placed}人"

    def place_history(self, session: Session, *, people: int) -> int:
        opportunity = session.opportunity
        busy = set(
            Signup.objects.filter(
                status__in=[Signup.Status.CONFIRMED, Signup.Status.REQUESTED],
                session__starts_at__lt=session.ends_at,
                session__ends_at__gt=session.starts_at,
            ).values_list("participant_id", flat=True)
        )
        candidates = [
            p
            for code, p in sorted(self.participants.items())
            if p.pk not in busy and p.readiness >= opportunity.min_readiness
        ]
        chosen = sorted(
            candidates, key=lambda p: seeded("today", opportunity.code, p.code).random()
        )[: min(people, session.capacity)]
        for participant in chosen:
            Signup.objects.create(
                session=session,
                participant=participant,
                status=Signup.Status.CONFIRMED,
                created_by=participant.coach,
            )
        Session.objects.filter(pk=session.pk).update(seats_taken=len(chosen))
        return len(chosen)

    # --- other apps ---------------------------------------------------------------

    def seed_fee_rules(self) -> None:
        result = demo_seed_fee_rules_and_targets()
        self.note = f"demo_seed_fee_rules_and_targets() を実行：{result}"

    # --- output ---------------------------------------------------------------------

    def print_summary(self) -> None:
        opps = Opportunity.objects.filter(code__in=[s["code"] for s in data.OPPORTUNITIES])
        sessions = Session.objects.filter(opportunity__in=opps)
        today_start = at(self.today, time.min)
        counts = [
            (
                "協力機関",
                Partner.objects.filter(code__in=[p["code"] for p in data.PARTNERS]).count(),
            ),
            ("活動（募集中）", f"{opps.count()}（{opps.filter(status='open').count()}）"),
            (
                "参加者",
                ParticipantProfile.objects.filter(
                    code__in=[p["code"] for p in data.PARTICIPANTS]
                ).count(),
            ),
            ("今後の開催回", sessions.filter(starts_at__gte=today_start).count()),
            (
                "過去の開催回（実施・中止）",
                "{held}・{cancelled}".format(
                    **sessions.filter(starts_at__lt=today_start).aggregate(
                        held=Count("pk", filter=Q(status="held")),
                        cancelled=Count("pk", filter=Q(status="cancelled")),
                    )
                ),
            ),
            ("申込", Signup.objects.filter(session__in=sessions).count()),
            ("出欠", Attendance.objects.filter(session__in=sessions).count()),
        ]
        self.stdout.write("")
        self.stdout.write("作成済みのデータ: " + " / ".join(f"{label} {n}" for label, n in counts))
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"デモ用ログイン（パスワードはすべて {data.DEMO_PASSWORD}）")
        )
        rows = [
            (
                "事務局",
                data.SECRETARIAT["username"],
                "協力機関マップ、指導料の月次支払い（下書き→承認→支払済）、目標と実績。管理画面にも入れます",
            ),
            (
                "支援員",
                "coach_sato",
                "担当ケース：山田さん（S001）の「家電リユース」承認待ちを承認、おすすめの理由を確認",
            ),
            ("支援員", "coach_tanaka", "佐藤さん（S002）の準備度の履歴（2→3→4）と出席日数"),
            ("支援員", "coach_ito", "Emma（S003）のバリスタ研修の申込（承認待ち・キャンセル待ち）"),
            ("支援員", "coach_kimura", "農福連携：ほっとファーム・蕗の畑の参加者と出欠"),
            (
                "協力機関",
                "staff_cafe",
                "ほっとカフェ なるとう：今日・今週の開催回の参加者、出欠入力",
            ),
            (
                "協力機関",
                "staff_seaside",
                "Seaside Café Kujukuri（英語）：満席のバリスタ研修とキャンセル待ち",
            ),
            ("協力機関", "staff_farm", "さんぶ ほっとファーム：活動の追加と今後8週の開催回"),
            (
                "協力機関",
                "staff_link",
                "リンク本部：フードバンクの仕分け・パントリーの開催回と出欠",
            ),
            ("協力機関", "staff_reuse", "リユースショップ くるくる：雇用型・非雇用型の中間的就労"),
            ("協力機関", "staff_books", "古本と雑貨 ほんのわ：古本のクリーニングとネット出品"),
            ("協力機関", "staff_temple", "妙福寺：居場所・相談・お寺食堂のプロフィール編集"),
            (
                "参加者",
                "p_yuki",
                "おすすめの活動、申込（1段上の活動は支援員の承認待ちになる）、わたしの予定",
            ),
            (
                "参加者",
                "p_emma",
                "English UI: recommendations, my schedule (a waitlisted barista session)",
            ),
            ("参加者", "p_kenta / p_hanako", "検索・申込・キャンセル"),
        ]
        width_user = max(len(r[1]) for r in rows) + 2
        self.stdout.write(f"  {pad('役割', 10)}{pad('ユーザー名', width_user)}できること")
        for role, username, what in rows:
            self.stdout.write(f"  {pad(role, 10)}{pad(username, width_user)}{what}")
        self.stdout.write(
            "検索・おすすめ用のベクトルは qcluster が順に作ります（すぐに作るなら python manage.py embed_all）。"
        )
        took = monotonic_clock.monotonic() - self.started
        self.stdout.write(self.style.SUCCESS(f"完了（{took:.1f}秒）"))
