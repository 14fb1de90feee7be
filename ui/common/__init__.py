"""What every view uses and that knows no view: the Swedish texts (``i18n``, Qt's own
words), the error texts for codes, the focus style, the screen reader's helpers, and the
one bridge from core jobs to Qt threads (``workers``). The bottom layer of ``ui``."""
