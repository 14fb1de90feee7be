"""The preview's rules without Qt: what to draw next and what to keep (``scheduler``),
what a page is drawn at (``page_key``, ``zoom``), the typed calls to the render worker
(``render_client``), what it answers (``rendered_page``), the cache bounded by bytes
(``page_cache``), and when a page counts as seen (``seen_tracking``). ``ui/preview/pane.py``
feeds these what is on screen and paints what they decide. See docs/preview.md.
"""
