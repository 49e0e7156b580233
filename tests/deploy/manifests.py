"""Readers for the files under deploy/: Dockerfile, compose, kustomize.

Small on purpose: only what the tests need to see what a container would get. The
kustomize reader follows ``resources`` and applies inline JSON 6902 ``patches``; it
does not rename, label or re-tag (`kubectl kustomize` checks the full rendering
where kubectl is installed).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from tests.deploy.variables import ROOT

DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
PROMETHEUS = DEPLOY / "prometheus.yml"
KUBERNETES = DEPLOY / "kubernetes"
PRODUCTION = KUBERNETES
ACCEPTANCE = KUBERNETES / "acceptance"
IMAGE = "verzuimketen"

Document = dict[str, Any]


def yaml_documents(path: Path) -> list[Document]:
    with path.open(encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


# --- Dockerfile -----------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of ENTRYPOINT/CMD/HEALTHCHECK CMD, None in shell form."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text[text.index(" CMD ") + len(" CMD ") :].strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, list) else None


def _logical_lines(text: str) -> Iterator[str]:
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""


@cache
def dockerfile() -> tuple[Instruction, ...]:
    instructions = []
    stage = -1
    for line in _logical_lines(DOCKERFILE.read_text(encoding="utf-8")):
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, arguments.strip(), stage))
    return tuple(instructions)


def final_stage() -> list[Instruction]:
    last = max(instruction.stage for instruction in dockerfile())
    return [i for i in dockerfile() if i.stage == last]


def image_environment() -> dict[str, str]:
    """ENV of the image that runs: the final stage."""
    environment: dict[str, str] = {}
    for instruction in final_stage():
        if instruction.keyword == "ENV":
            for item in shlex.split(instruction.arguments):
                name, _, value = item.partition("=")
                environment[name] = value
    return environment


def dockerfile_args() -> dict[str, str]:
    """Global ARG defaults (before the first FROM)."""
    values = {}
    for instruction in dockerfile():
        if instruction.stage == -1 and instruction.keyword == "ARG":
            name, _, value = instruction.arguments.partition("=")
            values[name] = value
    return values


# --- make_secrets.py and its env files ------------------------------------------------


def make_secrets() -> ModuleType:
    """deploy/make_secrets.py, loaded from its path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_secrets", DEPLOY / "make_secrets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def env_file(path: Path) -> dict[str, str]:
    pairs = (line.partition("=") for line in path.read_text().splitlines() if line)
    return {name: value for name, _, value in pairs}


# --- compose --------------------------------------------------------------------------


@cache
def compose() -> Document:
    (document,) = yaml_documents(COMPOSE)
    return document


def compose_services() -> dict[str, Document]:
    return compose()["services"]


def uses_project_image(service: Document) -> bool:
    return str(service.get("image", "")).split(":")[0] == IMAGE


def compose_environment(service: Document) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.partition("=") for item in environment)
        return {name: value for name, _, value in pairs}
    return {
        name: "" if value is None else str(value) for name, value in environment.items()
    }


def compose_env_files(service: Document) -> list[str]:
    entries = service.get("env_file") or []
    if isinstance(entries, str):
        entries = [entries]
    return [entry if isinstance(entry, str) else entry["path"] for entry in entries]


# --- kustomize ------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]]


def json_patch(document: Document, operations: list[Document]) -> Document:
    """Apply add/replace/remove (RFC 6902) on objects; enough for these patches."""
    result = copy.deepcopy(document)
    for operation in operations:
        *parents, leaf = _pointer(operation["path"])
        target = result
        for part in parents:
            target = target[part]
        if operation["op"] == "remove":
            del target[leaf]
        elif operation["op"] == "replace":
            if leaf not in target:
                raise KeyError(f"replace of a missing {operation['path']}")
            target[leaf] = operation["value"]
        elif operation["op"] == "add":
            target[leaf] = operation["value"]
        else:
            raise ValueError(f"unsupported patch operation {operation['op']}")
    return result


def _matches(document: Document, target: Document) -> bool:
    return all(
        (document["metadata"]["name"] if key == "name" else document.get(key)) == value
        for key, value in target.items()
    )


def kustomization(directory: Path) -> Document:
    (document,) = yaml_documents(directory / "kustomization.yaml")
    return document


def kustomize(directory: Path) -> list[Document]:
    """The documents of a kustomization, its resources followed and patched."""
    config = kustomization(directory)
    documents: list[Document] = []
    for resource in config.get("resources", []):
        path = (directory / resource).resolve()
        if path.is_dir():
            documents.extend(kustomize(path))
        else:
            documents.extend(yaml_documents(path))
    for patch in config.get("patches", []):
        operations = yaml.safe_load(patch["patch"])
        documents = [
            json_patch(doc, operations) if _matches(doc, patch["target"]) else doc
            for doc in documents
        ]
    return documents


def of_kind(documents: list[Document], kind: str) -> list[Document]:
    return [doc for doc in documents if doc.get("kind") == kind]


def named(documents: list[Document], kind: str, name: str) -> Document:
    (found,) = [
        doc for doc in of_kind(documents, kind) if doc["metadata"]["name"] == name
    ]
    return found


def manifest_files() -> list[Path]:
    return sorted(KUBERNETES.rglob("*.yaml"))
