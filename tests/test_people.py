"""Unknown people: listed with their activity, added to the roster (an undoable roster load) or
marked out of scope; the counts update. Also: what a file holds, guessed from its header."""

import pytest

from analysis import people
from analysis.access import AccessDenied, Principal
from analysis.ingest import likely_kind
from analysis.scope import Scope
from analysis.uploads import undo
from tests.conftest import TINY


@pytest.fixture
def with_unknowns(acme, load):
    load(acme, "roster", "user_id,cohort\na@acme.test,champion\n")
    load(
        acme,
        "usage",
        """
        user_id,date,activity,count
        a@acme.test,2025-01-07,mfa,1
        x@acme.test,2025-01-07,mfa,2
        x@acme.test,2025-01-09,sms,1
        bot@acme.test,2025-01-08,mfa,40
        """,
    )
    return acme


def test_unknown_people_are_listed_with_what_they_did(with_unknowns):
    frame = people.unknown_people(with_unknowns, 1)
    assert list(frame["user_id"]) == ["bot@acme.test", "x@acme.test"]  # most events first
    x = frame.set_index("user_id").loc["x@acme.test"]
    assert (x["activities"], x["events"], x["active_days"]) == ("mfa, sms", 3, 2)


def test_adding_to_the_roster_is_an_undoable_roster_load(with_unknowns):
    result = people.add_to_roster(
        with_unknowns,
        "MFA",
        [{"user_id": "x@acme.test", "display_name": "Xia", "department": "Sales", "cohort": "wider"}],
    )
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (2, 1, 1)
    assert list(people.unknown_people(with_unknowns, 1)["user_id"]) == ["bot@acme.test"]
    undo(with_unknowns, result.upload_id)
    assert list(people.unknown_people(with_unknowns, 1)["user_id"]) == ["bot@acme.test", "x@acme.test"]


def test_marking_out_of_scope_removes_them_from_the_list(with_unknowns):
    assert people.mark_out_of_scope(with_unknowns, "MFA", ["BOT@acme.test", "bot@acme.test"]) == 1
    assert list(people.unknown_people(with_unknowns, 1)["user_id"]) == ["x@acme.test"]


def test_a_client_viewer_can_do_neither(with_unknowns):
    viewer = Scope(with_unknowns.store, Principal("v@acme.test", "client_viewer", frozenset({1})), 1)
    with pytest.raises(AccessDenied):
        people.mark_out_of_scope(viewer, "MFA", ["x@acme.test"])
    with pytest.raises(AccessDenied):
        people.add_to_roster(viewer, "MFA", [{"user_id": "x@acme.test", "cohort": "wider"}])


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("r.csv", (TINY / "roster.csv").read_bytes(), "roster"),
        ("u.csv", (TINY / "usage.csv").read_bytes(), "usage"),
        ("t.csv", b"ticket_id,created_at,status\nT1,2025-01-01,open\n", "tickets"),
        (
            "z.csv",
            b"Id,Requester,Subject,Status,Created at,Updated at,Solved at,Satisfaction Score,Tags,Group\n"
            b"1,a,b,solved,2025-01-01,2025-01-02,2025-01-02,Good,x,y\n",
            "tickets",
        ),
        ("n.csv", b"foo,bar\n1,2\n", None),
        ("e.csv", b"", None),
    ],
)
def test_likely_kind(name, data, kind):
    assert likely_kind(name, data) == kind
