"""TLS on the cloud listener and in the bridge: the production set-up, with a throw-away CA.

Proves that the optional certfile/keyfile/cafile lines the templates write
are accepted by mosquitto and that the bridge verifies the cloud broker's
certificate (hostname included) before sending the office's password.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from broker.probe import MqttProbe, ProbeError
from broker.stack import start_cloud_broker, start_office_broker

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a test CA")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca_and_server_cert(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key): a CA and a certificate for ``host`` signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=onestop test CA",
             cwd=directory)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={host}", cwd=directory)
    (directory / "san.ext").write_text(f"subjectAltName=IP:{host}\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=directory)
    return directory / "ca.pem", directory / "server.pem", directory / "server.key"


def test_bridge_over_tls_to_a_tls_cloud_listener(tmp_path: Path) -> None:
    ca, cert, key = make_ca_and_server_cert(tmp_path / "pki")
    with start_cloud_broker(tmp_path / "cloud", certfile=cert, keyfile=key, tls_ca=ca) as cloud:
        assert "bridge_cafile" in cloud.add_office("a").bridge_conf
        # Plain MQTT to the TLS port gets nowhere.
        plain = MqttProbe(cloud.host, cloud.port, cloud.service_username, cloud.service_password)
        try:
            refused = plain.connect(timeout=2).is_failure
        except ProbeError:
            refused = True
        finally:
            plain.close()
        assert refused

        with start_office_broker(tmp_path / "office", "a", cloud=cloud) as office:  # waits for a ping over TLS
            with cloud.service_probe() as consumer, office.hub_probe() as node:
                consumer.subscribe("onestop/v1/a/+/evt/#")
                node.publish("onestop/v1/a/hub/evt/ticket.issued", b"over-tls")
                assert consumer.expect("onestop/v1/a/hub/evt/ticket.issued").payload == b"over-tls"
