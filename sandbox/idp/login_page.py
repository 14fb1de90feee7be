"""The provider's pages, in Swedish: the login page (card and PIN), the end-session page
and the error page for a request that cannot be sent back to its client.

Accessible the plain way: one form, a fieldset with a legend for the cards, a label for
every control, the error in a ``role="alert"`` that is also the PIN field's description,
and focus order as read. Every value that comes from a request goes through
``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.demo import StaffMember

_ACR_LABELS = {
    "http://id.sambi.se/loa/loa3": "tillitsnivå 3 (SITHS-kort)",
    "http://id.sambi.se/loa/loa2": "tillitsnivå 2",
}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 36rem;
       line-height: 1.45; padding: 0 1rem; }
fieldset { border: 1px solid #888; border-radius: 6px; padding: .5rem 1rem; }
.card { display: block; padding: .4rem 0; }
.sign { border: 2px solid #0a5; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0;
        white-space: pre-wrap; }
.alert { border: 2px solid #b00; background: #fde; padding: .5rem 1rem; border-radius: 6px; }
input[type=password] { font-size: 1.2rem; width: 8rem; }
button { font-size: 1rem; padding: .4rem 1rem; margin-right: .5rem; }
:focus { outline: 3px solid #05a; outline-offset: 2px; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


@dataclass(frozen=True, slots=True)
class LoginView:
    action: str
    request_id: str
    cards: Iterable[StaffMember]
    selected: str | None
    acr: str
    user_message: str | None
    error: str | None = None


def login_page(view: LoginView) -> str:
    signing = view.user_message is not None
    title = "Godkänn med SITHS" if signing else "Logga in med SITHS"
    cards_shown = list(view.cards)
    # With no card chosen the card is what is left to do; otherwise the PIN.
    first_card = (
        cards_shown[0].staff_id if view.error and not view.selected and cards_shown else None
    )
    cards = "".join(
        _card(card, card.staff_id == view.selected, focus=card.staff_id == first_card)
        for card in cards_shown
    )
    sign = (
        '<section aria-labelledby="sign-heading"><h2 id="sign-heading">Du godkänner</h2>'
        f'<p class="sign" id="sign-message">{_e(view.user_message)}</p></section>'
        if signing
        else ""
    )
    error = f'<p class="alert" role="alert" id="error">{_e(view.error)}</p>' if view.error else ""
    described = ' aria-describedby="error" aria-invalid="true"' if view.error else ""
    # After an error, or with the card already chosen, the PIN is what is left to do.
    focus = " autofocus" if view.selected or (view.error and first_card is None) else ""
    submit = "Godkänn och signera" if signing else "Logga in"
    level = _ACR_LABELS.get(view.acr, view.acr)
    return page(
        title,
        f"<h1>{_e(title)}</h1>"
        "<p>Sandlådans identitetsleverantör (demo). Välj ditt kort och skriv kortets "
        f"PIN-kod. Inloggningen ger {_e(level)}.</p>"
        f"{sign}{error}"
        f'<form method="post" action="{_e(view.action)}">'
        f'<input type="hidden" name="request" value="{_e(view.request_id)}">'
        f"<fieldset><legend>Välj kort</legend>{cards}</fieldset>"
        '<p><label for="pin">PIN-kod</label><br>'
        f'<input type="password" name="pin" id="pin" autocomplete="off" inputmode="numeric"'
        f"{described}{focus}></p>"
        f'<p><button type="submit" name="action" value="login" id="login">{submit}</button>'
        '<button type="submit" name="action" value="cancel" id="cancel" formnovalidate>'
        "Avbryt</button></p></form>",
    )


def _card(card: StaffMember, selected: str | bool, *, focus: bool = False) -> str:
    checked = " checked" if selected else ""
    checked += " autofocus" if focus else ""
    element_id = f"card-{card.staff_id}"
    return (
        f'<label class="card" for="{_e(element_id)}">'
        f'<input type="radio" name="card" value="{_e(card.staff_id)}" id="{_e(element_id)}"'
        f"{checked}> {_e(card.name)} ({_e(card.staff_id)}), {_e(card.unit)}</label>"
    )


def signed_out_page() -> str:
    return page(
        "Du är utloggad",
        "<h1>Du är utloggad</h1><p>Du är utloggad från sandlådans identitetsleverantör. "
        "Du kan stänga det här fönstret.</p>",
    )


def error_page(message: str) -> str:
    return page(
        "Inloggningen kan inte fortsätta",
        f'<h1>Inloggningen kan inte fortsätta</h1><p role="alert">{_e(message)}</p>'
        "<p>Börja om från Bifoga.</p>",
    )
