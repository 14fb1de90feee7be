"""Find personal data ("personuppgifter") in extracted text.

The detector decides when a file needs a second colleague's sign-off, and missing a
personnummer is the expensive mistake, so identifiers are matched in every written form
and validated by the rules in :mod:`app.protocol.identifiers`; the other kinds (phone, e-mail,
address, name after a label, health context) make a file "found" too.

Speed: Python's ``re`` has no literal-set prefilter for alternations, so a pattern made of
many branches pays a full attempt at every position. The detector therefore runs a few
passes whose patterns start with one rare character (``re`` then skips the text in C):

* one pass led by a digit: identifiers, phone numbers, postcodes, street numbers (the
  street word is checked by fixed-width lookbehinds) and ICD-10 codes (the letter in a
  lookbehind). ``(?<!\\w\\w)`` right after the first digit kills attempts inside a digit
  run or a word at once, which is what makes this pass nearly as cheap as a plain scan;
* literal passes for ``@`` (e-mail), ``+`` and ``(0`` (phone numbers written that way),
  ``:`` after a known label (names, journal headings) and ``\\n`` (headings on a line
  of their own).

Candidates are validated in Python afterwards; in clinical text they are rare.
See ``docs/personal-data.md`` for the rules and the choices.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import phonenumbers

from app.inspection.personal_data_words import (
    HEALTH_HEADINGS,
    NAME_LABELS,
    NOT_NAMES,
    NOT_TOWNS,
    STREET_SUFFIXES,
)
from app.inspection.phone_numbers import (
    EXCLUDED_PHONE_TYPES,
    mask_phone,
    parse_phone,
    phone_e164,
)
from app.protocol.identifiers import (
    COORDINATION_DAY_OFFSET,
    IdentifierKind,
    canonical_from_parts,
    date_is_possible,
    plausible_date_part,
    resolve_century,
)

#: Kinds that are national identifiers of a person.
IDENTIFIER_KINDS = frozenset(
    {"personnummer", "samordningsnummer", "interimsnummer", "reservnummer"}
)
#: Every kind the detector reports; each one makes a file "found" (health included:
#: health data is a special category under GDPR art. 9).
ALL_KINDS = (
    "personnummer",
    "samordningsnummer",
    "interimsnummer",
    "reservnummer",
    "phone",
    "email",
    "address",
    "name",
    "health",
)


@dataclass(frozen=True, slots=True)
class TextHit:
    kind: str
    start: int  # offsets into the text passed in
    end: int
    masked: str  # what may be shown and logged
    #: Canonical 12-digit form for personnummer/samordningsnummer. Never shown or logged.
    identifier: str | None = field(default=None, repr=False)


# --------------------------------------------------------------------------- patterns

# Separators people (and PDF text extraction) put between date and serial: hyphen-minus,
# the Unicode dashes and minus signs, plus; optionally with spaces around; or a space
# alone (no-break, thin and narrow no-break spaces included).
_SPACES = " \u00a0\u2007\u2009\u202f"
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# A line break after a dash happens when a PDF line ends inside the number.
_SEP = f"(?:[{_SPACES}]?[{_DASHES}+](?:[{_SPACES}]|\r?\n)?|[{_SPACES}])?"
_SP = f"[{_SPACES}]"

# Serial letters of interim numbers ("interimsnummer").
_INTERIM_LETTERS = "TRSUWXJKLMN"

# After the first three digits: the rest of a 6 or 8 digit date part, separator, four
# serial characters (digits, or letters for interim and reserve numbers), no word character.
_ID = rf"\d{{3}}(?:\d\d)?{_SEP}[\dA-Z]{{4}}(?!\w)(?P<id>)"
# Phone numbers with a leading 0 (national) or 00 (international), after the first two
# digits: digit groups with single separators. Greedy; the validator trims trailing
# groups that do not belong.
_PH = (
    rf"(?<=0\d)\d{{0,2}}(?:{_SP}?[{_DASHES}/]{_SP}?|{_SP})?\d{{2,3}}"
    rf"(?:(?:{_SP}|[{_DASHES}])?\d{{2,4}}){{1,3}}(?!\w)(?P<ph>)"
)
# Postcode (100 00 .. 989 99), after its first three digits, and a capitalised town.
_PC = rf"(?<=[1-9]\d\d){_SP}?\d\d{_SP}+[A-ZÅÄÖ][A-Za-zÅÄÖåäöéü]+(?P<pc>)"


def _street_lookbehinds() -> str:
    # One fixed-width lookbehind per suffix length (``re`` needs fixed width); each also
    # demands a letter before the suffix, so the word "torget" alone is not a street.
    by_len: dict[int, list[str]] = {}
    for suffix in STREET_SUFFIXES:
        by_len.setdefault(len(suffix), []).append(suffix)
    parts = [
        rf"(?<=[a-zåäöé](?:{'|'.join(sorted(group))}){_SP}\d)"
        for _, group in sorted(by_len.items())
    ]
    return "(?:" + "|".join(parts) + ")"


# Street number (the first digit is already consumed): up to four digits and an entrance
# letter ("12", "12B", "12 B").
# The one-character guard (every suffix ends in one of these letters) fails fast for
# most numbers before the suffix lookbehinds run.
_ST = (
    rf"(?<=[nagdtsér]{_SP}\d){_street_lookbehinds()}"
    rf"\d{{0,3}}(?:{_SP}?[A-Za-z](?!\w))?(?!\w)(?P<st>)"
)
# ICD-10 code: the letter is behind the first digit (checked by lookbehind), e.g. J18.9,
# I10, E11.65, F321. Only reported with a context word nearby (checked afterwards).
_ICD = r"(?<=[A-Z]\d)(?<!\w[A-Z]\d)\d(?:\.\d{1,2}[A-Z]?|\d{1,2})?(?![\w]|[.,]\d)(?P<icd>)"

_WORD_LETTER = "A-Za-zÅÄÖåäöÉéÜü_"
# (?<!\d\d) ends attempts inside a digit run with one check; then a number that starts
# after a letter can only be an ICD-10 code, any other start can be anything else.
_DIGIT_PASS = re.compile(
    rf"\d(?<!\d\d)(?:(?<![{_WORD_LETTER}]\d)(?:\d(?:\d(?:{_ID}|{_PC})|{_PH})|{_ST})|{_ICD})"
)

# A phone number written "+46 70 ..." or "(08) 123 ..." (the literal pass finds these).
_PHONE_AT = re.compile(
    rf"(?:\+\d{{1,3}}{_SP}?(?:\(0\){_SP}?)?|\(0\d{{1,3}}\){_SP}?)"
    rf"\d{{1,4}}(?:(?:{_SP}|[{_DASHES}/])?\d{{1,4}}){{1,5}}(?!\w)"
)

# E-mail around an "@": the local part is taken backwards from the "@".
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}\Z")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b")


def _label_lookbehinds(words: Iterable[str]) -> str:
    by_len: dict[int, list[str]] = {}
    for word in words:
        for variant in (word, word + " "):  # "Namn:" and "Namn :"
            by_len.setdefault(len(variant) + 1, []).append(re.escape(variant))
    return "|".join(rf"(?<=(?i:{'|'.join(sorted(group))}):)" for _, group in sorted(by_len.items()))


# The guard (a letter before the colon) skips times such as 08:30 before the label list.
_COLON_PASS = re.compile(
    r":(?:(?<=[^\W\d_]:)|(?<=[^\W\d_] :))(?:"
    + _label_lookbehinds((*NAME_LABELS, *HEALTH_HEADINGS))
    + ")"
)
_LABELS_BY_LENGTH: dict[int, frozenset[str]] = {}
for _label in (*NAME_LABELS, *HEALTH_HEADINGS):
    _LABELS_BY_LENGTH[len(_label)] = _LABELS_BY_LENGTH.get(len(_label), frozenset()) | {_label}
_LABEL_LENGTHS = sorted(_LABELS_BY_LENGTH, reverse=True)
_HEADING_SET = frozenset(HEALTH_HEADINGS)


def _label_start(text: str, colon: int) -> int:
    """Where the label before ``colon`` starts (longest label first), or -1.

    A label glued to a longer word ("Spat:") is no label.
    """
    end = colon - 1 if colon and text[colon - 1] == " " else colon
    for length in _LABEL_LENGTHS:
        start = end - length
        if start < 0:
            continue
        if text[start:end].casefold() in _LABELS_BY_LENGTH[length] and not (
            start and text[start - 1].isalpha()
        ):
            return start
    return -1


_HEADINGS_ALT = "|".join(re.escape(w) for w in sorted(HEALTH_HEADINGS, key=len, reverse=True))
# A heading alone on its line (PDFium ends lines with "\r\n").
_HEADING_LINE = re.compile(rf"\n[ \t]*((?i:{_HEADINGS_ALT}))[ \t]*(?=\r?\n|\Z)")
_HEADING_FIRST_LINE = re.compile(rf"[ \t]*((?i:{_HEADINGS_ALT}))[ \t]*(?=\r?\n|\Z)")

# A name: capitalised words ("Tolvan Tolvansson", "Tolvansson, Tolvan", "Anna-Karin
# Ek", "T. Tolvansson"); up to four parts.
_NAME_WORD = r"(?:[A-ZÅÄÖÉÜ][a-zåäöéüè'’]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéüè'’]+)?|[A-ZÅÄÖ]\.)"
_NAME = re.compile(rf"{_NAME_WORD}(?:,?[ \u00a0]{_NAME_WORD}){{0,3}}")
# What may stand between the label and the name: an identifier, punctuation.
_BEFORE_NAME = re.compile(rf"[ \t\u00a0]*(?:[\d{_DASHES}+A-Z]{{10,13}}[ \t,\u00a0]+)?")
# Context words that make an ICD-10-shaped code a diagnosis.
_ICD_CONTEXT = ("diagnos", "icd", "dx", "sjukdomskod")
_ICD_WINDOW_BEFORE = 100
_ICD_WINDOW_AFTER = 40
# Phone labels that turn a contiguous 07xxxxxxxx into a phone number, not a personnummer.
_PHONE_LABEL = re.compile(r"\b(?i:tel|tfn|telefon|mobil|mobiltelefon|mob|sms|ring)\b[.:]?[ \t]*\Z")

# Payment references after their labels: an invoice's OCR number, bankgiro, plusgiro and
# invoice number are digit groups that libphonenumber would take for a phone number
# ("OCR-nummer 4711 0815 2024" holds "0815 2024", a Stockholm number). Between the label
# and the number only digits, spaces, dashes and "nr"/"(OCR)" may stand, so a phone number
# later on the same invoice still counts.
_PAYMENT_LABEL = re.compile(
    r"(?<![\w])(?i:ocr|ocr-?nummer|ocr-?nr|referens|referensnummer|betalningsreferens"
    r"|bankgiro|bankgironummer|bankgironr|bg|plusgiro|plusgironummer|plusgironr|pg|postgiro"
    r"|faktura|fakturanummer|fakturanr|kundnummer|kundnr)"
    rf"(?i:[ \t.:#]*(?:nr|nummer|\(ocr\))\.?)?[ \t\r\n.:#]*[\d{_SPACES}{_DASHES}]*\Z"
)
_PAYMENT_WINDOW = 48

_DIGIT_GROUP_TAIL = re.compile(rf"(?:{_SP}|[{_DASHES}/])*\d+\Z")
_UNKNOWN: tuple[str, int, str, str | None] = ("", 0, "", None)


class _NoCache(dict[str, tuple[str, int, str, str | None] | None]):
    """A cache that keeps nothing (for detectors whose "today" moves)."""

    def __setitem__(self, key: str, value: tuple[str, int, str, str | None] | None) -> None:
        return None


#: Bound on the per-detector verdict caches (a detector may live as long as the program).
_CACHE_SIZE = 4096
_PRIORITY = {kind: index for index, kind in enumerate(ALL_KINDS)}


def _ascii_digits(text: str) -> str:
    # \d matches every Unicode digit (full-width digits occur in some PDFs); int() reads them.
    return "".join(str(int(c)) if c.isdigit() else c for c in text) if not text.isascii() else text


def _normalise_address(text: str) -> str:
    return re.sub(r"[\s,.\u00a0]+", "", text).casefold()


class Detector:
    """Finds personal data in text. Build once per configuration; ``find`` is pure.

    ``clinic_phone_numbers`` and ``clinic_addresses`` are the sender's own (letterheads
    name them on every page and they are not a resident's personal data).
    ``clinic_addresses`` entries are free text such as ``"Getingevägen 4, 222 41 Lund"``;
    a street or postcode hit contained in one of them is dropped. ``today`` fixes the
    century of ten-digit identifiers (tests and the labelled set pin it).
    """

    def __init__(
        self,
        *,
        clinic_phone_numbers: Collection[str] = (),
        today: dt.date | None = None,
        clinic_addresses: Collection[str] = (),
    ) -> None:
        self._today = today
        self._clinic_phones = frozenset(
            e164 for e164 in (phone_e164(n) for n in clinic_phone_numbers) if e164
        )
        self._clinic_addresses = tuple(_normalise_address(a) for a in clinic_addresses)
        self._phone_cache: dict[str, tuple[int, str]] = {}
        self._verdicts: dict[str, tuple[str, int, str, str | None] | None] = {}
        if today is None:
            # The century of a ten-digit number depends on the day; cache nothing across days.
            self._verdicts = _NoCache()
        self._address_cache: dict[str, bool] = {}

    # ------------------------------------------------------------------ public
    def find(self, text: str) -> list[TextHit]:
        """All hits, sorted by start, without overlaps."""
        if not text:
            return []
        today = self._today or dt.date.today()
        hits: list[TextHit] = []
        add = hits.append
        verdicts = self._verdicts
        for match in _DIGIT_PASS.finditer(text):
            kind = match.lastgroup
            if kind == "id" or kind == "pc":
                # Letterheads and page headers repeat the same strings on every page; a
                # verdict that depends on the matched text alone is computed once.
                key = match.group()
                known = verdicts.get(key, _UNKNOWN)
                if known is None:
                    continue
                start = match.start()
                if known is not _UNKNOWN:
                    add(TextHit(known[0], start, start + known[1], known[2], known[3]))
                    continue
                if kind == "id":
                    hit = self._identifier(text, start, match.end(), today)
                    cacheable = not (key.startswith("07") and len(key) == 10)  # label-dependent
                else:
                    hit = self._postcode(text, start, match.end())
                    cacheable = True
                if cacheable and len(verdicts) < _CACHE_SIZE:
                    verdicts[key] = (
                        None
                        if hit is None
                        else (hit.kind, hit.end - hit.start, hit.masked, hit.identifier)
                    )
            elif kind == "ph":
                hit = self._phone(text, match.start(), match.end())
            elif kind == "st":
                hit = self._street(text, match.start(), match.end())
            else:
                hit = self._icd(text, match.start() - 1, match.end())
            if hit is not None:
                add(hit)
        if "@" in text:
            hits.extend(self._emails(text))
        if "+" in text or "(0" in text:
            hits.extend(self._prefixed_phones(text))
        if ":" in text:
            hits.extend(self._labelled(text))
        hits.extend(self._headings(text))
        return _without_overlaps(hits)

    # -------------------------------------------------------------- identifiers
    def _identifier(self, text: str, start: int, end: int, today: dt.date) -> TextHit | None:
        raw = _ascii_digits(text[start:end])
        serial = raw[-4:]
        head = raw[:-4]
        date_digits = head.rstrip(_SPACES + _DASHES.replace("\\", "") + "+\r\n")
        separator = head[len(date_digits) :]
        plus = "+" in separator
        if serial.isdigit():
            ident = canonical_from_parts(date_digits, serial, plus=plus, today=today)
            if ident is not None:
                if (
                    len(raw) == 10
                    and raw.startswith("07")
                    and _PHONE_LABEL.search(text, max(0, start - 16), start)
                ):
                    # "Mobil 0701234567": the label says phone; both are personal anyway.
                    return self._phone(text, start, end)
                return TextHit(ident.kind.value, start, end, ident.masked, ident.value)
            if raw[0] == "0" and separator.strip(_SPACES) in ("", "-", "\u2013"):
                # 070-1234567 or 0701234567 that is no personnummer may be a phone number.
                return self._phone(text, start, end)
            return None
        return self._letter_serial(date_digits, serial, plus, start, end, today)

    def _letter_serial(
        self, date_digits: str, serial: str, plus: bool, start: int, end: int, today: dt.date
    ) -> TextHit | None:
        # Interim and reserve numbers: a real date, then four characters with a letter.
        if len(date_digits) == 8:
            year, month, day = int(date_digits[:4]), int(date_digits[4:6]), int(date_digits[6:])
            if not 1800 <= year <= today.year:
                return None
        elif len(date_digits) == 6:
            month, day = int(date_digits[2:4]), int(date_digits[4:6])
            real_day = day - COORDINATION_DAY_OFFSET if day > 31 else day
            year = resolve_century(int(date_digits[:2]), month, real_day, plus=plus, today=today)
        else:
            return None
        coordination = day > 31
        if not date_is_possible(year, month, day, coordination=coordination):
            return None
        masked = f"{year:04d}{date_digits[-4:]}-****"
        if serial[0] in "DEF" and serial[2] in "01" and serial[1].isalpha() and serial[3].isalpha():
            return TextHit("reservnummer", start, end, masked)  # Region Skåne's form
        letters = [c for c in serial if c.isalpha()]
        if (
            all(c in _INTERIM_LETTERS for c in letters)
            and len(letters) == 1
            and serial[3].isdigit()
        ):
            return TextHit("interimsnummer", start, end, masked)
        return TextHit("reservnummer", start, end, masked)

    # ------------------------------------------------------------------ phones
    def _phone(self, text: str, start: int, end: int) -> TextHit | None:
        if _PAYMENT_LABEL.search(text, max(0, start - _PAYMENT_WINDOW), start):
            return None  # a payment reference, not a phone number (depends on the label)
        # Letterheads repeat the same numbers on every page: remember each verdict.
        candidate = text[start:end]
        cached = self._phone_cache.get(candidate)
        if cached is not None:
            length, masked = cached
            return TextHit("phone", start, start + length, masked) if length else None
        hit = self._phone_uncached(text, start, end)
        if len(self._phone_cache) < _CACHE_SIZE:
            self._phone_cache[candidate] = (
                (hit.end - hit.start, hit.masked) if hit is not None else (0, "")
            )
        return hit

    def _phone_uncached(self, text: str, start: int, end: int) -> TextHit | None:
        candidate = text[start:end]
        # The pattern is greedy; drop trailing digit groups until the number is valid
        # ("08-123 45 67 12 st" is 08-123 45 67 followed by a count).
        for _ in range(4):
            number = parse_phone(candidate)
            if number is not None:
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                if e164 in self._clinic_phones:
                    return None
                if phonenumbers.number_type(number) in EXCLUDED_PHONE_TYPES:
                    return None
                return TextHit("phone", start, start + len(candidate), mask_phone(candidate))
            tail = _DIGIT_GROUP_TAIL.search(candidate)
            if tail is None or tail.start() == 0:
                return None
            candidate = candidate[: tail.start()]
            if sum(c.isdigit() for c in candidate) < 7:
                return None
        return None

    def _prefixed_phones(self, text: str) -> Iterable[TextHit]:
        for literal in ("+", "(0"):
            at = text.find(literal)
            while at != -1:
                match = _PHONE_AT.match(text, at)
                if match is not None and not (at and text[at - 1].isalnum()):
                    hit = self._phone(text, at, match.end())
                    if hit is not None:
                        yield hit
                at = text.find(literal, at + 1)

    # ----------------------------------------------------------------- e-mail
    def _emails(self, text: str) -> Iterable[TextHit]:
        at = text.find("@")
        while at != -1:
            local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
            domain = _EMAIL_DOMAIN.match(text, at + 1)
            if local is not None and domain is not None:
                start = local.start()
                while start < at and text[start] == ".":
                    start += 1
                if start < at:
                    local_part = text[start:at]
                    masked = f"{local_part[0]}***@{domain.group()}"
                    yield TextHit("email", start, domain.end(), masked)
            at = text.find("@", at + 1)

    # --------------------------------------------------------------- addresses
    def _is_clinic_address(self, fragment: str) -> bool:
        if not self._clinic_addresses:
            return False
        known = self._address_cache.get(fragment)
        if known is None:
            key = _normalise_address(fragment)
            known = any(key in address for address in self._clinic_addresses)
            if len(self._address_cache) < _CACHE_SIZE:
                self._address_cache[fragment] = known
        return known

    def _postcode(self, text: str, start: int, end: int) -> TextHit | None:
        fragment = text[start:end]
        town = fragment.split()[-1] if fragment.split() else ""
        if town.casefold() in NOT_TOWNS or len(town) < 2:
            return None
        if self._is_clinic_address(fragment):
            return None
        return TextHit("address", start, end, f"*** ** {town[0]}***")

    def _street(self, text: str, start: int, end: int) -> TextHit | None:
        # The match is the number; the street is the word before it, maybe with a
        # capitalised first part ("Lilla Fiskaregatan 3", "Södra Förstadsgatan 101").
        word_end = start - 1
        while word_end > 0 and text[word_end - 1] in _SPACES:
            word_end -= 1
        word_start = word_end
        while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "-"):
            word_start -= 1
        if word_start == word_end:
            return None
        prev = word_start - 1
        if prev > 0 and text[prev] == " " and text[prev - 1].isalpha():
            first = prev - 1
            while first > 0 and text[first - 1].isalpha():
                first -= 1
            if text[first].isupper() and text[word_start].isupper() and prev - first <= 8:
                word_start = first  # "Lilla Torget 3": a short capitalised prefix
        street = text[word_start:word_end]
        if not street[0].isupper():
            return None  # "ringvägen 3" in running prose is rare; "väg 3" is a road number
        if self._is_clinic_address(text[word_start:end]):
            return None
        return TextHit("address", word_start, end, f"{street[0]}*** **")

    # -------------------------------------------------------------- health, names
    def _icd(self, text: str, start: int, end: int) -> TextHit | None:
        window = text[max(0, start - _ICD_WINDOW_BEFORE) : end + _ICD_WINDOW_AFTER].casefold()
        if not any(word in window for word in _ICD_CONTEXT):
            return None
        return TextHit("health", start, end, f"ICD-10 {text[start]}**")

    def _labelled(self, text: str) -> Iterable[TextHit]:
        for match in _COLON_PASS.finditer(text):
            colon = match.start()
            label_start = _label_start(text, colon)
            if label_start < 0:
                continue
            label_end = colon - 1 if text[colon - 1] == " " else colon
            word = text[label_start:label_end].casefold()
            if word in _HEADING_SET:
                yield TextHit("health", label_start, label_end, text[label_start:label_end])
                continue
            skip = _BEFORE_NAME.match(text, colon + 1)
            at = skip.end() if skip else colon + 1
            name = _NAME.match(text, at)
            if name is None:
                continue
            value = name.group().rstrip(",")
            first = value.split()[0].rstrip(",").casefold()
            if first in NOT_NAMES or any(w.casefold() in NOT_NAMES for w in value.split()[1:]):
                continue
            if len(value) < 2:
                continue
            masked = " ".join(f"{part[0]}***" for part in value.replace(",", "").split())
            yield TextHit("name", name.start(), name.start() + len(value), masked)

    def _headings(self, text: str) -> Iterable[TextHit]:
        first = _HEADING_FIRST_LINE.match(text)
        if first is not None:
            yield TextHit("health", first.start(1), first.end(1), first.group(1))
        if "\n" in text:
            for match in _HEADING_LINE.finditer(text):
                yield TextHit("health", match.start(1), match.end(1), match.group(1))


# ------------------------------------------------------------------ helpers
def _without_overlaps(hits: list[TextHit]) -> list[TextHit]:
    # Sorted by start; on overlap the earlier hit wins, then the more specific kind
    # (identifiers before phone numbers before the rest), then the longer one.
    hits.sort(key=lambda h: (h.start, _PRIORITY.get(h.kind, 99), -(h.end - h.start)))
    result: list[TextHit] = []
    for hit in hits:
        if result and hit.start < result[-1].end:
            previous = result[-1]
            if _PRIORITY.get(hit.kind, 99) < _PRIORITY.get(previous.kind, 99):
                result[-1] = hit
            continue
        result.append(hit)
    return result


_DEFAULT = Detector()


def find_personal_data(text: str, **kwargs: object) -> list[TextHit]:
    """``Detector(**kwargs).find(text)``; without arguments a shared default detector."""
    detector = Detector(**kwargs) if kwargs else _DEFAULT  # type: ignore[arg-type]
    return detector.find(text)


def personal_data_found(hits: Iterable[TextHit]) -> bool:
    """A file has personal data when it has at least one hit of any kind (health too)."""
    return any(True for _ in hits)


# ------------------------------------------------------------------ masking for logs
_ID_SHAPE = re.compile(rf"(?<![^\W_])(\d{{6}}(?:\d\d)?)({_SEP})([\dA-Z]{{4}})(?![^\W_])")


def mask_identifiers(text: str) -> str:
    """Replace everything shaped like a personal identifier with its masked form.

    Deliberately broader than the detector (no Luhn, no century): in log lines a
    mistyped personnummer is still one, and over-masking costs nothing.
    """
    if not any(c.isdigit() for c in text):
        return text

    def replace(match: re.Match[str]) -> str:
        date_part = _ascii_digits(match.group(1))
        if not plausible_date_part(date_part) or int(date_part[-4:-2]) >= 20:
            return match.group()
        return f"{date_part}-****"

    return _ID_SHAPE.sub(replace, text)


__all__ = [
    "ALL_KINDS",
    "IDENTIFIER_KINDS",
    "Detector",
    "IdentifierKind",
    "TextHit",
    "find_personal_data",
    "mask_identifiers",
    "personal_data_found",
]
