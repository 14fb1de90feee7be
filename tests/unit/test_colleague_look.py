"""The colleague's own look (app/send/colleague_look.py): the sender's pages seen do not count;
every page of each file with personal data, and only those files."""

from __future__ import annotations

from pathlib import Path

from app.drafts.message_draft import Attachment, Draft
from app.inspection import InspectionReport
from app.send.colleague_look import ColleagueLook
from app.storage.staging import StagingArea


def _attachment(staging: StagingArea, path: Path, pages: int, personal: bool) -> Attachment:
    path.write_bytes(b"%PDF-1.7\n" + path.name.encode())
    staged = staging.stage(path)
    attachment = Attachment(staged, page_count=pages, seen_pages=set(range(pages)))
    attachment.report = InspectionReport(
        staged.sha256, staged.media_type, pages, (), personal_data_found=personal
    )
    return attachment


def test_the_colleague_sees_every_page_of_each_file_with_personal_data(tmp_path: Path) -> None:
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    lab = _attachment(staging, tmp_path / "Provsvar.pdf", 2, personal=True)
    leaflet = _attachment(staging, tmp_path / "Broschyr.pdf", 3, personal=False)
    look = ColleagueLook(Draft(attachments=[lab, leaflet]))
    (own,) = look.copies()
    assert own.id == lab.id and own.seen_pages == set(), "the sender's look does not count"
    assert [(a.id, n) for a, n in look.unseen()] == [(lab.id, 2)] and not look.complete
    assert look.page_seen(lab.id, 0) and not look.page_seen(lab.id, 0)
    assert not look.page_seen(leaflet.id, 0), "a file without personal data is not asked for"
    look.page_seen(lab.id, 1)
    assert look.complete
    assert lab.seen_pages == {0, 1}, "the sender's progress is untouched"


def test_a_file_whose_page_count_is_unknown_is_not_yet_seen(tmp_path: Path) -> None:
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    lab = _attachment(staging, tmp_path / "Provsvar.pdf", 1, personal=True)
    lab.page_count = None
    look = ColleagueLook(Draft(attachments=[lab]))
    assert not look.complete
    look.page_count_known(lab.id, 1)
    look.page_seen(lab.id, 0)
    assert look.complete
