"""What each metric means, in one place: the cards' help, the Overview's "How these figures are
defined" and the report pack's appendix all read it, so the app and the pack say the same
(docs/metrics.md has the full definitions)."""

from __future__ import annotations

METRICS = {
    "adoption": "Adoption rate: licensed people of the cohort with at least one use in the "
    "window, divided by the cohort's licensed people.",
    "active": "Active people: licensed people of the cohort with at least one use in the window "
    "(use before go-live counts).",
    "activated": "Activated: licensed people with at least one use on or after their cohort's "
    "go-live; activation rate = activated / licensed.",
    "licensed": "Licensed people of the cohort on the rollout's current roster.",
    "stickiness": "Stickiness (DAU/MAU): on an average day of the window, the share of the window's active people "
    "who used it that day. High means a daily habit; low means occasional use.",
    "habitual": "Habitual people: licensed people with a use in at least 9 of the 12 ISO weeks ending with the "
    "as-of week (Microsoft Viva's habit). Not counted until every cohort is 84 days past go-live, so "
    "opening it once is never sold as a habit.",
    "lapsed": "Lapsed: licensed people who used it after their go-live but not in the window.",
    "never_used": "Never used: licensed people with no use at all up to the as-of date.",
    "tickets": "Tickets in the rollout's scope (its ticket filter) created in the window.",
    "tickets_7d": "Tickets per 100 people: 100 x tickets created in the 7 days ending on the as-of date / the "
    "rollout's licensed people.",
    "median_resolution": "Median hours from creation to first resolution, over the tickets resolved in the window "
    "(closed tickets without a resolution time count as resolved but have no duration).",
    "p90_resolution": "9 in 10 tickets resolved in the window were resolved within this many hours "
    "(continuous 90th percentile).",
    "backlog": "Tickets created on or before the as-of date and not resolved by its end.",
    "reopen_rate": "Tickets resolved in the window that were reopened at least once / tickets resolved in it.",
    "satisfaction": "Of the tickets resolved in the window that were rated, the share rated good (4-5 or good).",
}

# the support page's helpdesk cards (issue 16): their help, not in the pack's appendix, whose
# helpdesk table says where each figure comes from
HELPDESK = {
    "first_response": "Hours from creation to the first response, over the tickets first responded to in the "
    "window: the median, and the time 9 in 10 were answered within (continuous 90th percentile).",
    "resolved_per_opened": "Tickets resolved in the window / tickets created in it: above 1 the desk is "
    "catching up, below 1 work is piling up.",
    "sla_met": "Of the tickets resolved in the window whose export says whether they met their SLA "
    "(ServiceNow made_sla), the share that did.",
    "business_resolution": "Median resolution time within business hours, as the export measured it "
    "(ServiceNow business_stc, Zendesk's business-hours full resolution), over the tickets resolved in the window.",
}

# beyond the cards: how the charts and the period are read
MORE = {
    "by_age": "Adoption by age: for each day k since a cohort's go-live, the share of its licensed people "
    "with a use in the 7 days ending that day (days before go-live count, as for active people).",
    "as_of": "As-of date and window: the as-of date is the newest day with usage of the rollout's activities; "
    "the window is the rollout's active window ending on it.",
}
NAMES = {
    "licensed": "Licensed people",
    "tickets": "Tickets",
    "median_resolution": "Median resolution",
    "p90_resolution": "Resolution, 90th percentile",
    "backlog": "Backlog",
    "reopen_rate": "Reopen rate",
    "satisfaction": "Satisfaction",
}


def definitions() -> list[tuple[str, str]]:
    """(metric, what it means) for every metric: the name before a text's first colon, or NAMES'."""
    found = []
    for key, text in {**METRICS, **MORE}.items():
        if key in NAMES:
            found.append((NAMES[key], text))
        else:
            name, _, meaning = text.partition(": ")
            found.append((name, meaning[:1].upper() + meaning[1:]))
    return found


def definitions_md() -> str:
    """The definitions as a markdown list (the texts are the app's own: no markup from data)."""
    return "\n".join(f"- {text}" for text in [*METRICS.values(), *MORE.values()])
