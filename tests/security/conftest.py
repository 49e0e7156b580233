"""Fixtures for the security plumbing: settings in a temp dir, a tiny app, the chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from plumbing.errors import DomainError
from plumbing.problems import ProblemError, problem_response, response_for_error
from plumbing.security.settings import SecuritySettings

# The chain with personal data at every door (the store and erasure tests).
from tests.security.keten_met_persoonsgegevens import (  # noqa: F401
    keten,
    opslag,
    standin,
)

# Constructed test numbers: they pass the eleven test, nobody has them.
TEST_BSN = "123456782"
OTHER_TEST_BSN = "999990019"


@pytest.fixture
def settings(tmp_path: Path) -> SecuritySettings:
    return SecuritySettings(
        verzuim_data_dir=tmp_path,
        verzuim_store="sqlite",
        verzuim_apikey_pepper="pepper-for-tests-only",
        verzuim_cipher_key=None,
        verzuim_oidc_issuer=None,
        verzuim_oidc_audience=None,
    )


def add_problem_handlers(app: FastAPI) -> None:
    """The mapping `plumbing.http.create_app` installs, without the rest of it."""

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError | ProblemError)
        return response_for_error(exc)

    async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(400, "Invalid input")

    app.add_exception_handler(DomainError, on_error)
    app.add_exception_handler(ProblemError, on_error)
    app.add_exception_handler(RequestValidationError, on_invalid)
