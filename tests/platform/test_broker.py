"""The embedded broker, topic creation and the Kafka connection options."""

from __future__ import annotations

import datetime as dt
import os
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from plumbing.broker import BrokerStartError, EmbeddedBroker, free_port, port_in_use
from plumbing.topics import (
    TopicMismatchError,
    TopicSpec,
    broker_readiness_check,
    ensure_topics,
    kafka_client_options,
)

pytestmark = pytest.mark.broker


def _listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address_hex, port_hex = local.split(":")
            if len(address_hex) == 8:  # IPv4, little-endian
                address = ".".join(
                    str(int(address_hex[i : i + 2], 16)) for i in (6, 4, 2, 0)
                )
            else:
                address = address_hex
            found.add((address, int(port_hex, 16)))
    return found


async def _topics(bootstrap: str) -> dict[str, int]:
    """Topic name -> partition count, without naming (and so creating) any topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = await admin.list_topics()
        described = await admin.describe_topics(names) if names else []
        return {topic["topic"]: len(topic["partitions"]) for topic in described}
    finally:
        await admin.close()


async def _create(bootstrap: str, name: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


def test_broker_listens_on_loopback_only(own_broker: EmbeddedBroker) -> None:
    assert own_broker.process is not None

    listening = _listening_addresses(own_broker.process.pid)

    assert listening == {("127.0.0.1", own_broker.port)}


def test_broker_refuses_a_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmbeddedBroker(host="0.0.0.0")


def test_a_taken_port_is_an_error_not_another_broker(
    own_broker: EmbeddedBroker,
) -> None:
    second = EmbeddedBroker(own_broker.port, startup_timeout=5)

    with pytest.raises(BrokerStartError, match="in use"):
        second.start()

    assert not second.running


async def test_ensure_topics_creates_once_and_is_idempotent(
    broker: str, unique: str
) -> None:
    specs = [
        TopicSpec(f"{unique}.registratie", 6, 1, {"retention.ms": "604800000"}),
        TopicSpec(f"{unique}.registratie.dlq", 6),
    ]

    first = await ensure_topics(broker, specs)
    second = await ensure_topics(broker, specs)

    assert first == [spec.name for spec in specs]
    assert second == []
    topics = await _topics(broker)
    assert topics[f"{unique}.registratie"] == 6
    assert topics[f"{unique}.registratie.dlq"] == 6


async def test_partition_mismatch_is_a_clear_start_up_error(
    broker: str, unique: str
) -> None:
    name = f"{unique}.analyse"
    await _create(broker, name, 3)

    with pytest.raises(TopicMismatchError, match=rf"{name} has 3, expected 6"):
        await ensure_topics(broker, [TopicSpec(name, 6)])


async def test_tansu_auto_creates_on_produce_with_four_partitions(
    broker: str, unique: str
) -> None:
    # The fact the recovery after a broker loss depends on (see plumbing.topics).
    name = f"{unique}.auto"
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(name, b"{}", key=b"leerling-1")
    finally:
        await producer.stop()

    assert (await _topics(broker))[name] == 4
    with pytest.raises(TopicMismatchError):
        await ensure_topics(broker, [TopicSpec(name, 6)], repair_empty=True)


async def test_repair_empty_recreates_an_auto_created_topic(
    broker: str, unique: str
) -> None:
    name = f"{unique}.opvolging"
    admin = AIOKafkaAdminClient(bootstrap_servers=broker)
    await admin.start()
    try:
        await admin.describe_topics([name])  # a metadata request creates it
    finally:
        await admin.close()
    assert (await _topics(broker))[name] == 4

    repaired = await ensure_topics(broker, [TopicSpec(name, 6)], repair_empty=True)

    assert repaired == []
    assert (await _topics(broker))[name] == 6


async def test_restart_loses_every_topic(
    own_broker: EmbeddedBroker, unique: str
) -> None:
    port = own_broker.port
    await ensure_topics(own_broker.bootstrap, [TopicSpec(f"{unique}.k", 6)])
    assert f"{unique}.k" in await _topics(own_broker.bootstrap)

    await own_broker.arestart()
    after_restart = await _topics(own_broker.bootstrap)
    await ensure_topics(own_broker.bootstrap, [TopicSpec(f"{unique}.k", 6)])
    await own_broker.arestart(crash=True)
    after_crash = await _topics(own_broker.bootstrap)

    assert own_broker.port == port
    assert after_restart == {}
    assert after_crash == {}


async def test_readiness_check_follows_the_broker() -> None:
    broker = EmbeddedBroker()
    check = broker_readiness_check(broker.bootstrap)

    async with broker:
        while_running = await check()
    after_stop = await check()

    assert check.__name__ == "broker"
    assert while_running is True
    assert after_stop is False


def test_module_runs_the_broker_alone_until_sigterm() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "plumbing.broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "broker ready" in line:
                break
        assert f"broker ready on 127.0.0.1:{port}" in "".join(lines)

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not port_in_use("127.0.0.1", port)  # tansu stopped with its wrapper


# --- connection options -----------------------------------------------------------


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "ca.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_client_options_are_off_by_default() -> None:
    assert kafka_client_options(environ={}) == {}
    assert kafka_client_options(environ={"KAFKA_SECURITY_PROTOCOL": "plaintext"}) == {}


def test_client_options_for_sasl_ssl(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    environ = {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "registratie",
        "KAFKA_SASL_PASSWORD": "made-up-password",
        "KAFKA_SSL_CAFILE": str(cert),
        "KAFKA_SSL_CERTFILE": str(cert),
        "KAFKA_SSL_KEYFILE": str(key),
    }

    options = kafka_client_options(environ=environ)

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "registratie"
    assert options["sasl_plain_password"] == "made-up-password"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].get_ca_certs()[0]["subject"] == (
        (("commonName", "kafka.test"),),
    )


def test_settings_attributes_win_over_the_environment() -> None:
    class Settings:
        kafka_security_protocol = "SASL_PLAINTEXT"
        kafka_sasl_username = "uit-settings"
        kafka_sasl_password = "geheim"

    environ = {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SASL_USERNAME": "uit-env"}

    options = kafka_client_options(Settings(), environ)

    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": "uit-settings",
        "sasl_plain_password": "geheim",
    }


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "USERNAME"),
        (
            {
                "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM": "GSSAPI",
                "KAFKA_SASL_USERNAME": "u",
                "KAFKA_SASL_PASSWORD": "p",
            },
            "KAFKA_SASL_MECHANISM",
        ),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CERTFILE": "/x.pem"},
            "KEYFILE",
        ),
    ],
    ids=["protocol", "sasl-credentials", "mechanism", "cert-without-key"],
)
def test_client_options_reject_incomplete_configuration(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        kafka_client_options(environ=environ)
