"""HTTPS with a certificate, the loopback rule, and ``bifoga sandbox`` as a process."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme

from app.gateway.client import GatewayClient, OutgoingMessage
from app.gateway.errors import GatewayError
from sandbox.cli import main
from sandbox.faults import FaultMode
from sandbox.runner import InsecureHostError, SandboxHandle, start_sandbox
from tests.gateway.helpers import KARIN, Raw, RecordingSleep
from tests.support.processes import sandbox_process
from tests.support.signed_client import sign_in

_REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_sandbox(ca: trustme.CA, tmp_path: Path) -> Iterator[tuple[SandboxHandle, Path]]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    with start_sandbox(tls_cert=cert_file, tls_key=key_file) as handle:
        yield handle, ca_file


def test_https_with_the_ca_works(tls_sandbox: tuple[SandboxHandle, Path]) -> None:
    handle, ca_file = tls_sandbox
    assert handle.base_url.startswith("https://127.0.0.1:")
    with GatewayClient(handle.base_url, verify=str(ca_file), sleep=RecordingSleep()) as client:
        with requests.Session() as provider:
            provider.verify = str(ca_file)
            provider.trust_env = False  # else a CA bundle named in the environment wins
            assert sign_in(client, "anna", provider).staff_id == "anna"
        assert client.open_cases()
        # Faults cut TLS connections as they cut plain ones; the send still arrives once.
        for mode in ("drop_before", "reset_after"):
            handle.faults.set(FaultMode(mode), 1)
            message = OutgoingMessage(
                kind="new_case", case_id=None, recipients=[KARIN], subject=mode, body="Hej"
            )
            assert client.send_message(message, str(uuid.uuid4())).deliveries
    ledger = requests.get(handle.base_url + "/sandbox/ledger", timeout=5, verify=str(ca_file))
    assert len(ledger.json()["deliveries"]) == 2


def test_https_without_the_ca_fails_and_is_not_retried(
    tls_sandbox: tuple[SandboxHandle, Path], fake_sleep: RecordingSleep
) -> None:
    handle, _ = tls_sandbox
    # verify=True: the OS trust store, which does not know the test CA.
    with (
        GatewayClient(handle.base_url, sleep=fake_sleep) as client,
        pytest.raises(GatewayError) as untrusted,
    ):
        client.sandbox_directory()
    assert untrusted.value.status is None and untrusted.value.codes == ("tls",)
    assert fake_sleep.waits == []
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(handle.base_url + "/sandbox/", timeout=5)  # certifi does not know it


def test_plain_http_is_refused_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InsecureHostError):
        start_sandbox(host="0.0.0.0")
    assert main(["--host", "0.0.0.0"]) == 2
    assert "loopback" in capsys.readouterr().err
    assert main(["--tls-cert", "only-a-cert.pem"]) == 2
    assert main(["--fault", "explode"]) == 2
    assert main(["--no-such-option"]) == 2


def test_bifoga_sandbox_prints_its_url_first_and_stops_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "sandbox.log"
    with sandbox_process(tmp_path / "data", log, fault="slow:2") as (child, base_url):
        assert base_url.startswith("http://127.0.0.1:")
        directory = requests.get(
            base_url + "/sandbox/", timeout=5, headers={"Accept": "application/json"}
        )
        assert directory.status_code == 200
        faults = requests.get(base_url + "/sandbox/faults", timeout=5).json()
        assert faults["mode"] == "slow" and faults["count"] == 2
        child.process.send_signal(signal.SIGTERM)
        assert child.process.wait(timeout=10) == 0
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()


def test_a_data_dir_keeps_state_between_runs(tmp_path: Path) -> None:
    message = {"kind": "new_case", "case_id": None, "recipients": [KARIN], "subject": "Hej",
               "body": "Hej", "attachments": [], "review_id": None}  # fmt: skip
    with start_sandbox(data_dir=tmp_path) as first, Raw(first.base_url) as raw:
        assert raw.send(raw.token("anna"), message).status_code == 201
    with start_sandbox(data_dir=tmp_path) as second, Raw(second.base_url) as raw:
        token = raw.token("anna")
        assert raw.call("GET", "/v1/cases", token).status_code == 200
        assert len(raw.ledger()) == 1


def test_a_temporary_data_dir_is_removed_on_stop() -> None:
    handle = start_sandbox()
    directory = handle.data_dir
    assert directory.exists()
    handle.stop()
    handle.stop()  # idempotent
    assert not directory.exists()
