"""deploy/Dockerfile and .dockerignore, read rather than built (no Docker engine)."""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.environment import Setting, exposed_secrets, unknown_names
from tests.deploy.manifests import (
    dockerfile,
    dockerfile_args,
    final_stage,
    image_environment,
)
from tests.deploy.variables import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Packages for developers only (the launcher, the school-year demo): not in the image.
DEVELOPER_PACKAGES = {"tools"}


def _packages() -> list[str]:
    """Top-level packages of the project, from setuptools' include patterns."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in patterns})


def _image_packages() -> list[str]:
    return [package for package in _packages() if package not in DEVELOPER_PACKAGES]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def _runs(keyword: str = "RUN") -> list[str]:
    return [i.arguments for i in dockerfile() if i.keyword == keyword]


def test_every_stage_starts_from_slim_python_311() -> None:
    arguments = dockerfile_args()
    stages = [i.arguments.split()[0] for i in dockerfile() if i.keyword == "FROM"]

    bases = {re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], b) for b in stages}

    assert len(stages) >= 1
    assert all(re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", b) for b in bases)


def test_the_image_runs_as_a_numeric_user_that_is_not_root() -> None:
    users = [i.arguments for i in final_stage() if i.keyword == "USER"]
    created = " ".join(i.arguments for i in final_stage() if i.keyword == "RUN")

    uid = users[-1].split(":")[0]

    # Kubernetes can verify runAsNonRoot only for a numeric user.
    assert uid.isdigit() and int(uid) != 0
    assert f"--uid {uid}" in created


def test_dependencies_come_from_the_lock_then_the_project_without_deps() -> None:
    order = [(i.keyword, i.arguments) for i in dockerfile()]
    lock_install = next(
        n for n, (k, a) in enumerate(order) if k == "RUN" and "requirements.lock" in a
    )
    project_install = next(
        n
        for n, (k, a) in enumerate(order)
        if k == "RUN" and re.search(r"pip install --no-deps [^&]*\s\.(\s|$)", a)
    )
    first_source_copy = next(
        n for n, (k, a) in enumerate(order) if k == "COPY" and a.startswith("plumbing")
    )

    assert re.search(
        r"pip install --constraint requirements\.lock", order[lock_install][1]
    )
    assert lock_install < first_source_copy < project_install
    assert "pip check" in order[project_install][1]


def test_the_image_copies_every_package_of_the_project() -> None:
    copied = {
        i.arguments.split()[0].rstrip("/") for i in dockerfile() if i.keyword == "COPY"
    }

    assert set(_image_packages()) <= copied
    assert not DEVELOPER_PACKAGES & copied


def test_nothing_in_the_image_imports_a_developer_package() -> None:
    importers = []
    for package in _image_packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
                if any(name.split(".")[0] in DEVELOPER_PACKAGES for name in names):
                    importers.append(str(path.relative_to(ROOT)))

    assert importers == []


def test_the_lock_pins_every_runtime_dependency_of_the_image() -> None:
    # The image installs the project's dependencies with the lock as constraints:
    # anything in their closure that the lock does not pin would float.
    pins = _lock()
    seen: set[str] = set()
    todo = [Requirement(d) for d in PYPROJECT["project"]["dependencies"]]
    while todo:
        requirement = todo.pop()
        key = f"{canonicalize_name(requirement.name)}{sorted(requirement.extras)}"
        if key in seen:
            continue
        seen.add(key)
        environments = [{"extra": e} for e in requirement.extras] or [{"extra": ""}]
        for text in importlib.metadata.requires(requirement.name) or []:
            child = Requirement(text)
            if child.marker is None or any(
                child.marker.evaluate(e) for e in environments
            ):
                todo.append(child)

    closure = {key.split("[")[0] for key in seen}

    assert closure - set(pins) == set()
    # Dates are Europe/Amsterdam: the slim image has no system zoneinfo.
    assert "tzdata" in closure


@pytest.mark.slow
def test_the_wheel_the_image_installs_carries_every_file_the_code_needs(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in _image_packages():
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    needed = {
        str(path.relative_to(source))
        for package in _image_packages()
        for path in (source / package).rglob("*")
        if path.is_file()
        and path.suffix != ".md"
        # The AsyncAPI document is written by `python -m contracts.asyncapi` for
        # readers; no service reads it.
        and path.relative_to(source) != Path("contracts/asyncapi.yaml")
    }

    # Built with the setuptools the image builds with.
    (pin,) = {m for run in _runs() for m in re.findall(r"setuptools==[\w.]+", run)}
    (tmp_path / "build-constraints.txt").write_text(pin + "\n")

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--build-constraint",
            str(tmp_path / "build-constraints.txt"),
            "-w",
            str(tmp_path / "wheel"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())

    assert sorted(needed - packed) == []


def test_the_health_check_asks_health_with_the_standard_library() -> None:
    (check,) = [i for i in final_stage() if i.keyword == "HEALTHCHECK"]
    command = check.exec_form()

    assert command is not None and command[0] == "python"
    assert "urllib.request" in command[-1] and "/health" in command[-1]
    assert "PORT" in command[-1]
    assert not re.search(r"\b(curl|wget)\b", check.arguments)


def test_the_image_runs_a_module_and_defaults_to_registratie() -> None:
    (entrypoint,) = [i for i in final_stage() if i.keyword == "ENTRYPOINT"]
    (command,) = [i for i in final_stage() if i.keyword == "CMD"]

    assert entrypoint.exec_form() == ["python", "-m"]
    assert command.exec_form() == ["services.registratie"]


def test_the_image_environment_names_settings_the_code_reads() -> None:
    environment = {k: Setting(v, "image") for k, v in image_environment().items()}

    assert environment["HOST"].value == "0.0.0.0"
    assert unknown_names(environment) == []
    assert exposed_secrets(environment) == []


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        or fnmatch.fnmatch(parts[n], pattern.removeprefix("**/"))
        for n, prefix in enumerate(prefixes)
        for pattern in patterns
    )


def test_dockerignore_keeps_clutter_and_secrets_out_but_not_the_sources() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and line[0] != "#"]
    copied = [
        i.arguments.split()[0].rstrip("/")
        for i in dockerfile()
        if i.keyword == "COPY" and not i.arguments.startswith("--from")
    ]

    for path in (".venv", "var", ".git", "tests", "deploy/env/secrets.env"):
        assert _ignored(path, patterns), path
    for path in copied:
        assert not _ignored(path, patterns), path
    assert not any(pattern.startswith("!") for pattern in patterns)
