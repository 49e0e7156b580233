"""An offline check of an OpenAPI document against the Dutch API Design Rules.

The published Spectral ruleset cannot be fetched from this network, so this module
checks the rules listed in `api-rules.md` the same way the linter reads them
(severity "error" only). `lint(document)` returns the violations; an empty list
means the document passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
OPENAPI_3 = re.compile(r"^3\.\d+(\.\d+)?$")
KEBAB_SEGMENT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LOWER_CAMEL = re.compile(r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)*$")
UPPER_CAMEL = re.compile(r"^[A-Z][a-z0-9]*([A-Z][a-z0-9]*)*$")
# A field that holds a date by its name: `datum`, `date`, `geboorteDatum`, `end_date`.
DATE_NAME = re.compile(r"(\w+D|_[dD])(ate|atum)")
STANDARD_METHODS = {"get", "put", "post", "delete", "patch"}
PATH_ITEM_FIELDS = {"parameters", "summary", "description", "servers", "$ref"}
PROBLEM_TYPES = ("application/problem+json", "application/problem+xml")


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: {self.message}"


def lint(document: dict[str, Any]) -> list[Violation]:
    """Every rule violation in `document`; empty when it passes."""
    checks = (
        _document_rules,
        _server_rules,
        _path_rules,
        _operation_rules,
        _schema_rules,
    )
    return [violation for check in checks for violation in check(document)]


def kebab_case_violations(paths: list[str]) -> list[str]:
    """The paths with a segment that is neither lower kebab-case nor `{lowerCamel}`."""
    wrong = []
    for path in paths:
        if path in ("/", "/openapi.json"):
            continue
        for segment in path.strip("/").split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                if not LOWER_CAMEL.match(segment[1:-1]):
                    wrong.append(path)
                    break
            elif not KEBAB_SEGMENT.match(segment):
                wrong.append(path)
                break
    return wrong


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _document_rules(doc: dict[str, Any]) -> Iterator[Violation]:
    if not OPENAPI_3.match(str(doc.get("openapi", ""))):
        yield Violation("openapi3", "$.openapi", "use OpenAPI 3")
    info = doc.get("info", {})
    if not SEMVER.match(str(info.get("version", ""))):
        yield Violation("semver", "$.info.version", "version is not semver")
    contact = info.get("contact")
    if not contact:
        yield Violation("info-contact", "$.info", "contact is missing")
    else:
        for field in ("name", "email", "url"):
            if not contact.get(field):
                yield Violation("info-contact-fields-exist", "$.info.contact", field)


def _server_rules(doc: dict[str, Any]) -> Iterator[Violation]:
    servers = doc.get("servers") or []
    if not servers:
        yield Violation("oas3-api-servers", "$.servers", "no servers given")
    for index, server in enumerate(servers):
        url = str(server.get("url", ""))
        where = f"$.servers[{index}].url"
        if not re.search(r"/v\d+$", url):
            yield Violation("include-major-version-in-uri", where, url)
        if url.startswith("http://"):
            yield Violation("servers-use-https", where, url)


def _path_rules(doc: dict[str, Any]) -> Iterator[Violation]:
    paths: dict[str, Any] = doc.get("paths", {})
    for path in paths:
        if len(path) > 1 and path.endswith("/"):
            yield Violation("paths-no-trailing-slash", path, "trailing slash")
    for path in kebab_case_violations(list(paths)):
        yield Violation("paths-kebab-case", path, "not lower kebab-case")
    for path, item in paths.items():
        for key in item:
            if key not in STANDARD_METHODS | PATH_ITEM_FIELDS:
                yield Violation("http-methods", path, f"{key} is not a standard method")


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in STANDARD_METHODS:
                yield path, method, operation


def _operation_rules(doc: dict[str, Any]) -> Iterator[Violation]:
    for path, method, operation in _operations(doc):
        where = f"{method.upper()} {path}"
        responses: dict[str, Any] = operation.get("responses", {})
        parameters = operation.get("parameters") or []
        needs_400 = method in ("post", "put", "patch") or bool(parameters)
        if needs_400 and "400" not in responses:
            yield Violation("problem-invalid-input", where, "no 400 documented")
        for parameter in parameters:
            parameter = _resolve(doc, parameter)
            name = parameter.get("name", "")
            if parameter.get("in") == "query" and not LOWER_CAMEL.match(name):
                yield Violation("query-keys-camel-case", where, name)
        for code, response in responses.items():
            yield from _response_rules(doc, f"{where} {code}", code, response)


def _response_rules(
    doc: dict[str, Any], where: str, code: str, response: dict[str, Any]
) -> Iterator[Violation]:
    response = _resolve(doc, response)
    if code[:1] in ("2", "3"):
        headers = {name.lower() for name in response.get("headers") or {}}
        if "api-version" not in headers:
            yield Violation("missing-version-header", where, "no API-Version header")
    if code[:1] in ("4", "5"):
        content = response.get("content") or {}
        problem = [content[t] for t in PROBLEM_TYPES if t in content]
        if not problem:
            yield Violation("use-problem-schema", where, "not application/problem+json")
            return
        schema = _resolve(doc, problem[0].get("schema", {}))
        missing = {"status", "title", "detail"} - set(schema.get("properties", {}))
        if missing:
            yield Violation("problem-schema-members", where, f"lacks {sorted(missing)}")


def _schema_rules(doc: dict[str, Any]) -> Iterator[Violation]:
    schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
    for name in schemas:
        if not UPPER_CAMEL.match(name):
            yield Violation("schema-camel-case", f"#/components/schemas/{name}", name)
    for where, properties in _property_maps(doc, "$"):
        for name, schema in properties.items():
            at = f"{where}.{name}"
            if not LOWER_CAMEL.match(name.removeprefix("_")):
                yield Violation("property-casing", at, "not lowerCamelCase")
            yield from _format_rules(at, name, schema)


def _property_maps(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and all(
            isinstance(v, dict) for v in properties.values()
        ):
            yield where, properties
        for key, value in node.items():
            yield from _property_maps(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _property_maps(value, f"{where}[{index}]")


def _format_rules(at: str, name: str, schema: dict[str, Any]) -> Iterator[Violation]:
    fmt = schema.get("format")
    if fmt == "date-time-local":
        yield Violation("date-time-ensure-timezone", at, "date-time needs a zone")
    if fmt == "time":
        yield Violation("time-without-timezone", at, "use time-local")
    if name in ("date", "datum") or DATE_NAME.search(name):
        has_format = "format" in schema or any(
            "format" in part for part in schema.get("allOf", [])
        )
        if not has_format:
            yield Violation("specify-format-for-date-and-time", at, "no format")
        elif fmt == "date-time":
            yield Violation("use-date-instead-of-datetime", at, "use format date")
