"""deploy/compose.yaml, prometheus.yml, the topic script and make_secrets.py.

Docker cannot run here, so the files are read and checked against the code: the
topics in contracts.topics, DEFAULT_PARTITIONS, and the settings the code reads.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from contracts.topics import TOPIC_OF_SERVICE, dlq
from plumbing.settings import DEFAULT_PARTITIONS
from tests.deploy.environment import (
    Setting,
    exposed_secrets,
    missing_for_production,
    pgn_key_misplaced,
    settings_errors,
    unknown_names,
    wrong_values,
)
from tests.deploy.manifests import (
    ACCEPTANCE,
    DEPLOY,
    PROMETHEUS,
    compose,
    compose_env_files,
    compose_environment,
    compose_services,
    env_file,
    final_stage,
    image_environment,
    kustomize,
    make_secrets,
    of_kind,
    uses_project_image,
)
from tests.deploy.variables import ROOT

SERVICES = sorted(TOPIC_OF_SERVICE)
TOPICS = sorted(TOPIC_OF_SERVICE.values())
DLQS = sorted(dlq(topic) for topic in TOPICS)
THIRTY_DAYS_MS = str(30 * 24 * 3600 * 1000)


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("env")
    make_secrets().write_secrets(directory)
    return directory


def container_environment(name: str, env_dir: Path) -> dict[str, Setting]:
    """What the container gets: image ENV, then env files, then `environment`."""
    service = compose_services()[name]
    environment: dict[str, Setting] = {}
    if uses_project_image(service):
        environment.update(
            (k, Setting(v, "image")) for k, v in image_environment().items()
        )
    for path in compose_env_files(service):
        for key, value in env_file(env_dir / Path(path).name).items():
            environment[key] = Setting(value, "env_file", path)
    for key, value in compose_environment(service).items():
        environment[key] = Setting(value, "literal", "compose.yaml")
    return environment


def _brokers() -> dict[str, dict[str, str]]:
    return {
        name: compose_environment(service)
        for name, service in compose_services().items()
        if "broker" in compose_environment(service).get("KAFKA_PROCESS_ROLES", "")
    }


# --- Kafka, PostgreSQL, the containers ------------------------------------------------


def test_kafka_is_three_kraft_nodes_with_rf3_min_isr2_and_no_auto_create() -> None:
    brokers = _brokers()
    settings = list(brokers.values())

    assert len(brokers) == 3
    assert {s["KAFKA_NODE_ID"] for s in settings} == {"1", "2", "3"}
    assert len({s["CLUSTER_ID"] for s in settings}) == 1
    for s in settings:
        assert set(s["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        assert len(s["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == 3
        assert s["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert s["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert s["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert s["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert s["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"
    for name, service in compose_services().items():
        if name in brokers:
            assert any(v.endswith(":/var/lib/kafka/data") for v in service["volumes"])


def test_postgres_is_version_15() -> None:
    assert compose_services()["postgres"]["image"].split(":")[1].startswith("15")


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_twice_within_512_megabytes(name: str) -> None:
    service = compose_services()[name]

    assert uses_project_image(service)
    assert service["command"] == [f"services.{name}"]
    assert service["deploy"]["replicas"] == 2
    assert service["deploy"]["resources"]["limits"]["memory"] in ("512M", "512m")
    assert service["read_only"] is True and "/tmp" in service["tmpfs"]


def test_the_duo_standin_runs_once_with_its_register_in_a_volume() -> None:
    service = compose_services()["duo-standin"]
    environment = compose_environment(service)
    state = Path(environment["DUO_STANDIN_STATE_FILE"])

    assert service["command"] == ["standins.duo"]
    assert service.get("deploy", {}).get("replicas", 1) == 1
    assert environment["DUO_STANDIN_HOST"] == "0.0.0.0"
    assert any(v.split(":")[1] == str(state.parent) for v in service["volumes"])


def _has_health_check(service: dict) -> bool:
    own = service.get("healthcheck")
    if own is not None:
        return not own.get("disable", False)
    return uses_project_image(service) and any(
        i.keyword == "HEALTHCHECK" for i in final_stage()
    )


def test_every_long_running_container_has_a_health_check() -> None:
    for name, service in compose_services().items():
        if service.get("restart") != "no":
            assert _has_health_check(service), name


def test_start_order_waits_for_health_and_for_the_topics() -> None:
    services = compose_services()

    for name, service in services.items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in services, (name, target)
            if rule["condition"] == "service_healthy":
                assert _has_health_check(services[target]), (name, target)
            if rule["condition"] == "service_completed_successfully":
                assert services[target]["restart"] == "no", (name, target)
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["kafka-topics"]["condition"] == "service_completed_successfully"
    assert services["ketenkoppeling"]["depends_on"]["duo-standin"]["condition"] == (
        "service_healthy"
    )
    topics_job = services["kafka-topics"]["depends_on"]
    assert {
        k for k, v in topics_job.items() if v["condition"] == "service_healthy"
    } == (set(_brokers()))


# --- topics ---------------------------------------------------------------------------


def test_the_topic_job_creates_every_topic_and_dead_letter_topic() -> None:
    environment = compose_environment(compose_services()["kafka-topics"])

    assert sorted(environment["DOMAIN_TOPICS"].split()) == TOPICS
    assert sorted(environment["DLQ_TOPICS"].split()) == DLQS
    assert environment["PARTITIONS"] == str(DEFAULT_PARTITIONS)
    assert environment["REPLICATION_FACTOR"] == "3"
    assert environment["MIN_INSYNC_REPLICAS"] == "2"
    assert environment["DLQ_RETENTION_MS"] == THIRTY_DAYS_MS
    assert set(environment["BOOTSTRAP"].split(",")) == {f"{b}:9092" for b in _brokers()}


def _run_topic_script(tmp_path: Path, reported_partitions: int) -> tuple[int, str]:
    log = tmp_path / "calls.log"
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> {log}\n'
        'if [[ " $* " == *" --describe "* ]]; then\n'
        f'  printf "Topic: x\\tTopicId: y\\tPartitionCount: {reported_partitions}\\t'
        'ReplicationFactor: 3\\n"\n'
        "fi\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    environment = compose_environment(compose_services()["kafka-topics"])
    completed = subprocess.run(
        ["bash", str(DEPLOY / "kafka" / "create-topics.sh")],
        env={**os.environ, **environment, "KAFKA_TOPICS_COMMAND": str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return completed.returncode, log.read_text()


def test_the_topic_script_creates_each_topic_with_its_retention(tmp_path: Path) -> None:
    status, calls = _run_topic_script(tmp_path, DEFAULT_PARTITIONS)
    creates = [line.split() for line in calls.splitlines() if "--create" in line]
    by_topic = {args[args.index("--topic") + 1]: " ".join(args) for args in creates}

    assert status == 0
    assert sorted(by_topic) == sorted(TOPICS + DLQS)
    for topic, command in by_topic.items():
        retention = THIRTY_DAYS_MS if topic in DLQS else "-1"
        assert f"--partitions {DEFAULT_PARTITIONS}" in command
        assert "--replication-factor 3" in command
        assert "--config min.insync.replicas=2" in command
        assert f"--config retention.ms={retention}" in command


def test_the_topic_script_stops_on_a_partition_count_mismatch(tmp_path: Path) -> None:
    status, _ = _run_topic_script(tmp_path, DEFAULT_PARTITIONS + 2)

    assert status == 1


# --- Prometheus -----------------------------------------------------------------------


def test_prometheus_scrapes_every_replica_of_every_service() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    targets = {
        (name, sd["port"], job.get("metrics_path", "/metrics"), sd["type"])
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }
    mounts = compose_services()["prometheus"]["volumes"]

    for name in SERVICES:
        # An A lookup of a compose service name answers every replica.
        assert (name, 8000, "/metrics", "A") in targets
    assert any(
        m.startswith("./prometheus.yml:/etc/prometheus/prometheus.yml") for m in mounts
    )


# --- environment ----------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_gets_what_production_needs(name: str, env_dir: Path) -> None:
    environment = container_environment(name, env_dir)

    assert missing_for_production(name, environment) == []
    assert wrong_values(environment) == []
    assert not pgn_key_misplaced(name, environment)
    assert settings_errors(environment) == []


def test_containers_of_the_image_set_only_variables_the_code_reads(
    env_dir: Path,
) -> None:
    own = [n for n, s in compose_services().items() if uses_project_image(s)]

    assert set(SERVICES) | {"duo-standin"} <= set(own)
    for name in own:
        environment = container_environment(name, env_dir)
        assert unknown_names(environment) == [], name
        assert exposed_secrets(environment) == [], name


def test_compose_has_a_project_name_and_named_volumes() -> None:
    document = compose()
    used = {
        volume.split(":")[0]
        for service in document["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith(".")
    }

    assert document["name"] == "verzuimketen"
    assert used == set(document["volumes"])


def test_every_module_the_deployment_runs_has_a_main() -> None:
    (command,) = [i for i in final_stage() if i.keyword == "CMD"]
    modules = set(command.exec_form() or [])
    modules |= {
        module
        for service in compose_services().values()
        if uses_project_image(service)
        for module in service["command"]
    }
    modules |= {
        module
        for deployment in of_kind(kustomize(ACCEPTANCE), "Deployment")
        for container in deployment["spec"]["template"]["spec"]["containers"]
        for module in container["args"]
    }

    assert modules == {f"services.{name}" for name in SERVICES} | {"standins.duo"}
    for module in modules:
        assert (ROOT / module.replace(".", "/") / "__main__.py").is_file(), module
