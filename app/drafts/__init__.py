"""The messages being written: the draft itself (``message_draft``), a file's way into it
(``attach``), the recipients typed (``recipients``), every draft of one clinician
(``draft_book``), saved and restored after a crash (``draft_store``), and the desk over the
drafts and the sends that left them (``desk``)."""
