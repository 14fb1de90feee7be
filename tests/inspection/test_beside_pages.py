"""Every text a PDF carries beside its pages, with another resident's number in it, through
``bifoga inspect --json --recipient`` (issue 19): found and bound to the other-resident
rule where it reaches the resident, removed from the sent copy where the resident does not
need it; and the cleaned copy is the same bytes on every run, the window's too."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from app.inspection import inspect_file, pdf_places, samples_pdf
from app.inspection.findings import FindingSink
from app.inspection.pdf_document import check_document
from app.inspection.policy import default_policy
from app.storage.sealed import read_plain
from tests.inspection.conftest import codes, staged_copy

RECIPIENT = "196801029288"  # Karin Berg, the message's resident
OTHER = "19121212-1212"  # Tolvan Tolvansson: another resident
#: Cases whose text stays in the copy sent: each must block as another resident's number.
KEPT = [(case, place) for case, place in samples_pdf.CASES if place not in ("properties", "xmp")]
KEPT = [(case, place) for case, place in KEPT if case != "open_action"]
#: Cases whose text the resident does not need: removed, and said so.
REMOVED = {
    "author": "pdf.metadata_removed",
    "keywords": "pdf.metadata_removed",
    "xmp_description": "pdf.xmp_removed",
    "open_action": "pdf.auto_action_removed",
}


def _inspect(*argv: str) -> list[dict[str, Any]]:
    from app.commands.inspect_cli import main

    out = io.StringIO()
    main(["--json", "--recipient", RECIPIENT, *argv], out=out, err=io.StringIO())
    results: list[dict[str, Any]] = json.loads(out.getvalue())
    return results


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case inspected by one ``bifoga inspect`` run (one worker for all files)."""
    folder = tmp_path_factory.mktemp("beside")
    paths = {}
    for case, _place in samples_pdf.CASES:
        case_folder = folder / case
        case_folder.mkdir()
        path = case_folder / samples_pdf.file_name(case, OTHER)
        path.write_bytes(samples_pdf.pdf_with(case, OTHER))
        paths[case] = str(path)
    by_file = {result["file"]: result for result in _inspect(*paths.values())}
    return {case: by_file[path] for case, path in paths.items()}


@pytest.mark.parametrize(("case", "place"), KEPT, ids=[case for case, _ in KEPT])
def test_another_residents_number_beside_the_pages_blocks_the_reply(
    results: dict[str, dict[str, Any]], case: str, place: str
) -> None:
    result = results[case]
    assert result["verdict"] == "blocked"
    other = [f for f in result["findings"] if f["code"] == "personal_data.other_person"]
    assert other and "19121212-****" in other[0]["message_sv"], result["findings"]
    hits = result["personal_data"]["hits"]
    assert {"kind": "personnummer", "masked": "19121212-****", "place": place} in [
        {key: hit[key] for key in ("kind", "masked", "place")} for hit in hits
    ]
    assert result["personal_data"]["found"] is True
    # Masked in the hits (a web link's target and the title are shown as they are, as
    # the resident's reader shows them).
    assert OTHER not in json.dumps(result["personal_data"])


@pytest.mark.parametrize("case", sorted(REMOVED))
def test_what_the_resident_does_not_need_is_removed_and_said(
    results: dict[str, dict[str, Any]], case: str
) -> None:
    result = results[case]
    assert REMOVED[case] in {f["code"] for f in result["findings"]}
    assert not [hit for hit in result["personal_data"]["hits"] if hit["place"] is not None]
    assert "personal_data.other_person" not in {f["code"] for f in result["findings"]}


@pytest.mark.parametrize("case", sorted(REMOVED))
def test_the_removed_text_is_not_in_the_bytes_sent(tmp_path: Path, case: str) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(samples_pdf.pdf_with(case, OTHER))
    copy, removed = staged_copy(source, tmp_path / "staged")
    assert removed
    with pikepdf.open(io.BytesIO(read_plain(copy))) as pdf:
        structure = check_document(pdf, FindingSink(default_policy()))
        texts = pdf_places.texts_beside_pages(pdf, structure.alternate_texts)
        assert not [t for t in texts if "1212" in t.text]
        assert "/OpenAction" not in pdf.Root
        assert set(pdf.docinfo.keys()) <= {"/Title"}


def test_a_title_with_personal_data_stays_and_is_checked(tmp_path: Path) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(samples_pdf.pdf_with("title", "Karin Berg 19680102-9288"))
    copy, removed = staged_copy(source, tmp_path / "staged")
    with pikepdf.open(io.BytesIO(read_plain(copy))) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Provsvar Karin Berg 19680102-9288"
    report = inspect_file(
        copy, recipients=[RECIPIENT], kind="reply", name="svar.pdf", removed=removed
    )
    assert [(h.place, h.masked) for h in report.hits] == [("title", "19680102-****")]
    assert report.verdict.value == "review"  # the recipient's own number: a sign-off
    assert [(o.place, o.masked) for o in report.outside] == [("title", ("19680102-****",))]


def test_a_hidden_form_fields_value_and_a_comment_are_listed_with_their_page(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.pdf"
    path.write_bytes(samples_pdf.pdf_with("hidden_form_field", "Ring 19121212-1212"))
    report = inspect_file(path, recipients=[RECIPIENT], kind="reply")
    assert [(o.place, o.page, o.masked) for o in report.outside] == [
        ("form_field", 1, ("19121212-****",))
    ]
    assert "personal_data.other_person" in codes(report)


def test_a_bulk_send_is_stopped_by_a_number_in_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "in.pdf"
    path.write_bytes(samples_pdf.pdf_with("sticky_note", OTHER))
    report = inspect_file(path, recipients=[RECIPIENT, "191212121212"], kind="new_case")
    bulk = [f for f in report.findings if f.code == "personal_data.identifier_in_bulk_send"]
    assert bulk and bulk[0].severity.value == "block"


def test_the_cleaned_copy_is_the_same_on_every_run_and_is_what_the_window_sends(
    tmp_path: Path,
) -> None:
    source = tmp_path / "Provsvar.pdf"
    source.write_bytes(samples_pdf.pdf_with("author", OTHER))
    first, second = (_inspect(str(source))[0]["sha256"] for _ in range(2))
    assert first == second
    # The window's path: a working copy rewritten by the same worker op (remove_hidden).
    copy, removed = staged_copy(source, tmp_path / "staged")
    assert removed == ("metadata",)
    assert hashlib.sha256(read_plain(copy)).hexdigest() == first
    assert first != hashlib.sha256(source.read_bytes()).hexdigest()
