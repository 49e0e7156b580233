"""deploy/kubernetes: the workloads and Strimzi resources, read and checked.

No cluster here: the manifests are parsed, followed through their kustomizations
and checked against the code (topics, partition count, the image's user and port).
test_kubernetes_config.py checks what the containers are given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from contracts.topics import TOPIC_OF_SERVICE, dlq
from plumbing.settings import DEFAULT_PARTITIONS
from tests.deploy.manifests import (
    ACCEPTANCE,
    IMAGE,
    KUBERNETES,
    PRODUCTION,
    Document,
    final_stage,
    image_environment,
    kustomization,
    kustomize,
    manifest_files,
    named,
    of_kind,
    yaml_documents,
)
from tests.deploy.pods import container_of

SERVICES = sorted(TOPIC_OF_SERVICE)
TOPICS = sorted(TOPIC_OF_SERVICE.values())
DLQS = sorted(dlq(topic) for topic in TOPICS)
THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000
MEMORY_CEILING = 512 * 1024**2

production = kustomize(PRODUCTION)
acceptance = kustomize(ACCEPTANCE)
kafka = of_kind(production, "Kafka")[0]


def _memory_bytes(quantity: str) -> int:
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", quantity)
    assert match is not None, quantity
    number, unit = match.groups()
    return int(number) * {None: 1, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}[unit]


# --- files ----------------------------------------------------------------------------


def test_every_manifest_parses_and_names_its_kind() -> None:
    for path in manifest_files():
        for document in yaml_documents(path):
            assert document.get("apiVersion") and document.get("kind"), path
            if document["kind"] != "Kustomization":
                assert document["metadata"]["name"], path


def test_every_manifest_belongs_to_a_kustomization() -> None:
    listed = set()
    for path in KUBERNETES.rglob("kustomization.yaml"):
        for resource in kustomization(path.parent).get("resources", []):
            target = (path.parent / resource).resolve()
            if not target.is_dir():
                listed.add(target)

    assert listed == {
        p.resolve() for p in manifest_files() if p.name != "kustomization.yaml"
    }


def test_overlays_are_directories_with_a_kustomization() -> None:
    for directory in (PRODUCTION, ACCEPTANCE):
        assert (directory / "kustomization.yaml").is_file()
    assert Path(KUBERNETES / "base" / "kustomization.yaml").is_file()


# --- Deployments ----------------------------------------------------------------------


def _probe_path(probe: dict[str, Any]) -> str:
    return probe["httpGet"]["path"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_twice_with_probes_limits_and_a_read_only_root(
    name: str,
) -> None:
    deployment = named(production, "Deployment", name)
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(deployment)
    limits, requests = (
        container["resources"]["limits"],
        container["resources"]["requests"],
    )
    (port,) = container["ports"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}

    assert deployment["spec"]["replicas"] == 2
    assert container["image"] == IMAGE and container["args"] == [f"services.{name}"]
    assert port == {"name": "http", "containerPort": int(image_environment()["PORT"])}
    assert _probe_path(container["livenessProbe"]) == "/health"
    assert _probe_path(container["readinessProbe"]) == "/ready"
    assert _probe_path(container["startupProbe"]) == "/health"
    assert _memory_bytes(limits["memory"]) <= MEMORY_CEILING
    assert _memory_bytes(requests["memory"]) <= _memory_bytes(limits["memory"])
    assert "cpu" in limits and "cpu" in requests
    assert "emptyDir" in volumes[mounts["/tmp"]]


@pytest.mark.parametrize(
    "deployment", of_kind(acceptance, "Deployment"), ids=lambda d: d["metadata"]["name"]
)
def test_every_pod_runs_non_root_without_service_links(deployment: Document) -> None:
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(deployment)
    uid = [i.arguments for i in final_stage() if i.keyword == "USER"][-1].split(":")[0]

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == int(uid)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    # Service links would add <SERVICE>_PORT=tcp://..., e.g. DUO_STANDIN_PORT.
    assert pod["enableServiceLinks"] is False


def test_the_duo_standin_runs_once_in_acceptance_only() -> None:
    deployment = named(acceptance, "Deployment", "duo-standin")
    container = container_of(deployment)
    environment = {item["name"]: item["value"] for item in container["env"]}
    (port,) = container["ports"]
    limits = container["resources"]["limits"]

    assert not [d for d in of_kind(production, "Deployment") if d is deployment]
    assert "duo-standin" not in {d["metadata"]["name"] for d in production}
    assert deployment["spec"]["replicas"] == 1
    assert container["args"] == ["standins.duo"]
    assert environment["DUO_STANDIN_HOST"] == "0.0.0.0"
    assert int(environment["DUO_STANDIN_PORT"]) == port["containerPort"]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["tcpSocket"]["port"] == port["name"]
    assert _memory_bytes(limits["memory"]) <= MEMORY_CEILING


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_a_service_and_a_disruption_budget(name: str) -> None:
    labels = named(production, "Deployment", name)["spec"]["template"]["metadata"][
        "labels"
    ]
    service = named(production, "Service", name)
    budget = named(production, "PodDisruptionBudget", name)

    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert 1 <= budget["spec"]["minAvailable"] < 2


# --- Strimzi --------------------------------------------------------------------------


def test_kafka_runs_in_kraft_mode_on_three_dual_role_nodes() -> None:
    (pool,) = of_kind(production, "KafkaNodePool")
    config = kafka["spec"]["kafka"]["config"]

    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/kraft": "enabled",
        "strimzi.io/node-pools": "enabled",
    }
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}
    assert config["auto.create.topics.enable"] is False
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.min.isr"] == 2


def test_every_topic_and_dead_letter_topic_is_a_kafka_topic() -> None:
    topics = {t["spec"]["topicName"]: t for t in of_kind(production, "KafkaTopic")}

    assert sorted(topics) == sorted(TOPICS + DLQS)
    for name, topic in topics.items():
        assert (
            topic["metadata"]["labels"]["strimzi.io/cluster"]
            == kafka["metadata"]["name"]
        )
        assert topic["spec"]["partitions"] == DEFAULT_PARTITIONS
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
        # Domain topics are the audit trail: kept for ever. Dead letters: 30 days.
        expected = THIRTY_DAYS_MS if name in DLQS else -1
        assert topic["spec"]["config"]["retention.ms"] == expected


def test_the_services_reach_kafka_over_tls_with_their_kafka_user() -> None:
    config = named(production, "ConfigMap", "verzuimketen-config")["data"]
    host, _, port = config["KAFKA_BOOTSTRAP_SERVERS"].partition(":")
    (listener,) = [
        item
        for item in kafka["spec"]["kafka"]["listeners"]
        if item["port"] == int(port)
    ]
    user = named(production, "KafkaUser", config["KAFKA_SASL_USERNAME"])

    assert host == f"{kafka['metadata']['name']}-kafka-bootstrap"
    assert listener["tls"] is True and config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert listener["authentication"]["type"] == config["KAFKA_SASL_MECHANISM"].lower()
    assert user["spec"]["authentication"]["type"] == listener["authentication"]["type"]
    for name in SERVICES:
        password = next(
            e
            for e in container_of(named(production, "Deployment", name))["env"]
            if e["name"] == "KAFKA_SASL_PASSWORD"
        )
        assert password["valueFrom"]["secretKeyRef"] == {
            "name": user["metadata"]["name"],
            "key": "password",
        }
