"""Seeded synthetic data for "Demo Co", the demo organisation: an MFA rollout told through a roster,
daily usage and support tickets. Run `python -m analysis.demo` to rewrite data/demo/*.csv; the same
SEED always gives byte-identical files. No Streamlit here: the app's first start only loads the files."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from math import exp, log
from pathlib import Path

import pandas as pd

SEED = 20260720
ORG_NAME = "Demo Co"
ORG_DOMAIN = "democo.example"
ORG_TIME_ZONE = "Europe/London"
ROLLOUT_NAME = "MFA rollout"
COHORTS = {"champion": date(2026, 7, 20), "wider": date(2026, 8, 17)}
ACTIVITIES = ["mfa_approval"]
LEGACY = ["sms_code"]
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

START = date(2026, 6, 22)  # 28 days before the first go-live: the baseline window
END = date(2026, 11, 15)
LAPSE_BY = date(2026, 10, 12)  # lapsers stop before the last 28 days, so the story shows at the default as-of date
END_OF_DATA = datetime(2026, 11, 15, 18, 0)  # "export time": tickets unresolved by then are open

FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farah",
    "George",
    "Hannah",
    "Isaac",
    "Jasmine",
    "Kieran",
    "Laura",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Violet",
    "William",
    "Xena",
    "Yusuf",
    "Zara",
    "Aidan",
    "Bethany",
    "Callum",
    "Deepa",
    "Ethan",
    "Freya",
    "Gareth",
    "Imogen",
    "Jonah",
    "Keira",
    "Lewis",
    "Maya",
    "Nathan",
    "Orla",
]
LAST = [
    "Ashdown",
    "Barnfield",
    "Carrow",
    "Dunmore",
    "Elsworth",
    "Fairley",
    "Greaves",
    "Hollins",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lomax",
    "Marchant",
    "Northcott",
    "Oakley",
    "Pennick",
    "Quarry",
    "Rudd",
    "Selwood",
    "Thackeray",
    "Upton",
    "Varley",
    "Whitcombe",
    "Yardley",
    "Abbott",
    "Brennan",
    "Coombes",
    "Draycott",
    "Everett",
    "Fenwick",
]

# department: (size, champions, never-adopt share, lapse share, mean days to adopt after go-live)
DEPARTMENTS = {
    "IT": (30, 7, 0.00, 0.03, 1.5),
    "Finance": (35, 6, 0.02, 0.03, 2.5),
    "Sales": (50, 3, 0.06, 0.38, 4.0),
    "Operations": (40, 3, 0.12, 0.12, 7.0),
    "Warehouse": (55, 2, 0.50, 0.20, 14.0),
    "HR": (17, 2, 0.10, 0.12, 7.0),
    "Customer Service": (40, 1, 0.20, 0.15, 9.0),
    "Legal": (8, 1, 0.10, 0.12, 8.0),
}
ABSENT = ["Warehouse", "Warehouse", "Warehouse", "Operations", "Customer Service", "Sales"]  # licensed, no use at all
UNLICENSED = ["Operations", "Warehouse", "HR"]
CONTRACTORS = [f"contractor{i}@{ORG_DOMAIN}" for i in range(1, 5)]  # in usage, on no roster

SUBJECTS = {
    "MFA": [
        "Authenticator app not receiving push",
        "Lost phone, cannot approve sign-in",
        "New phone, need to move authenticator",
        "Keep getting MFA prompts I did not start",
        "Cannot set up authenticator app",
        "Approval times out before I can tap it",
        "MFA prompt loops on Outlook sign-in",
        "Locked out after MFA enrolment",
        "No smartphone for MFA",
    ],
    "Password reset": ["Password expired", "Forgot password", "Account locked after password change"],
    "Hardware": [
        "New laptop setup",
        "Docking station not detected",
        "Printer offline on 2nd floor",
        "Headset microphone not working",
        "Keyboard replacement",
    ],
    "Email": ["Shared mailbox missing in Outlook", "Emails stuck in outbox", "Calendar not syncing to phone"],
    "Access request": [
        "Access to Finance shared drive",
        "Add me to Sales Teams channel",
        "CRM licence request",
        "VPN access for remote working",
    ],
    "Other": ["Teams meeting audio issue", "Software install request", "Slow network in warehouse office"],
}
PRIORITIES = ["low", "normal", "high", "urgent"]


def _working(d: date) -> bool:
    return d.weekday() < 5


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def people(rng: random.Random) -> list[dict]:
    """The roster with each person's hidden behaviour: kind (adopter/lapser/never/absent), start and lapse dates."""
    taken: set[str] = set()
    rows = []
    absent, unlicensed = list(ABSENT), list(UNLICENSED)
    for dept, (size, champions, p_never, p_lapse, delay) in DEPARTMENTS.items():
        for i in range(size):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            user, n = f"{first}.{last}".lower(), 1
            while f"{user}{'' if n == 1 else n}@{ORG_DOMAIN}" in taken:  # clash: add a digit
                n += 1
            user_id = f"{user}{'' if n == 1 else n}@{ORG_DOMAIN}"
            taken.add(user_id)
            cohort = "champion" if i < champions else "wider"
            go_live = COHORTS[cohort]
            licensed = "yes"
            if cohort == "wider" and dept in unlicensed and i == size - 1:
                unlicensed.remove(dept)
                licensed, kind = "no", "never"
            elif cohort == "wider" and dept in absent and i >= size - 1 - absent.count(dept):
                absent.remove(dept)
                kind = "absent"
            else:
                u = rng.random()
                if cohort == "champion":  # champions are keen: a few in the hard departments lapse, none refuse
                    kind = "lapser" if dept in ("Sales", "Warehouse", "Customer Service") and u < 0.5 else "adopter"
                else:
                    kind = "never" if u < p_never else "lapser" if u < p_never + p_lapse else "adopter"
            start = go_live + timedelta(min(int(rng.expovariate(1 / delay)), 60))
            if cohort == "champion" and rng.random() < 0.25:
                start = go_live - timedelta(rng.randint(2, 6))  # a few champions start early
            lapse = None
            if kind == "lapser":
                start = min(start, LAPSE_BY - timedelta(14))
                lapse = min(start + timedelta(rng.randint(10, 50)), LAPSE_BY)
            rows.append(
                dict(
                    user_id=user_id,
                    display_name=f"{first} {last}",
                    department=dept,
                    cohort=cohort,
                    licensed=licensed,
                    kind=kind,
                    start=start,
                    lapse=lapse,
                    p_day=rng.uniform(0.65, 0.97),
                )
            )
    return rows


