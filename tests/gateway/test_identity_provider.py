"""The sandbox's OpenID Provider (/sandbox/idp): discovery, keys, the login page, the code
flow with PKCE, single sign-on, refresh-token rotation, revocation and end-session."""

from __future__ import annotations

import http.server
import logging
import stat
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import LUND, FakeClock
from tests.support.idp_robot import (
    RobotError,
    exchange,
    read_login_form,
    redirect_params,
    robot_browser,
    robot_login,
    sandbox_code,
    sandbox_tokens,
    start_flow,
)

LOA3 = "http://id.sambi.se/loa/loa3"


def _decode(sandbox: SandboxHandle, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = KeySet.import_key_set(requests.get(f"{sandbox.issuer}/jwks", timeout=10).json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    return dict(decoded.header), dict(decoded.claims)


def _refresh(sandbox: SandboxHandle, token: str) -> requests.Response:
    return requests.post(
        f"{sandbox.issuer}/token",
        data={"grant_type": "refresh_token", "refresh_token": token, "client_id": "bifoga"},
        timeout=10,
    )


def test_discovery_names_the_endpoints_and_what_is_supported(sandbox: SandboxHandle) -> None:
    issuer = f"{sandbox.base_url}/sandbox/idp"
    assert sandbox.issuer == issuer
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == issuer
    for name, path in [
        ("authorization_endpoint", "authorize"),
        ("token_endpoint", "token"),
        ("jwks_uri", "jwks"),
        ("revocation_endpoint", "revoke"),
        ("end_session_endpoint", "end-session"),
    ]:
        assert meta[name] == f"{issuer}/{path}"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["token_endpoint_auth_methods_supported"] == ["none"]
    assert meta["acr_values_supported"][0] == LOA3
    assert set(meta["prompt_values_supported"]) == {"login", "none"}
    keys = requests.get(meta["jwks_uri"], timeout=10).json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]  # the public half only


def test_tokens_carry_ineras_claim_names(sandbox: SandboxHandle, clock: FakeClock) -> None:
    tokens = sandbox_tokens(sandbox.base_url, "anna", nonce="n-123")
    assert tokens["token_type"] == "Bearer"
    lifetime = tokens["expires_in"]  # the tests' sandbox: an hour (the default is 10 min)
    assert tokens["refresh_token"] and "offline_access" in tokens["scope"]
    header, access = _decode(sandbox, tokens["access_token"])
    assert header["typ"] == "at+jwt" and header["kid"] and header["alg"] == "RS256"
    now = int(clock.now.timestamp())
    assert access["iss"] == sandbox.issuer and access["aud"] == "bifoga-gateway"
    assert access["client_id"] == "bifoga" and access["jti"] and access["scope"]
    assert access["iat"] == now and access["exp"] == now + lifetime
    id_header, claims = _decode(sandbox, tokens["id_token"])
    assert id_header["typ"] == "JWT" and id_header["kid"] == header["kid"]
    assert claims["aud"] == "bifoga" and claims["azp"] == "bifoga"
    assert claims["nonce"] == "n-123" and claims["exp"] == now + 300
    for person in (access, claims):
        assert person["sub"] == person["employeeHsaId"] == "anna"
        assert person["given_name"] == "Anna" and person["family_name"] == "Andersson"
        assert person["name"] == "Anna Andersson" and person["healthCareUnitHsaId"] == LUND
        assert person["bifoga_roles"] == ["sender", "reviewer"]
        assert person["acr"] == LOA3 and person["auth_time"] == now


def test_no_refresh_token_without_offline_access(sandbox: SandboxHandle) -> None:
    tokens = sandbox_tokens(sandbox.base_url, "david", scope="openid profile")
    assert "refresh_token" not in tokens and tokens["access_token"]


def test_the_login_page_is_swedish_and_labelled(sandbox: SandboxHandle) -> None:
    flow = start_flow(sandbox.issuer, login_hint="bertil")
    page = requests.get(flow.url, timeout=10)
    assert page.status_code == 200 and '<html lang="sv">' in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    form = read_login_form(page.text)
    assert form.action == f"{sandbox.issuer}/authorize" and form.hidden["request"]
    assert form.cards == ["anna", "bertil", "cecilia", "david", "erik"]
    assert "<legend>Välj kort</legend>" in page.text
    assert '<label for="pin">PIN-kod</label>' in page.text
    assert 'id="card-bertil" checked' in page.text  # login_hint preselects the card
    assert 'id="card-anna" checked' not in page.text
    assert ">Logga in</button>" in page.text and 'id="cancel"' in page.text
    assert "Du godkänner" not in page.text


def test_a_sign_message_is_shown_and_the_button_says_sign(sandbox: SandboxHandle) -> None:
    message = "Anna Andersson skickar provsvar.pdf (2 sidor) till 1 invånare <b>"
    flow = start_flow(sandbox.issuer, prompt="login", user_message=message)
    page = requests.get(flow.url, timeout=10).text
    assert "<h2" in page and "Du godkänner</h2>" in page
    assert "provsvar.pdf (2 sidor) till 1 invånare &lt;b&gt;" in page
    assert ">Godkänn och signera</button>" in page


def test_a_wrong_pin_shows_the_page_again_and_five_end_the_attempt(
    sandbox: SandboxHandle,
) -> None:
    flow = start_flow(sandbox.issuer)
    with pytest.raises(RobotError, match="Fel PIN-kod"):
        robot_login(flow.url, "anna", "9999")
    http = requests.Session()
    page = http.get(flow.url, timeout=10)
    request_id = read_login_form(page.text).hidden["request"]
    answers = [
        http.post(
            f"{sandbox.issuer}/authorize",
            data={"request": request_id, "card": "anna", "pin": "0000", "action": "login"},
            allow_redirects=False,
            timeout=10,
        )
        for _ in range(5)
    ]
    assert all(not a.is_redirect for a in answers)
    assert 'role="alert"' in answers[0].text and 'aria-invalid="true"' in answers[0].text
    assert "För många" in answers[-1].text
    right = http.post(
        f"{sandbox.issuer}/authorize",
        data={"request": request_id, "card": "anna", "pin": "1111", "action": "login"},
        allow_redirects=False,
        timeout=10,
    )
    assert not right.is_redirect and right.status_code == 400  # that attempt is over
    http.close()


def test_a_wrong_pin_keeps_the_chosen_card_and_no_card_puts_the_focus_on_the_cards(
    sandbox: SandboxHandle,
) -> None:
    # Found at the window: after a wrong PIN the card was unchosen, so the right PIN
    # typed next was refused as "Välj ett kort".
    http = requests.Session()
    page = http.get(start_flow(sandbox.issuer).url, timeout=10)
    request_id = read_login_form(page.text).hidden["request"]

    def attempt(**form: str) -> str:
        data = {"request": request_id, "action": "login", **form}
        answer = http.post(
            f"{sandbox.issuer}/authorize", data=data, allow_redirects=False, timeout=10
        )
        assert not answer.is_redirect
        return answer.text

    wrong_pin = attempt(card="cecilia", pin="0000")
    assert 'id="card-cecilia" checked' in wrong_pin
    assert 'id="pin" autocomplete="off" inputmode="numeric" aria-describedby="error"' in wrong_pin
    assert "autofocus" in wrong_pin.split('id="pin"')[1].split(">")[0]
    no_card = attempt(pin="3333")
    assert "Välj ett kort." in no_card and " checked" not in no_card
    assert 'id="card-anna" autofocus' in no_card
    assert "autofocus" not in no_card.split('id="pin"')[1].split(">")[0]


def test_cancel_sends_access_denied_back(sandbox: SandboxHandle) -> None:
    flow = start_flow(sandbox.issuer)
    location = robot_login(flow.url, "anna", "", action="cancel")
    assert location.startswith(flow.redirect_uri + "?")
    assert redirect_params(location)["error"] == "access_denied"
    assert redirect_params(location)["state"] == flow.state


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [
        ("someone-else", "http://127.0.0.1:8123/callback"),
        ("bifoga", "http://evil.example/callback"),
        ("bifoga", "http://127.0.0.1/callback"),  # no port
        ("bifoga", "http://127.0.0.1:8123/other"),
        ("bifoga", "https://127.0.0.1:8123/callback"),
        ("bifoga", "http://localhost:8123/callback"),
    ],
)
def test_a_bad_client_or_redirect_gets_a_page_never_a_redirect(
    sandbox: SandboxHandle, client_id: str, redirect_uri: str
) -> None:
    flow = start_flow(sandbox.issuer, client_id=client_id, redirect_uri=redirect_uri)
    answer = requests.get(flow.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert 'role="alert"' in answer.text


def test_any_loopback_port_is_a_good_redirect(sandbox: SandboxHandle) -> None:
    for port in (1024, 50123):
        flow = start_flow(sandbox.issuer, redirect_uri=f"http://127.0.0.1:{port}/callback")
        assert requests.get(flow.url, timeout=10).status_code == 200


def _refusal(sandbox: SandboxHandle, url: str) -> dict[str, str]:
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    return redirect_params(answer.headers["Location"])


def test_pkce_s256_is_required_at_the_authorization(sandbox: SandboxHandle) -> None:
    flow = start_flow(sandbox.issuer)
    without = flow.url.replace("code_challenge=", "x=")
    assert _refusal(sandbox, without)["error"] == "invalid_request"
    plain = start_flow(sandbox.issuer, code_challenge_method="plain")
    refused = _refusal(sandbox, plain.url)
    assert refused["error"] == "invalid_request" and refused["state"] == plain.state
    no_openid = start_flow(sandbox.issuer, scope="profile")
    assert _refusal(sandbox, no_openid.url)["error"] == "invalid_scope"
    for bad in ({"max_age": "²"}, {"max_age": "-1"}, {"code_challenge": "short"}):
        assert (
            _refusal(sandbox, start_flow(sandbox.issuer, **bad).url)["error"] == "invalid_request"
        )
    unmet = start_flow(sandbox.issuer, acr_values="http://id.sambi.se/loa/loa4")
    assert _refusal(sandbox, unmet.url)["error"] == "unmet_authentication_requirements"


def test_a_missing_or_wrong_pkce_verifier_is_refused(sandbox: SandboxHandle) -> None:
    flow, code = sandbox_code(sandbox.base_url, "anna")
    missing = exchange(flow, code, verifier=None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    flow, code = sandbox_code(sandbox.base_url, "anna")
    wrong = exchange(flow, code, verifier="x" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A code is spent once presented, even with a wrong verifier.
    assert exchange(flow, code).json()["error"] == "invalid_grant"


def test_a_code_is_used_once_and_a_replay_revokes_what_it_gave(sandbox: SandboxHandle) -> None:
    flow, code = sandbox_code(sandbox.base_url, "anna")
    first = exchange(flow, code)
    assert first.status_code == 200
    replay = exchange(flow, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert replay.headers["Cache-Control"] == "no-store"
    refreshed = _refresh(sandbox, first.json()["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    jti = _decode(sandbox, first.json()["access_token"])[1]["jti"]
    assert sandbox.app.idp.is_revoked(jti)


def test_a_code_lasts_sixty_seconds(sandbox: SandboxHandle, clock: FakeClock) -> None:
    flow, code = sandbox_code(sandbox.base_url, "anna")
    clock.advance(seconds=61)
    late = exchange(flow, code)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


def test_the_code_is_bound_to_its_redirect_and_client(sandbox: SandboxHandle) -> None:
    flow, code = sandbox_code(sandbox.base_url, "anna")
    assert exchange(flow, code, client_id="other").json()["error"] == "invalid_client"
    flow.redirect_uri = "http://127.0.0.1:10/callback"
    assert exchange(flow, code).json()["error"] == "invalid_grant"
    bad = requests.post(
        f"{sandbox.issuer}/token", data={"grant_type": "password", "client_id": "bifoga"}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "unsupported_grant_type"


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(
    sandbox: SandboxHandle,
) -> None:
    first = sandbox_tokens(sandbox.base_url, "bertil")
    second = _refresh(sandbox, first["refresh_token"])
    assert second.status_code == 200
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"] and body["access_token"]
    assert _decode(sandbox, body["id_token"])[1]["sub"] == "bertil"
    reused = _refresh(sandbox, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # Two holders of one family: the newest one is revoked too.
    assert _refresh(sandbox, body["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_ends_a_refresh_token(sandbox: SandboxHandle) -> None:
    tokens = sandbox_tokens(sandbox.base_url, "anna")
    answer = requests.post(
        f"{sandbox.issuer}/revoke",
        data={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": "bifoga",
        },
        timeout=10,
    )
    assert answer.status_code == 200
    assert _refresh(sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    unknown = requests.post(
        f"{sandbox.issuer}/revoke", data={"token": "nonsense", "client_id": "bifoga"}
    )
    assert unknown.status_code == 200  # RFC 7009: says nothing about the token


def test_single_sign_on_prompt_max_age_and_end_session(
    sandbox: SandboxHandle, clock: FakeClock
) -> None:
    http = requests.Session()
    first = start_flow(sandbox.issuer)
    location = robot_login(first.url, "anna", "1111", http=http)
    assert "code" in redirect_params(location)
    cookie = next(c for c in http.cookies if c.name == "idp_session")
    assert cookie.path == "/sandbox/idp" and cookie.has_nonstandard_attr("HttpOnly")
    # Signed in at the provider: the next request is answered at once.
    again = http.get(start_flow(sandbox.issuer).url, allow_redirects=False, timeout=10)
    assert again.status_code == 303 and "code" in redirect_params(again.headers["Location"])
    for options in ({"prompt": "login"}, {"max_age": "0"}, {"login_hint": "bertil"}):
        page = http.get(start_flow(sandbox.issuer, **options).url, allow_redirects=False)
        assert page.status_code == 200 and "PIN-kod" in page.text
    clock.advance(seconds=120)
    fresh = http.get(start_flow(sandbox.issuer, max_age="60").url, allow_redirects=False)
    assert fresh.status_code == 200
    recent = http.get(start_flow(sandbox.issuer, max_age="600").url, allow_redirects=False)
    assert recent.status_code == 303
    params = redirect_params(recent.headers["Location"])
    ended = http.get(
        f"{sandbox.issuer}/end-session", params={"client_id": "bifoga"}, allow_redirects=False
    )
    assert ended.status_code == 200 and "Du är utloggad" in ended.text
    silent = http.get(start_flow(sandbox.issuer, prompt="none").url, allow_redirects=False)
    assert redirect_params(silent.headers["Location"])["error"] == "login_required"
    assert params["iss"] == sandbox.issuer
    http.close()


def test_end_session_may_return_to_a_loopback_address(sandbox: SandboxHandle) -> None:
    back = "http://127.0.0.1:8123/signed-out"
    answer = requests.get(
        f"{sandbox.issuer}/end-session",
        params={"post_logout_redirect_uri": back, "state": "s1"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303 and answer.headers["Location"] == back + "?state=s1"
    elsewhere = requests.get(
        f"{sandbox.issuer}/end-session",
        params={"post_logout_redirect_uri": "https://evil.example/"},
        allow_redirects=False,
        timeout=10,
    )
    assert elsewhere.status_code == 200


class _Callback(http.server.BaseHTTPRequestHandler):
    got: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Callback.got.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_the_robot_browser_delivers_the_code_to_the_listener(sandbox: SandboxHandle) -> None:
    with http.server.HTTPServer(("127.0.0.1", 0), _Callback) as listener:
        port = listener.server_address[1]
        serving = threading.Thread(target=listener.handle_request)
        serving.start()
        flow = start_flow(sandbox.issuer, redirect_uri=f"http://127.0.0.1:{port}/callback")
        browser = robot_browser("cecilia", "3333")
        try:
            assert browser.open(flow.url), browser.errors
        finally:
            serving.join(10)
            browser.close()
    params = redirect_params(_Callback.got[-1])
    assert params["state"] == flow.state and exchange(flow, params["code"]).status_code == 200


def test_the_start_page_names_the_cards_and_the_provider(sandbox: SandboxHandle) -> None:
    data = requests.get(
        f"{sandbox.base_url}/sandbox/", headers={"Accept": "application/json"}, timeout=10
    ).json()
    pins = {s["staff_id"]: s["pin"] for s in data["staff"]}
    assert pins == {"anna": "1111", "bertil": "2222", "cecilia": "3333", "david": "4444",
                    "erik": "5555"}  # fmt: skip
    assert data["idp"] == {"issuer": sandbox.issuer, "client_id": "bifoga"}
    page = requests.get(f"{sandbox.base_url}/sandbox/", timeout=10).text
    assert "<code>1111</code>" in page and sandbox.issuer in page


def test_a_restart_on_the_same_data_keeps_the_key(tmp_path: Path) -> None:
    with start_sandbox(data_dir=tmp_path) as first:
        port, kid = first.port, first.app.idp.signer.kid
        token = sandbox_tokens(first.base_url, "anna")["access_token"]
    key_file = tmp_path / "idp-signing-key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with start_sandbox(data_dir=tmp_path, port=port) as second:
        assert second.app.idp.signer.kid == kid
        me = requests.get(
            f"{second.base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.status_code == 200 and me.json()["staff_id"] == "anna"
    with start_sandbox() as temporary:  # its own temporary folder: a key of its own
        assert temporary.app.idp.signer.kid != kid


def test_no_token_reaches_the_log(sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture) -> None:
    tokens = sandbox_tokens(sandbox.base_url, "anna")
    with caplog.at_level(logging.DEBUG, logger="bifoga.sandbox"):
        ended = requests.get(
            f"{sandbox.issuer}/end-session",
            params={"id_token_hint": tokens["id_token"], "client_id": "bifoga"},
            timeout=10,
        )
        assert ended.status_code == 200
        sandbox_tokens(sandbox.base_url, "bertil", nonce="a-digest-of-a-sign-off")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/sandbox/idp/end-session" in logged  # the request is logged, its query is not
    for secret in (tokens["id_token"], tokens["access_token"], "a-digest-of-a-sign-off"):
        assert secret not in logged
