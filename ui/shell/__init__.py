"""The shell: the ``bifoga`` command, starting Qt with checked settings and services, the
sign-in window, a workstation's day from one clinician to the next, and ending cleanly
(SIGTERM, the bundle's smoke test). It builds the main window (``ui.window``) and knows
nothing of what happens inside it."""