def _count(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 26, 18, 12, 8, 6])[0]


def usage_rows(rng: random.Random, roster: list[dict]) -> pd.DataFrame:
    """One row per person, day and activity: sms_code until a person adopts, mfa_approval after."""
    rows = []
    # a stream of its own for keeping late SMS fallbacks, so the main stream (and with it every
    # other figure and the tickets) is the same as before fallbacks became rarer
    keep = random.Random(SEED + 1)
    contractors = [
        dict(user_id=u, kind="adopter", start=COHORTS["wider"] + timedelta(rng.randint(0, 20)), lapse=None, p_day=0.45)
        for u in CONTRACTORS
    ]
    for p in roster + contractors:
        if p["kind"] == "absent":
            continue
        for d in _days(START, END):
            if rng.random() > (p["p_day"] if _working(d) else 0.05):
                continue
            using = p["kind"] in ("adopter", "lapser") and p["start"] <= d and not (p["lapse"] and d >= p["lapse"])
            if using:
                rows.append((p["user_id"], d.isoformat(), "mfa_approval", _count(rng)))
                # fallback to SMS while people get used to the app (30 % of days), then on 1 % of days
                if rng.random() < (0.3 if (d - p["start"]).days < 14 else 0.04):
                    count = _count(rng)
                    if (d - p["start"]).days < 14 or keep.random() < 0.25:
                        rows.append((p["user_id"], d.isoformat(), "sms_code", count))
            else:
                rows.append((p["user_id"], d.isoformat(), "sms_code", _count(rng)))
    frame = pd.DataFrame(rows, columns=["user_id", "date", "activity", "count"])
    return frame.sort_values(["date", "user_id", "activity"], kind="stable").reset_index(drop=True)


