"""``bifoga audit verify [--checkpoint SEQ:HASH] [--lang sv|en] [PATH]``: check an audit
trail's chain.

PATH defaults to the trail in the user's data folder. The records are checked with the
audit key in this OS account's keyring (the one that wrote them; it is never made here).
Exit status: 0 and one line of
summary when the chain is sound; 1 and a sentence naming the first broken or missing
record (its line, its number and what is wrong) when it is not; 2 for a usage error or a
file that cannot be read. The summary ends with the last record's checkpoint; given back
later with ``--checkpoint``, the check also fails when that record is gone or another one
(records removed from the end, or the file rewritten); Bifoga also sends such checkpoints
to the gateway, which keeps them. Sentences come from
``resources/texts/audit.json`` in the settings' language unless ``--lang`` says otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.audit.pseudonyms import KeyProvider, KeyringKeyProvider
from app.audit.records import AuditError
from app.audit.trail import TRAIL_FILE_NAME, default_folder
from app.audit.verify import Checkpoint, VerifyResult, verify_file
from app.commands.cli_args import EXIT_USAGE, Parser, parse
from app.config import texts

EXIT_SOUND = 0
EXIT_BROKEN = 1


def _parser() -> Parser:
    parser = Parser(prog="bifoga audit", description="Granskningsloggen (audit trail).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    verify = commands.add_parser("verify", help="kontrollera att granskningsloggen är obruten")
    verify.add_argument(
        "--checkpoint",
        type=_checkpoint,
        metavar="SEQ:HASH",
        help="en kontrollpunkt som en tidigare kontroll skrev ut; posten måste finnas kvar",
    )
    verify.add_argument("--lang", choices=texts.LANGUAGES, help="språk: sv (förval) eller en")
    verify.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help=f"granskningsloggen (förval: {TRAIL_FILE_NAME} i användarens datamapp)",
    )
    return parser


def main(
    argv: Sequence[str],
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    key_provider: KeyProvider | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    options = parse(_parser(), argv, err)
    if isinstance(options, int):
        return options
    lang = options.lang or _settings_language()
    path: Path = options.path or default_folder() / TRAIL_FILE_NAME
    try:
        key = (key_provider or KeyringKeyProvider(create=False))()
    except AuditError as error:
        print(texts.message("audit.verify.no_key", lang, error.params), file=err)
        return EXIT_USAGE
    try:
        result = verify_file(path, key, options.checkpoint)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(
            texts.message("audit.verify.unreadable", lang, {"path": path, "reason": reason}),
            file=err,
        )
        return EXIT_USAGE
    print(summary(result, path, lang), file=out if result.sound else err)
    return EXIT_SOUND if result.sound else EXIT_BROKEN


def summary(result: VerifyResult, path: Path, lang: str) -> str:
    """One line: the trail is sound (how many records, the last one's time and hash), or
    where and how it first breaks."""
    if result.broken is not None:
        found = texts.message(f"audit.break.{result.broken.kind.value}", lang, result.broken.params)
        return texts.message("audit.verify.broken", lang, {"path": path, "break": found})
    if result.last is None:
        return texts.message("audit.verify.empty", lang, {"path": path})
    params = {
        "path": path,
        "records": result.sound_records,
        "last_time": result.last.time,
        "checkpoint": Checkpoint.of(result.last),
        "legacy": result.legacy_records,
    }
    sound = texts.message("audit.verify.sound", lang, params)
    if result.legacy_records:
        return sound + " " + texts.message("audit.verify.legacy", lang, params)
    return sound


def _checkpoint(text: str) -> Checkpoint:
    checkpoint = Checkpoint.parse(text)
    if checkpoint is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} är ingen kontrollpunkt (postnummer:minst 16 hexsiffror)"
        )
    return checkpoint


def _settings_language() -> str:
    """The user's language; Swedish when their settings cannot be read (checking a trail
    must work on a machine where Bifoga is not set up, e.g. the service desk's)."""
    from app.config.settings import SettingsError, load

    try:
        language = load().language
    except SettingsError:
        return texts.DEFAULT_LANGUAGE
    return language if language in texts.LANGUAGES else texts.DEFAULT_LANGUAGE
