"""Identity match, log masking, the finding texts and the eval command."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import resources
from app.inspection import pd_eval
from app.inspection.identity import (
    FINDING_CODES,
    IDENTIFIER_IN_BULK_SEND,
    OTHER_PERSON,
    identity_findings,
)
from app.inspection.personal_data import Detector, mask_identifiers
from app.inspection.report import PersonalDataHit, Severity
from app.runtime.logging_filter import MaskingFilter, install
from tests.personal_data.helpers import TODAY

DETECTOR = Detector(today=TODAY)
TOLVAN = "191212121212"
OTHER = "198612092398"


def hits(text: str) -> list:
    return DETECTOR.find(text)


@pytest.mark.parametrize("kind", ["reply", "partial_reply", "counter_question"])
def test_another_person_in_a_reply_blocks(kind: str) -> None:
    findings = identity_findings(hits("Provsvar för 19861209-2398"), [TOLVAN], kind)
    assert [(f.code, f.severity, f.param_dict) for f in findings] == [
        (OTHER_PERSON, Severity.BLOCK, {"masked": "19861209-****"})
    ]


def test_the_recipient_in_the_file_is_fine_in_any_written_form() -> None:
    for text in ("19121212-1212", "121212+1212", "1212121212", "121212-1212"):
        # "121212-1212" gives 2012 by the century rule; the ten digits still match.
        assert identity_findings(hits(f"pnr {text}"), [TOLVAN], "reply") == [], text


def test_new_case_to_one_resident_blocks_and_bulk_warns_plus_bulk_finding() -> None:
    one = identity_findings(hits("pnr 19861209-2398"), [TOLVAN], "new_case")
    assert [(f.code, f.severity) for f in one] == [(OTHER_PERSON, Severity.BLOCK)]
    bulk = identity_findings(hits("pnr 19861209-2398"), [TOLVAN, "200208292383"], "new_case")
    assert [(f.code, f.severity) for f in bulk] == [
        (OTHER_PERSON, Severity.WARN),
        (IDENTIFIER_IN_BULK_SEND, Severity.BLOCK),
    ]
    # Even the recipients' own numbers must not go out in a bulk send.
    own = identity_findings(hits("pnr 19121212-1212"), [TOLVAN, OTHER], "new_case")
    assert [(f.code, f.severity) for f in own] == [(IDENTIFIER_IN_BULK_SEND, Severity.BLOCK)]
    assert own[0].param_dict == {"masked": "19121212-****", "count": 1}


def test_policy_overrides_and_pages_and_duplicates() -> None:
    page_hits = [
        PersonalDataHit("personnummer", 2, "19861209-****", None, OTHER),
        PersonalDataHit("personnummer", 3, "19861209-****", None, OTHER),
        PersonalDataHit("phone", 1, "07x-xxx xx 67"),
    ]
    seen: list[tuple[str, str]] = []

    def policy(code: str, kind: str) -> Severity:
        seen.append((code, kind))
        return Severity.INFO

    findings = identity_findings(page_hits, [TOLVAN], "reply", policy)
    assert [(f.code, f.severity, f.page) for f in findings] == [(OTHER_PERSON, Severity.INFO, 2)]
    assert seen == [(OTHER_PERSON, "reply")]


def test_no_recipients_no_identity_findings() -> None:
    assert identity_findings(hits("pnr 19861209-2398"), [], "reply") == []
    assert identity_findings(hits("pnr 19861209-2398"), [], None) == []


def test_finding_texts_exist_in_both_languages() -> None:
    texts = json.loads(resources.read_text("texts/personal_data.json"))
    assert set(texts) == set(FINDING_CODES)
    for entry in texts.values():
        assert set(entry) == {"sv", "en"}
        assert all("{masked}" in entry[lang] for lang in ("sv", "en"))


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("bifoga.test.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler.addFilter(MaskingFilter())
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_log_records_never_hold_a_personnummer(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("sending to %s", "19121212-1212")
    logger.info("resident %d", 191212121212)
    logger.info("in message: 121212+1212 and 701063-2391 and 19121212-T123")
    logger.info("dict %s", {"pnr": "121212 1212"})
    try:
        raise ValueError("no resident 19861209-2398")
    except ValueError:
        logger.exception("failed for %s", "8612092398")
    logger.info("stack", stack_info=True)
    out = stream.getvalue()
    for clear in ("1212-1212", "191212121212", "+1212", "2391", "T123", "2398", "1212 1212"):
        assert clear not in out, clear
    assert "19121212-****" in out and "ValueError: no resident 19861209-****" in out
    assert "dates like 2024-03-12 stay" in mask_identifiers("dates like 2024-03-12 stay")


def test_install_masks_records_of_every_logger() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    old_factory = logging.getLogRecordFactory()
    try:
        install()
        install()  # idempotent
        logging.getLogger("bifoga.any.child").warning("pnr %s", "19121212-1212")
        assert "19121212-****" in stream.getvalue()
        assert "1212-1212" not in stream.getvalue()
    finally:
        root.removeHandler(handler)
        for f in list(root.filters):
            if isinstance(f, MaskingFilter):
                root.removeFilter(f)
        logging.setLogRecordFactory(old_factory)


def test_pd_eval_prints_recall_and_precision_per_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert pd_eval.main(["--text-only"]) == 0
    out = capsys.readouterr().out
    assert "personnummer" in out and "recall" in out and "precision" in out
    scores = pd_eval.evaluate(pd_eval.load_set(None))
    for kind in ("personnummer", "samordningsnummer", "phone", "email"):
        assert scores.recall(kind) == 1.0 or kind == "personnummer", kind
        assert scores.precision(kind) == 1.0, kind
    assert (scores.recall("personnummer") or 0) >= 0.9


def test_pd_eval_takes_a_file_and_reports_errors(tmp_path: Path) -> None:
    labelled = tmp_path / "set.json"
    labelled.write_text(
        json.dumps({"documents": [{"id": "a", "text": "pnr 19121212-1212",
                                   "spans": [{"kind": "personnummer", "text": "19121212-1212"}]}]}),
        encoding="utf-8",
    )  # fmt: skip
    assert pd_eval.main([str(labelled), "--text-only"]) == 0
    assert pd_eval.main([str(tmp_path / "missing.json")]) == 2
