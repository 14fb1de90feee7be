"""The mandatory preview (R6): the pane, the page on screen and its marks, the thumbnails,
the reading order read aloud, the text outside the pages, and the first page drawn ahead
of staging. Pixels come from the render worker (``app.preview``); nothing here parses a
file."""
