"""deploy/kubernetes: what every container is given, and how it is rendered.

Settings, secrets and mounted files are checked against the code that reads them;
where kubectl is installed, `kubectl kustomize` renders both overlays and the
README's own site overlay.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest
import yaml

from contracts.topics import TOPIC_OF_SERVICE
from tests.deploy.environment import (
    exposed_secrets,
    missing_for_production,
    pgn_key_misplaced,
    settings_errors,
    unknown_names,
    wrong_values,
)
from tests.deploy.manifests import (
    ACCEPTANCE,
    IMAGE,
    KUBERNETES,
    PRODUCTION,
    Document,
    kustomize,
    make_secrets,
    named,
    of_kind,
)
from tests.deploy.pods import (
    container_environment,
    container_of,
    generated_secrets,
    secret_values,
)
from tests.deploy.variables import is_secret

SERVICES = sorted(TOPIC_OF_SERVICE)
PLACEHOLDER = "CHANGE-ME"
OVERLAYS = {"production": PRODUCTION, "acceptance": ACCEPTANCE}

production = kustomize(PRODUCTION)
acceptance = kustomize(ACCEPTANCE)


# --- configuration and secrets -------------------------------------------------------


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
@pytest.mark.parametrize("name", SERVICES)
def test_each_service_gets_what_production_needs(name: str, overlay: str) -> None:
    documents = kustomize(OVERLAYS[overlay])
    environment = container_environment(
        documents, container_of(named(documents, "Deployment", name))
    )

    assert missing_for_production(name, environment) == []
    assert wrong_values(environment) == []
    assert not pgn_key_misplaced(name, environment)
    assert settings_errors(environment) == []


@pytest.mark.parametrize(
    "deployment", of_kind(acceptance, "Deployment"), ids=lambda d: d["metadata"]["name"]
)
def test_containers_set_only_variables_the_code_reads(deployment: Document) -> None:
    environment = container_environment(acceptance, container_of(deployment))

    assert unknown_names(environment) == []
    assert exposed_secrets(environment) == []


def test_no_config_map_holds_a_secret() -> None:
    for config_map in of_kind(acceptance, "ConfigMap"):
        assert [key for key in config_map["data"] if is_secret(key)] == []


def test_secrets_in_the_repository_are_placeholders_only() -> None:
    secrets = of_kind(production, "Secret")

    assert secrets
    for secret in secrets:
        assert "data" not in secret
        assert set(secret["stringData"].values()) == {PLACEHOLDER}


@pytest.mark.parametrize(
    "deployment", of_kind(acceptance, "Deployment"), ids=lambda d: d["metadata"]["name"]
)
def test_everything_a_pod_refers_to_exists(deployment: Document) -> None:
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(deployment)
    present = {(d["kind"], d["metadata"]["name"]) for d in acceptance}
    generated = {("Secret", name) for name in generated_secrets(acceptance)}
    wanted = {
        ("ConfigMap", s["configMapRef"]["name"])
        if "configMapRef" in s
        else ("Secret", s["secretRef"]["name"])
        for s in container.get("envFrom", [])
    } | {("Secret", v["secret"]["secretName"]) for v in pod["volumes"] if "secret" in v}

    assert wanted <= present | generated
    assert {m["name"] for m in container["volumeMounts"]} <= {
        v["name"] for v in pod["volumes"]
    }


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_files_named_in_settings_are_mounted(overlay: str) -> None:
    documents = kustomize(OVERLAYS[overlay])
    for name in SERVICES:
        deployment = named(documents, "Deployment", name)
        container = container_of(deployment)
        volumes = {
            v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]
        }
        mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
        environment = container_environment(documents, container)
        files = {
            key: PurePosixPath(setting.value)
            for key, setting in environment.items()
            if key.endswith(
                ("_CAFILE", "_CERT", "_KEY", "_BUNDLE", "_CERTFILE", "_KEYFILE")
            )
            and setting.value.startswith("/")
        }
        for key, path in files.items():
            volume = mounts.get(str(path.parent))
            assert volume is not None and "secret" in volume, (name, key)
            items = volume["secret"].get("items")
            if items is not None:
                assert path.name in {item["path"] for item in items}, (name, key)
            elif volume["secret"]["secretName"] not in generated_secrets(acceptance):
                secret = named(documents, "Secret", volume["secret"]["secretName"])
                assert path.name in secret_values(secret), (name, key)


def _readme_site_overlay() -> str:
    readme = (KUBERNETES.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith("# site/kustomization.yaml")]
    return block


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_the_readme_overlay_replaces_every_placeholder_secret(tmp_path: Path) -> None:
    checkout = tmp_path / "verzuimketen" / "deploy"
    shutil.copytree(KUBERNETES, checkout / "kubernetes")
    site = tmp_path / "site"
    site.mkdir()
    (site / "kustomization.yaml").write_text(_readme_site_overlay())
    make_secrets().write_secrets(site / "env")

    rendered = list(
        yaml.safe_load_all(
            subprocess.run(
                ["kubectl", "kustomize", str(site)],
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
        )
    )

    for name in ("verzuimketen-secrets", "verzuimketen-pgn"):
        values = secret_values(named(rendered, "Secret", name))
        placeholders = secret_values(named(production, "Secret", name))
        assert set(values) == set(placeholders), name
        assert PLACEHOLDER not in values.values(), name
    assert Counter(d["kind"] for d in rendered) == Counter(
        d["kind"] for d in production
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_kubectl_renders_the_overlay_as_read_here(overlay: str) -> None:
    rendered = list(
        yaml.safe_load_all(
            subprocess.run(
                ["kubectl", "kustomize", str(OVERLAYS[overlay])],
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
        )
    )
    read_here = kustomize(OVERLAYS[overlay])
    images = {
        c["image"]
        for d in of_kind(rendered, "Deployment")
        for c in d["spec"]["template"]["spec"]["containers"]
    }

    assert Counter(d["kind"] for d in rendered) == Counter(d["kind"] for d in read_here)
    assert all(
        d["metadata"].get("namespace") == "verzuimketen"
        for d in rendered
        if d["kind"] != "Namespace"
    )
    assert len(images) == 1 and images.pop().split(":")[0].endswith(f"/{IMAGE}")
    for config_map in of_kind(read_here, "ConfigMap"):
        name = config_map["metadata"]["name"]
        assert named(rendered, "ConfigMap", name)["data"] == config_map["data"]
