"""The core's commands, which need no window: ``bifoga inspect`` (``inspect_cli``),
``bifoga check-settings`` and ``bifoga pd-eval`` (``cli``, which also dispatches), ``bifoga
audit`` (``audit_cli``), and their argument parsing (``cli_args``). Nothing here loads Qt."""
