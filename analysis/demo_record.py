"""Demo Co's change-leadership record (issue 14 part 9), written next to its roster in data/demo and
loaded by analysis/seed.py through the normal ingest path:

- readiness.csv: a set-up workshop for the champions two weeks before their go-live (22 of the 25
  attend) and a briefing; for the wider cohort only a go-live e-mail before 17 August (no training:
  NOT_READY holds for it), then recovery drop-ins and a Warehouse floor walk in September;
- feedback.csv: "I feel confident using MFA": the champions at the end of July (mean 4.2), the
  wider cohort eleven days after its go-live (mean 2.1: the failed first landing, with comments),
  then both in November (every score 3 or more: recovered, so no flag at the end of the data);
- kpi_series.csv: the sign-in service's weekly uptime (target 99.5 %, higher is better), 99.9 before
  go-live, down to 97.6 in the wider go-live's second week, back to 99.7+ from September.

Every figure is fixed by the roster file's order (no randomness), so the files are the same on every
run: `python -m analysis.demo_record` rewrites them.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from analysis.demo import COHORTS, DEMO_DIR

QUESTION = "I feel confident using MFA"
LANDING = [2, 2, 3, 1, 2, 3, 2, 2, 1, 3]  # 21 / 10: mean 2.1 per ten answers
LANDING_COMMENTS = {
    0: "Nobody showed us how to set up the app before it was switched on",
    3: "The codes arrive late and I get locked out",
    6: "I still use the text message because I could not get the app to work",
}
RECOVERED = [4, 3, 4, 5, 4, 3, 4, 4, 3, 4]  # every score 3 or more: mean 3.8
CHAMPIONS = [4, 5, 4, 4, 4]  # mean 4.2


def _roster(directory: Path) -> list[dict]:
    with open(directory / "roster.csv", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["licensed"] == "yes"]


def readiness_rows(roster: list[dict]) -> list[dict]:
    champions = [r["user_id"] for r in roster if r["cohort"] == "champion"]
    champion, wider = COHORTS["champion"], COHORTS["wider"]
    return [
        {
            "date": champion - timedelta(days=14),
            "cohort": "champion",
            "kind": "training",
            "title": "Authenticator set-up workshop",
            "attendees": ";".join(champions[:22]),
        },
        {
            "date": champion - timedelta(days=7),
            "cohort": "champion",
            "kind": "communication",
            "title": "What changes on 20 July",
            "attendees": "",
        },
        {
            "date": wider - timedelta(days=7),
            "cohort": "wider",
            "kind": "communication",
            "title": "Go-live e-mail: MFA from 17 August",
            "attendees": "",
        },
        {
            "date": date(2026, 9, 7),
            "cohort": "wider",
            "kind": "training",
            "title": "Recovery drop-in sessions",
            "attendees": "64",
        },
        {
            "date": date(2026, 9, 14),
            "cohort": "Warehouse",
            "kind": "training",
            "title": "Warehouse floor walk",
            "attendees": "18",
        },
    ]


def feedback_rows(roster: list[dict]) -> list[dict]:
    champions = [r["user_id"] for r in roster if r["cohort"] == "champion"]
    wider = [r["user_id"] for r in roster if r["cohort"] == "wider"]
    rows = []

    def answer(user: str, day: date, score: int, comment: str = "") -> None:
        rows.append({"user_id": user, "date": day, "question": QUESTION, "score": score, "comment": comment})

    for i, user in enumerate(champions):
        answer(user, date(2026, 7, 31), CHAMPIONS[i % len(CHAMPIONS)])
    for i, user in enumerate(wider[::5]):  # every fifth wider person: 50 answers
        answer(user, date(2026, 8, 28), LANDING[i % len(LANDING)], LANDING_COMMENTS.get(i, ""))
    for i, user in enumerate(champions[::2]):
        answer(user, date(2026, 11, 6), RECOVERED[i % len(RECOVERED)])
    for i, user in enumerate(wider[2::5]):
        answer(
            user, date(2026, 11, 6), RECOVERED[i % len(RECOVERED)], "Much easier since the drop-in" if i == 1 else ""
        )
    return rows


UPTIME = {  # Monday -> the week's uptime (%)
    date(2026, 6, 22): 99.9,
    date(2026, 6, 29): 99.9,
    date(2026, 7, 6): 99.8,
    date(2026, 7, 13): 99.9,
    date(2026, 7, 20): 99.8,
    date(2026, 7, 27): 99.9,
    date(2026, 8, 3): 99.9,
    date(2026, 8, 10): 99.8,
    date(2026, 8, 17): 98.2,
    date(2026, 8, 24): 97.6,
    date(2026, 8, 31): 99.0,
    date(2026, 9, 7): 99.7,
}


def kpi_rows() -> list[dict]:
    weeks = dict(UPTIME)
    day = date(2026, 9, 14)
    while day <= date(2026, 11, 9):
        weeks[day] = 99.8
        day += timedelta(days=7)
    return [
        {
            "date": d,
            "kpi": "sign-in service uptime",
            "value": v,
            "unit": "%",
            "direction": "up",
            "target": 99.5 if i == 0 else "",
        }
        for i, (d, v) in enumerate(sorted(weeks.items()))
    ]


def write_record_files(directory: Path = DEMO_DIR) -> dict[str, Path]:
    """Write readiness.csv, feedback.csv and kpi_series.csv next to the demo's roster.csv."""
    roster = _roster(directory)
    paths = {}
    for kind, rows in (
        ("readiness", readiness_rows(roster)),
        ("feedback", feedback_rows(roster)),
        ("kpi_series", kpi_rows()),
    ):
        paths[kind] = directory / f"{kind}.csv"
        with open(paths[kind], "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return paths


if __name__ == "__main__":
    for path in write_record_files().values():
        print(path)
