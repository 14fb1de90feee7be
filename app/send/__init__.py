"""From a finished draft to the outbox: what still stands in the way (``send_gate``), the
colleague's sign-off (``sign_message``, ``colleague_look``) and the send itself
(``sending``)."""
