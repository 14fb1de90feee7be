"""The windows beside the message: the colleague's sign-off (``review``), "Skickat",
"Fel fil skickad", the originals offer, "Lagring", the settings and the help. Each gets
what it shows from the window's controllers and reports back through signals."""