def _ticket_rates(d: date) -> dict[str, float]:
    """Expected tickets per category on day d: low general load plus MFA spikes decaying after each go-live."""
    mfa = 0.1  # SMS codes that never arrive: the legacy pain, before anything goes live
    for go_live, peak, tau in ((COHORTS["champion"], 2.5, 5.0), (COHORTS["wider"], 14.0, 8.0)):
        age = (d - go_live).days
        if age >= 0:
            mfa += peak * exp(-age / tau)
    if d >= COHORTS["champion"]:
        mfa += 2.0  # lost and new phones keep coming
    wider_age = (d - COHORTS["wider"]).days
    password = 0.15 + (3.0 * exp(-wider_age / 10) if wider_age >= 0 else 0.0)
    rates = {
        "MFA": mfa,
        "Password reset": password,
        "Hardware": 0.25,
        "Email": 0.15,
        "Access request": 0.15,
        "Other": 0.1,
    }
    return {k: v if _working(d) else v * 0.1 for k, v in rates.items()}


def _poisson(rng: random.Random, lam: float) -> int:
    n, limit, prod = 0, exp(-lam), rng.random()
    while prod > limit:
        n, prod = n + 1, prod * rng.random()
    return n


def _stamp(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def tickets(rng: random.Random, roster: list[dict]) -> pd.DataFrame:
    """Support tickets: baseline, two MFA spikes, slower and less happy service in the wider spike, a small backlog."""
    licensed = [p for p in roster if p["licensed"] == "yes"]
    rows = []
    # the helpdesk export reaches further back than the usage, as real ones do: the baseline window
    # (from START) then holds a full month of tickets
    for d in _days(START - timedelta(days=14), END):
        spike = COHORTS["wider"] <= d < COHORTS["wider"] + timedelta(14)
        for category, lam in _ticket_rates(d).items():
            for _ in range(_poisson(rng, lam)):
                hour = rng.choices(range(7, 20), weights=[2, 8, 12, 12, 10, 8, 10, 10, 9, 7, 3, 1, 1])[0]
                created = datetime(d.year, d.month, d.day, hour, rng.randint(0, 59), rng.randint(0, 59))
                # MFA tickets come from people already live; everything else from anyone
                pool = [p for p in licensed if category != "MFA" or COHORTS[p["cohort"]] <= d] or licensed
                person, form = rng.choice(pool), rng.random()
                requester = (
                    person["user_id"]
                    if form < 0.86
                    else person["display_name"]
                    if form < 0.96
                    else rng.choice(CONTRACTORS + ["Reception Temp", "visitor.wifi@partner.example"])
                )
                median = 14.0 if spike else 5.0
                hours = min(max(rng.lognormvariate(log(median), 1.1), 1.0), 240.0)
                solved_at = created + timedelta(hours=hours)
                stuck = (END - d).days < 21 and rng.random() < 0.18  # backlog builds in the last weeks
                answered_at = created + timedelta(
                    hours=min(hours * rng.uniform(0.05, 0.5), rng.lognormvariate(log(0.7), 0.8))
                )
                resolved: datetime | None = solved_at  # None while the ticket is open
                first_response: datetime | None = answered_at  # None when nobody answered yet
                satisfaction: int | str = ""  # a 1-5 score, or "" when none was given
                if stuck or solved_at > END_OF_DATA:
                    status, resolved = rng.choice(["open", "open", "pending"]), None
                    if answered_at > END_OF_DATA or rng.random() < 0.3:
                        first_response = None
                    updated = first_response or created
                    reopened = 0
                else:
                    status, updated = rng.choice(["solved", "solved", "closed"]), solved_at
                    reopened = rng.choices([0, 1, 2], weights=[92, 7, 1] if not spike else [84, 13, 3])[0]
                    if rng.random() < 0.5:
                        satisfaction = rng.choices(
                            [1, 2, 3, 4, 5], weights=[12, 18, 25, 25, 20] if spike else [4, 6, 12, 33, 45]
                        )[0]
                subject = rng.choice(SUBJECTS[category])
                urgent = "Lost phone" in subject or "Locked out" in subject
                priority = rng.choices(PRIORITIES, weights=[5, 30, 45, 20] if urgent else [20, 60, 15, 5])[0]
                rows.append(
                    dict(
                        created_at=_stamp(created),
                        requester=requester,
                        subject=subject,
                        status=status,
                        priority=priority,
                        category=category,
                        updated_at=_stamp(updated),
                        first_response_at=_stamp(first_response),
                        resolved_at=_stamp(resolved),
                        reopened=reopened,
                        satisfaction=satisfaction,
                    )
                )
    frame = pd.DataFrame(rows).sort_values("created_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "ticket_id", [f"DC-{1001 + i}" for i in range(len(frame))])
    return frame


def write_demo_files(directory: Path = DEMO_DIR) -> dict[str, Path]:
    """Write roster.csv, usage.csv and tickets.csv (canonical headers, UTF-8, \\n line endings)."""
    rng = random.Random(SEED)
    roster = people(rng)
    frames = {
        "roster": pd.DataFrame(roster)[["user_id", "display_name", "department", "cohort", "licensed"]],
        "usage": usage_rows(rng, roster),
        "tickets": tickets(rng, roster),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, frame in frames.items():
        paths[kind] = directory / f"{kind}.csv"
        frame.to_csv(paths[kind], index=False, lineterminator="\n", encoding="utf-8")
    return paths


def story_check(paths: dict[str, Path], as_of: date = END, window: int = 28) -> str:
    """The figures the demo is meant to show, computed from the written files (a sanity check, not the metrics)."""
    roster = pd.read_csv(paths["roster"])
    usage = pd.read_csv(paths["usage"], parse_dates=["date"])
    tix = pd.read_csv(paths["tickets"], parse_dates=["created_at"])
    mfa = usage[(usage.activity == "mfa_approval") & (usage["count"] > 0)]
    since = pd.Timestamp(as_of - timedelta(window - 1))
    recent = set(mfa[mfa.date >= since].user_id)
    roster = roster[roster.licensed == "yes"].copy()
    roster["go_live"] = pd.to_datetime(roster.cohort.map(COHORTS))
    first_after = mfa.merge(roster[["user_id", "go_live"]], on="user_id")
    used_before = set(first_after[(first_after.date >= first_after.go_live) & (first_after.date < since)].user_id)
    roster["active"] = roster.user_id.isin(recent)
    roster["lapsed"] = roster.user_id.isin(used_before) & ~roster.active
    wider = roster[roster.cohort == "wider"]
    by_dept = wider.groupby("department").agg(
        people=("active", "size"), active=("active", "mean"), lapsed=("lapsed", "sum")
    )
    by_cohort = roster.groupby("cohort").agg(
        people=("active", "size"), active=("active", "mean"), lapsed=("lapsed", "sum")
    )
    weekly = tix.groupby(tix.created_at.dt.strftime("%G-W%V")).size()
    return "\n".join(
        [
            f"wider cohort, active in last {window} days, by department:",
            by_dept.round(2).to_string(),
            "by cohort:",
            by_cohort.round(2).to_string(),
            "tickets per ISO week:",
            " ".join(f"{w[-3:]}:{n}" for w, n in weekly.items()),
        ]
    )


if __name__ == "__main__":
    written = write_demo_files()
    for name, path in written.items():
        print(f"{name}: {sum(1 for _ in path.open(encoding='utf-8')) - 1} rows, {path.stat().st_size} bytes")
    print(story_check(written))
