"""One message from sign-in to retraction against the real sandbox gateway on loopback,
with a real staged file and a real inspection in its worker process, written to the
trail from what each of them answered, as the window would. The trail then verifies, holds
nothing in clear that it must not, and fails its check once a line is changed."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

from app.audit import TRAIL_FILE_NAME, AuditTrail
from app.commands.audit_cli import EXIT_BROKEN, EXIT_SOUND, main
from app.gateway.client import GatewayClient, OutgoingAttachment, OutgoingMessage
from app.inspection.isolated import inspect_isolated
from app.isolation.worker import IsolatedWorker
from app.storage.staging import StagingArea
from sandbox.runner import SandboxHandle
from tests.support.pdfgen import text_pdf
from tests.support.signed_client import request_review, sign_in

CASE = "2024-118"  # the sandbox's open case of Karin Berg (sandbox/demo.py)
KARIN = "196801029288"
NEVER_IN_CLEAR = [
    KARIN, KARIN[2:], "680102-9288", "Karin Berg", "Anna Andersson", "Bertil Berg",
    "Provsvar Karin.pdf", "Ditt provsvar",
]  # fmt: skip


def test_a_message_sent_and_retracted_leaves_a_sound_trail_without_personal_data(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    original = tmp_path / "Provsvar Karin.pdf"
    original.write_bytes(
        text_pdf(
            [["Provsvar för Karin Berg", f"Personnummer {KARIN[2:8]}-{KARIN[8:]}"], ["Sida 2"]],
            title="Provsvar",
            lang="sv-SE",
        )
    )
    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    folder = tmp_path / "audit"
    with (
        AuditTrail.open(folder, lambda: bytes(range(32))) as trail,
        GatewayClient(sandbox.base_url) as gateway,
        IsolatedWorker(timeout_s=60, memory_limit_mb=1024) as worker,
    ):
        trail.purge(len(staging.held()))
        staff = sign_in(gateway, "anna")  # at the sandbox's identity provider
        session = trail.sign_in(staff.staff_id)

        staged = staging.stage(original)
        report = inspect_isolated(worker, staged.path, [KARIN], "reply", name=staged.filename)
        assert report.personal_data_found  # so a colleague must sign off
        session.attach(staged.sha256, staged.media_type, report.verdict)
        assert report.pages == 2
        for page in range(1, report.pages + 1):
            session.page_seen(staged.sha256, page)

        attachment = OutgoingAttachment(staged.sha256, staged.filename, staged.media_type, True)
        message = OutgoingMessage("reply", CASE, [KARIN], "Ditt provsvar", "Hej!", [attachment])
        review = request_review(gateway, "bertil", message.review_subject())
        session.sign_off(review.reviewer_id, review.digest)

        gateway.upload_attachment(staging.read(staged), staged.sha256, staged.media_type)
        message = OutgoingMessage(
            "reply", CASE, [KARIN], "Ditt provsvar", "Hej!", [attachment], review.review_id
        )
        sent = gateway.send_message(message, uuid.uuid4().hex)
        session.send(sent.message_id, "reply", CASE, [KARIN], [staged.sha256])

        requested = gateway.request_retraction(sent.message_id, "Fel fil", [staged.sha256])
        session.retraction(sent.message_id, [staged.sha256], requested["status"])
        done = gateway.retractions(sent.message_id)[0]
        session.retraction(sent.message_id, done["attachments"], done["status"])
        session.deviation_report(sent.message_id, [staged.sha256])
        staging.discard(staged)
        session.sign_out()

    path = folder / TRAIL_FILE_NAME
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in records] == [
        "purge", "sign_in", "attach", "page_seen", "page_seen", "sign_off", "send",
        "retraction", "retraction", "deviation_report", "sign_out",
    ]  # fmt: skip
    assert records[2]["data"]["verdict"] == "review"
    assert records[5]["data"] == {"reviewer": "bertil", "digest": review.digest}
    assert records[6]["data"]["message_id"] == sent.message_id
    assert set(records[6]["data"]["recipients"][0]) == {"ref"}  # no date of birth
    assert [records[7]["data"]["status"], records[8]["data"]["status"]] == ["requested", "done"]

    text = path.read_text(encoding="utf-8")
    assert [word for word in NEVER_IN_CLEAR if word in text] == []

    out, err = io.StringIO(), io.StringIO()
    assert (
        main(["verify", str(path)], out=out, err=err, key_provider=lambda: bytes(range(32)))
        == EXIT_SOUND
    ), err.getvalue()
    assert "11 poster" in out.getvalue()

    path.write_text(text.replace('"status":"done"', '"status":"refused"'), encoding="utf-8")
    err = io.StringIO()
    assert (
        main(
            ["verify", str(path)], out=io.StringIO(), err=err, key_provider=lambda: bytes(range(32))
        )
        == EXIT_BROKEN
    )
    assert "Rad 9: post 9 har ändrats" in err.getvalue()
