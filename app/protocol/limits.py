"""Every limit a file, a message or a send must keep, in one place.

The gateway's own limits (GATEWAY.md: 1177 takes at most 20 MiB per file, 10 files per
message, 250 residents per new case) are constants here; the sandbox enforces them as
the gateway would. Bifoga's own limits are the fields of :class:`Limits`, with those
ceilings as defaults: the shipped inspection policy (``resources/policy.json``) and a
region's policy file (``app.inspection.policy.load_policy``) may change them, and may
only lower the gateway's (``ceiling_problem``). Staging, the send gate and the
inspection each read the one ``Limits`` in force (``app.inspection.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass

_MiB = 1024 * 1024

#: The gateway's limits (GATEWAY.md; docs/requirements.md R2).
MAX_ATTACHMENT_BYTES = 20 * _MiB
MAX_ATTACHMENTS_PER_MESSAGE = 10
MAX_BULK_RECIPIENTS = 250


@dataclass(frozen=True, slots=True)
class Limits:
    #: Per file and per message; a policy may lower them, never raise them.
    max_bytes: int = MAX_ATTACHMENT_BYTES
    max_files: int = MAX_ATTACHMENTS_PER_MESSAGE
    max_pages: int = 2000
    max_image_pixels: int = 60_000_000
    max_frames: int = 1000
    max_animation_seconds: float = 5.0  # WCAG 2.2.2
    max_flashes_per_second: float = 3.0  # WCAG 2.3.1
    scan_image_coverage: float = 0.5
    scan_max_visible_chars: int = 10
    max_struct_elements: int = 200_000
    #: From this many pages on, pages are read by two processes (see pdf_pages).
    parallel_min_pages: int = 48
    page_worker_timeout_s: int = 120
    #: A PDF's Flate streams inflated together may not exceed this (decompression bombs;
    #: app/inspection/pdf_unpacked.py).
    max_unpacked_bytes: int = 512 * _MiB
    #: Text in pictures (``image_text``): larger pictures are read made smaller to this
    #: many pixels; the reading of one file's frames stops after this many seconds; a
    #: GIF's distinct frames are read up to this many.
    ocr_max_pixels: int = 9_000_000
    ocr_timeout_s: int = 30
    ocr_max_frames: int = 50


#: The limits a policy may lower but never raise: the gateway refuses more.
CEILINGS = {"max_bytes": MAX_ATTACHMENT_BYTES, "max_files": MAX_ATTACHMENTS_PER_MESSAGE}


def ceiling_problem(name: str, value: float) -> str | None:
    """Why ``value`` cannot be the limit ``name`` (None: it can)."""
    ceiling = CEILINGS.get(name)
    if ceiling is not None and value > ceiling:
        return f"limit {name!r} may only be lowered (the gateway takes at most {ceiling})"
    return None
