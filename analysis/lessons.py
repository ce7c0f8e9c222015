"""A rollout's post-mortem and the lessons it leaves (docs/metrics.md#post-mortem-and-lessons):
five headings written by a provider role and read by the client; the Portfolio searches them
across the organisations a provider may see; resolved red flags are the rollout's wins."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope

HEADINGS = {
    "went_wrong": "What went wrong",
    "why": "Why",
    "what_we_did": "What we did",
    "learned": "What we learned",
    "recommend": "What we recommend next time",
}
MAX_CHARS = 4000


def save(scope: Scope, rollout: Rollout, texts: dict[str, str], now: datetime | None = None) -> None:
    """Replace the rollout's post-mortem (headings left out or blank are empty)."""
    scope.require("configure")
    unknown = sorted(set(texts) - set(HEADINGS))
    if unknown:
        raise ValueError(f"unknown headings {', '.join(unknown)}: {', '.join(HEADINGS)}")
    cleaned = {k: (texts.get(k) or "").strip() or None for k in HEADINGS}
    if not any(cleaned.values()):
        raise ValueError("write at least one heading")
    long = [HEADINGS[k] for k, v in cleaned.items() if v and len(v) > MAX_CHARS]
    if long:
        raise ValueError(f"keep each heading to {MAX_CHARS:,} characters ({', '.join(long)})")
    now = now or datetime.now()
    with scope.store.transaction("save lessons learned", org_id=scope.org_id) as cur:
        cur.execute("DELETE FROM lessons WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout.rollout_id])
        cur.execute(
            "INSERT INTO lessons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [scope.org_id, rollout.rollout_id, *cleaned.values(), scope.principal.name, now],
        )
        cur.execute(
            "INSERT INTO lesson_edits VALUES (?, ?, ?, ?)",
            [scope.org_id, rollout.rollout_id, scope.principal.name, now],
        )


def post_mortem(scope: Scope, rollout: Rollout) -> dict | None:
    """The rollout's five headings (None where empty) with who wrote them when, or None."""
    found = scope.df("lessons", rollout_id=rollout.rollout_id)
    return None if found.empty else found.iloc[0].to_dict()


def wins(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    """The rollout's resolved red flags, newest first."""
    return scope.df("resolved_flags", rollout_id=rollout.rollout_id)


def search(scopes: dict[str, Scope], words: str = "") -> pd.DataFrame:
    """Every post-mortem of the given organisations ({name: scope}, each opened as the Portfolio
    opens them) whose text holds all the words (case ignored): organisation, rollout, the headings."""
    frames = []
    for name, scope in scopes.items():
        found = scope.df("lessons", rollout_id=None)
        if not found.empty:
            frames.append(found.assign(organisation=name))
    if not frames:
        return pd.DataFrame(columns=["organisation", "rollout", *HEADINGS])
    every = pd.concat(frames, ignore_index=True)
    text = every[list(HEADINGS)].fillna("").agg(" ".join, axis=1).str.lower()
    keep = pd.Series(True, index=every.index)
    for word in words.lower().split():
        keep &= text.str.contains(word, regex=False)
    return every.loc[keep, ["organisation", "rollout", *HEADINGS]].reset_index(drop=True)


def as_json(scope: Scope, rollout: Rollout) -> dict | None:
    """The post-mortem for `kpis --json` (key `lessons`): the five headings, or None."""
    found = post_mortem(scope, rollout)
    return None if found is None else {k: found[k] for k in HEADINGS}
