"""What Bifoga is told rather than what it decides: the settings (``settings``), the
region's policy file and defaults (``region``), and the sentences its codes are shown with
(``texts``); JSON read strictly, a key twice refused (``strict_json``)."""
