"""The core's commands, which need no window: ``bifoga inspect`` (inspect files as the
window would), ``bifoga check-settings`` (the settings and the region's policy, checked as
the window checks them), ``bifoga pd-eval``, ``bifoga a11y-eval`` and ``bifoga audit``.

The console script is :func:`ui.shell.launcher.main`, which hands these commands here before
anything loads Qt, so they run on machines without a screen. ``bifoga sandbox`` goes from
there to :mod:`sandbox.cli` instead: the core imports no sandbox."""

from __future__ import annotations

import json
import logging
import sys

USAGE = """usage: bifoga [COMMAND] ...

  bifoga                  start the window on the configured gateway
  bifoga --sandbox        start the window on the embedded sandbox gateway (a test system)
  bifoga check-settings [--sandbox]
                          check the settings file and the region's policy file (exit 1 if wrong)
  bifoga sandbox ...      run the sandbox gateway alone (bifoga sandbox --help)
  bifoga inspect ...      inspect files as the window would (bifoga inspect --help)
  bifoga pd-eval ...      recall and precision of the personal-data detector on the labelled set
  bifoga a11y-eval [DIR]  share of the PDF/UA corpus's fail files flagged and pass files left silent
  bifoga audit verify ... check the audit trail's hash chain (bifoga audit --help)
"""


COMMANDS = ("inspect", "check-settings", "pd-eval", "a11y-eval", "help", "-h", "--help")


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _install_log_masking()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    setup_logging()
    command = args[0] if args else ""
    if command in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if command == "inspect":
        from app.commands.inspect_cli import main as inspect_main

        return inspect_main(args[1:])
    if command == "check-settings":
        return check_settings(args[1:])
    if command == "pd-eval":
        from app.inspection.pd_eval import main as pd_eval_main

        return pd_eval_main(args[1:])
    if command == "a11y-eval":
        from app.inspection.a11y_eval import main as a11y_eval_main

        return a11y_eval_main(args[1:])
    if command == "audit":
        from app.commands.audit_cli import main as audit_main

        return audit_main(args[1:])
    print(f"bifoga: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


def check_settings(args: list[str]) -> int:
    """The settings as the window would load them: the problems on stderr (exit 1), or
    which gateway they name (exit 0). Swedish: the settings' language may be what is wrong."""
    from app.config import settings as settings_module
    from app.config.texts import message

    try:
        loaded = settings_module.load(sandbox="--sandbox" in args)
    except settings_module.SettingsError as error:
        print(message("settings.problems_intro"), file=sys.stderr)
        for problem in error.problems:
            print(f"- {problem.text()}", file=sys.stderr)
        return 1
    file = settings_module.settings_file()
    params = {"file": file, "gateway": loaded.gateway_url}
    print(message("settings.check_ok", loaded.language, params))
    # Every declared setting with its value, who may change it and when a change applies:
    # read from the declaration (app.config.settings.setting), as the settings dialog is.
    for name, spec in settings_module.REGISTRY.items():
        if name == "schema_version":
            continue
        value = getattr(loaded, name)
        if name == "contacts":
            value = [contact.__dict__ for contact in value]
        if name in loaded.set_by_region:
            who = "settings.check.by_region"
        else:
            who = "settings.check.by_user" if spec.user else "settings.check.by_region_only"
        when = "settings.check.live" if spec.live else "settings.check.next_start"
        line = {
            "name": name,
            "value": json.dumps(value, ensure_ascii=False),
            "who": message(who, loaded.language),
            "when": message(when, loaded.language),
        }
        print(message("settings.check.line", loaded.language, line))
    return 0


def _install_log_masking() -> None:
    """Logs never hold a personnummer in clear (the filter masks every record)."""
    try:
        from app.runtime.logging_filter import install
    except ImportError:
        return
    install()


if __name__ == "__main__":
    sys.exit(main())
