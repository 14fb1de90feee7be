"""``bifoga inspect``: the JSON shape of docs/design.md, Swedish text, exit statuses."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from app.commands.inspect_cli import main
from tests.inspection.conftest import CORPUS
from tests.support import hostile
from tests.support import inspection_samples as samples

TAGGED = str(CORPUS / "ocrmypdf" / "tagged.pdf")
SCAN = str(CORPUS / "ocrmypdf" / "skew.pdf")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_json_has_one_object_per_file_in_the_designed_shape(tmp_path: Path) -> None:
    letter = tmp_path / "brev.pdf"
    letter.write_bytes(samples.letter_pdf(["Personnummer 19121212-1212"]))
    status, out, _err = _run("--json", TAGGED, SCAN, str(letter))
    assert status == 1  # the scan is blocked
    results = json.loads(out)
    assert [r["file"] for r in results] == [TAGGED, SCAN, str(letter)]
    for result in results:
        assert set(result) == {
            "file",
            "sha256",
            "media_type",
            "pages",
            "verdict",
            "findings",
            "personal_data",
        }
        assert set(result["personal_data"]) == {"found", "hits"}
        for finding in result["findings"]:
            assert set(finding) == {"code", "severity", "page", "message_sv", "message_en"}
            assert finding["message_sv"] != finding["code"]
    tagged, scan, with_data = results
    assert (tagged["verdict"], tagged["media_type"], tagged["pages"]) == (
        "ok",
        "application/pdf",
        2,
    )
    assert scan["verdict"] == "blocked"
    # Blocked as a scan on its page (and, as every scan, as untagged for the document).
    scanned = next(f for f in scan["findings"] if f["code"] == "pdf.scanned_page")
    assert (scanned["page"], scanned["severity"]) == (1, "block")
    assert "skannad" in scanned["message_sv"]
    assert with_data["verdict"] == "review"
    assert with_data["personal_data"]["found"] is True
    hit = with_data["personal_data"]["hits"][0]
    assert hit == {"kind": "personnummer", "page": 1, "masked": hit["masked"], "place": None}
    assert "1212-1212" not in out  # never the identifier in clear


def test_exit_zero_when_nothing_is_blocked_and_text_is_swedish() -> None:
    status, out, _err = _run(TAGGED, str(CORPUS / "ocrmypdf" / "typewriter.png"))
    assert status == 0
    assert "kan skickas" in out
    assert "Personuppgifter" in out


def test_recipient_is_compared_with_the_file(tmp_path: Path) -> None:
    letter = tmp_path / "brev.pdf"
    letter.write_bytes(samples.letter_pdf(["Personnummer 19121212-1212"]))
    status, out, _err = _run("--json", "--recipient", "200001012384", str(letter))
    assert status == 1  # a reply naming someone else blocks
    codes = [f["code"] for f in json.loads(out)[0]["findings"]]
    assert "personal_data.other_person" in codes


def test_usage_errors_exit_two() -> None:
    assert _run()[0] == 2
    assert _run("--json")[0] == 2
    assert _run("--nonsense", TAGGED)[0] == 2
    status, _out, err = _run("--recipient", "12345", TAGGED)
    assert status == 2
    assert "12345" in err


def test_help_exits_zero() -> None:
    assert _run("--help")[0] == 0


def test_hidden_content_is_removed_and_said_as_the_window_would(tmp_path: Path) -> None:
    """The file is inspected as the window stages it: the report is of the rewritten
    copy (its hash is not the file's on disk), which passes, and says what was removed.
    The file on disk is left as it was."""
    letter = tmp_path / "brev.pdf"
    letter.write_bytes(hostile.letter() + hostile.zip_archive())
    before = letter.read_bytes()
    status, out, _err = _run("--json", str(letter))
    assert status == 0
    (result,) = json.loads(out)
    assert result["verdict"] == "ok"
    removed = [f for f in result["findings"] if "hidden" in f["code"]]
    assert {f["code"] for f in removed} == {
        "file.hidden_after_end_removed",
        "file.hidden_format_removed",
    }
    assert all(f["severity"] == "info" for f in removed)
    assert any("ZIP" in f["message_sv"] for f in removed)
    assert result["sha256"] != hashlib.sha256(before).hexdigest()
    assert letter.read_bytes() == before


def test_what_cannot_be_removed_is_refused_with_what_to_do(tmp_path: Path) -> None:
    picture = tmp_path / "bild.png"
    picture.write_bytes(hostile.png_with_html_pixels())
    status, out, _err = _run(str(picture))
    assert status == 1
    assert "HTML" in out and "exportera filen på nytt" in out


def test_output_cut_off_by_the_reader_ends_quietly() -> None:
    # As `bifoga inspect --json FILE | head -c 100` does: the reader goes away early.
    import subprocess
    import sys

    command = [sys.executable, "-m", "ui.shell.launcher", "inspect", "--json", TAGGED, TAGGED, SCAN]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # gone before the first line (the files take a while to check)
        errors = child.stderr.read().decode()
        status = child.wait(timeout=120)
    assert "Traceback" not in errors, errors
    assert status in (0, 1, 141)  # 141: the pipe closed under it, as a shell would say


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_or_a_device_is_refused_at_once_as_the_window_does(tmp_path: Path) -> None:
    # Nothing ever writes to this FIFO: opening it to read would wait for ever.
    fifo = tmp_path / "provsvar.pdf"
    os.mkfifo(fifo)
    status, out, _err = _run("--json", str(fifo), os.devnull)
    assert status == 1
    results = json.loads(out)
    assert [[f["code"] for f in r["findings"]] for r in results] == [["file.not_a_file"]] * 2
    assert all(r["verdict"] == "blocked" and r["sha256"] is None for r in results)
