"""Kubernetes objects as the tests need them: a pod's container and what it gets."""

from __future__ import annotations

import base64

from tests.deploy.environment import Setting
from tests.deploy.manifests import Document, image_environment, named, of_kind


def container_of(deployment: Document) -> Document:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def secret_values(secret: Document) -> dict[str, str]:
    values = dict(secret.get("stringData") or {})
    for key, encoded in (secret.get("data") or {}).items():
        values[key] = base64.b64decode(encoded).decode()
    return values


def container_environment(
    documents: list[Document], container: Document
) -> dict[str, Setting]:
    """What the container gets: image ENV, then envFrom, then env."""
    environment = {k: Setting(v, "image") for k, v in image_environment().items()}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            data = named(documents, "ConfigMap", name)["data"]
            environment.update(
                (k, Setting(str(v), "configmap", name)) for k, v in data.items()
            )
        else:
            name = source["secretRef"]["name"]
            data = secret_values(named(documents, "Secret", name))
            environment.update((k, Setting(v, "secret", name)) for k, v in data.items())
    for item in container.get("env", []):
        if "value" in item:
            environment[item["name"]] = Setting(str(item["value"]), "literal")
        elif "secretKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["secretKeyRef"]
            environment[item["name"]] = Setting(
                f"<{ref['key']}>", "secret", ref["name"]
            )
        else:
            ref = item["valueFrom"]["configMapKeyRef"]
            environment[item["name"]] = Setting(
                f"<{ref['key']}>", "configmap", ref["name"]
            )
    return environment


def generated_secrets(documents: list[Document]) -> set[str]:
    """Secrets Strimzi makes: the cluster CA, one per KafkaUser."""
    users = {user["metadata"]["name"] for user in of_kind(documents, "KafkaUser")}
    clusters = {kafka["metadata"]["name"] for kafka in of_kind(documents, "Kafka")}
    return users | {f"{name}-cluster-ca-cert" for name in clusters}
