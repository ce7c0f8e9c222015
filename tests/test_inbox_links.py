"""Finding 5 of issue 10: the inbox followed symbolic links. A link in one organisation's folder
loaded another client's file into it, a linked folder let it move a file from outside the
inbox, and the refusal copied that file's header into the log. Now every link, hard link and
non-regular file below the inbox is refused unread, only its own name is moved, and the record
holds its path and the reason, nothing of its content."""

import json
import os

import pytest

from analysis.inbox import process_inbox
from tests.conftest import counts

SENTINEL = "SENTINEL_GLOBEX_PAYROLL"
# a file Acme's loader would take (acme.test people), with a column that holds the sentinel
THEIRS = f"user_id,date,activity,{SENTINEL}\nspy@acme.test,2025-01-07,mfa,{SENTINEL}-row\n".encode()
LATER = 10**10  # every file has settled


@pytest.fixture
def inbox(tmp_path):
    root = tmp_path / "inbox"
    (root / "Acme" / "usage").mkdir(parents=True)
    outside = tmp_path / "globex-data"  # another client's files, outside the inbox
    outside.mkdir()
    (outside / "export.csv").write_bytes(THEIRS)
    return root, outside


def refused_unread(acme, root, outside, records, caplog, expected_file, reason):
    assert [(r["file"], r["refused"]) for r in records] == [(expected_file, True)]
    assert records[0]["messages"] == [f"{expected_file}: refused, not read: {reason}"]
    assert counts(acme.store, "uploads") == 0 and counts(acme.store, "usage_events") == 0  # nothing loaded
    assert (outside / "export.csv").read_bytes() == THEIRS  # the target untouched
    written = " ".join(p.read_text() for p in (root / ".processed").glob("*.json"))
    assert SENTINEL not in json.dumps(records) + written + caplog.text  # nothing of its content
    assert not os.path.lexists(root / expected_file)  # its own name was moved out of the inbox
    assert process_inbox(acme.store, root, now=LATER) == []  # and is not met again


def test_a_link_to_another_clients_file_is_refused(acme, inbox, caplog):
    root, outside = inbox
    (root / "Acme" / "usage" / "link.csv").symlink_to(outside / "export.csv")
    records = process_inbox(acme.store, root, now=LATER)
    refused_unread(
        acme,
        root,
        outside,
        records,
        caplog,
        "Acme/usage/link.csv",
        "a symbolic link: links are never followed in the inbox",
    )
    assert (root / ".processed").is_dir() and any(p.is_symlink() for p in (root / ".processed").iterdir())


def test_a_linked_folder_is_refused_and_nothing_is_moved_out_of_it(acme, inbox, caplog):
    root, outside = inbox
    (root / "Acme" / "usage" / "MFA").symlink_to(outside, target_is_directory=True)
    records = process_inbox(acme.store, root, now=LATER)
    refused_unread(
        acme, root, outside, records, caplog, "Acme/usage/MFA", "a symbolic link: links are never followed in the inbox"
    )
    assert sorted(os.listdir(outside)) == ["export.csv"]


def test_a_linked_organisation_folder_is_refused(acme, inbox, caplog):
    root, outside = inbox
    (outside / "usage").mkdir()
    (outside / "usage" / "export.csv").write_bytes(THEIRS)
    (root / "Acme" / "usage").rmdir()
    (root / "Acme").rmdir()
    (root / "Acme").symlink_to(outside, target_is_directory=True)
    records = process_inbox(acme.store, root, now=LATER)
    refused_unread(
        acme, root, outside, records, caplog, "Acme", "a symbolic link: links are never followed in the inbox"
    )
    assert (outside / "usage" / "export.csv").read_bytes() == THEIRS


def test_a_hard_link_to_a_file_elsewhere_is_refused(acme, inbox, caplog):
    root, outside = inbox
    os.link(outside / "export.csv", root / "Acme" / "usage" / "hard.csv")
    records = process_inbox(acme.store, root, now=LATER)
    refused_unread(
        acme,
        root,
        outside,
        records,
        caplog,
        "Acme/usage/hard.csv",
        "a hard link (the file has other names, perhaps outside this organisation's folder)",
    )


def test_a_fifo_is_refused_without_blocking(acme, inbox, caplog):
    root, outside = inbox
    os.mkfifo(root / "Acme" / "usage" / "pipe.csv")
    records = process_inbox(acme.store, root, now=LATER)
    refused_unread(
        acme, root, outside, records, caplog, "Acme/usage/pipe.csv", "not a regular file (a FIFO, a socket or a device)"
    )


def test_a_linked_processed_folder_stops_the_pass(acme, inbox):
    root, outside = inbox
    (root / ".processed").symlink_to(outside, target_is_directory=True)
    (root / "Acme" / "usage" / "night.csv").write_text("user_id,date,activity\na@acme.test,2025-01-07,mfa\n")
    with pytest.raises(ValueError, match="is a link"):
        process_inbox(acme.store, root, now=LATER)
    assert counts(acme.store, "uploads") == 0 and sorted(os.listdir(outside)) == ["export.csv"]


def test_plain_files_beside_a_refused_link_still_load(acme, inbox):
    root, outside = inbox
    (root / "Acme" / "usage" / "link.csv").symlink_to(outside / "export.csv")
    (root / "Acme" / "usage" / "night.csv").write_text("user_id,date,activity\na@acme.test,2025-01-07,mfa\n")
    records = {r["file"]: r for r in process_inbox(acme.store, root, now=LATER)}
    assert records["Acme/usage/night.csv"]["rows_loaded"] == 1 and records["Acme/usage/link.csv"]["refused"]


def test_a_file_waits_while_its_organisation_is_loading(acme, inbox):
    from analysis.load_slots import load_slot

    root, _ = inbox
    night = root / "Acme" / "usage" / "night.csv"
    night.write_text("user_id,date,activity\na@acme.test,2025-01-07,mfa\n")
    with load_slot(acme.org_id, "someone else's upload"):
        assert process_inbox(acme.store, root, now=LATER) == []  # not refused, not moved: it waits
    assert night.exists()
    assert process_inbox(acme.store, root, now=LATER)[0]["rows_loaded"] == 1
