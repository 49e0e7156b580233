"""OIDC tokens for people: signature, expiry, issuer, audience, claims to a caller."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import respx

from plumbing.security.callers import CallerKind, Rol
from plumbing.security.oidc import InvalidToken, OidcConfig, OidcVerifier

_spec = importlib.util.spec_from_file_location(
    "security_oidc_fixtures", Path(__file__).with_name("oidc_fixtures.py")
)
assert _spec is not None and _spec.loader is not None
idp_module = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("security_oidc_fixtures", idp_module)
_spec.loader.exec_module(idp_module)
AUDIENCE, ISSUER = idp_module.AUDIENCE, idp_module.ISSUER
FakeIdentityProvider = idp_module.FakeIdentityProvider


@pytest.fixture(scope="module")
def idp() -> FakeIdentityProvider:
    return FakeIdentityProvider()


@pytest.fixture
def router(idp: FakeIdentityProvider) -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mocked:
        idp.serve(mocked)
        yield mocked


@pytest.fixture
def verifier(router: respx.MockRouter) -> Iterator[OidcVerifier]:
    verifier = OidcVerifier(OidcConfig(issuer=ISSUER, audience=AUDIENCE))
    yield verifier
    verifier.close()


def test_a_valid_token_maps_to_a_person(
    idp: FakeIdentityProvider, verifier: OidcVerifier
) -> None:
    caller = verifier.verify(idp.token())

    assert caller.id == "medewerker-42"
    assert caller.kind is CallerKind.PERSOON
    assert caller.bestuur == "bestuur-1"
    assert caller.scholen == {"school-a", "school-b"}
    assert caller.rollen == {Rol.MENTOR, Rol.VERZUIMCOORDINATOR}


def test_the_jwks_is_discovered_once_and_cached(
    idp: FakeIdentityProvider, router: respx.MockRouter, verifier: OidcVerifier
) -> None:
    for _ in range(5):
        verifier.verify(idp.token())

    assert router.routes[0].call_count == 1  # discovery
    assert router.routes[1].call_count == 1  # JWKS


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"iss": "https://other-idp.example"}, id="wrong-issuer"),
        pytest.param({"aud": "another-application"}, id="wrong-audience"),
        pytest.param({"sub": None}, id="no-subject"),
        pytest.param({"exp": None}, id="no-expiry"),
        pytest.param({"bestuur": None}, id="no-bestuur"),
    ],
)
def test_unacceptable_tokens_are_refused(
    idp: FakeIdentityProvider, verifier: OidcVerifier, claims: dict[str, object]
) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(idp.token(**claims))


def test_a_token_with_an_unknown_key_id_is_refused(
    idp: FakeIdentityProvider, verifier: OidcVerifier
) -> None:
    verifier.verify(idp.token())  # the key set is loaded
    stranger = FakeIdentityProvider(kid="key-from-elsewhere")

    with pytest.raises(InvalidToken):
        verifier.verify(stranger.token())


def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(
    idp: FakeIdentityProvider, verifier: OidcVerifier
) -> None:
    impostor = FakeIdentityProvider(kid=idp.kid)

    with pytest.raises(InvalidToken):
        verifier.verify(impostor.token())


def test_algorithm_confusion_is_refused(
    idp: FakeIdentityProvider, verifier: OidcVerifier
) -> None:
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60,
         "bestuur": "b"},
        key=None, algorithm="none", headers={"kid": idp.kid},
    )  # fmt: skip

    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)
    with pytest.raises(InvalidToken):
        verifier.verify("not-a-jwt")


def test_unknown_roles_and_the_system_role_are_dropped(
    idp: FakeIdentityProvider, verifier: OidcVerifier
) -> None:
    caller = verifier.verify(idp.token(rollen=["mentor", "offline_access", "sis"]))

    assert caller.rollen == {Rol.MENTOR}


def test_claim_names_are_configurable_and_may_be_nested(
    idp: FakeIdentityProvider, router: respx.MockRouter
) -> None:
    config = OidcConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=idp_module.JWKS_URL,
        claim_bestuur="org",
        claim_scholen="brin",
        claim_rollen="realm_access.roles",
    )
    verifier = OidcVerifier(config)
    token = idp.token(
        bestuur=None,
        scholen=None,
        rollen=None,
        org="bestuur-7",
        brin="school-x school-y",
        realm_access={"roles": ["leerplichtambtenaar"]},
    )

    caller = verifier.verify(token)

    assert caller.bestuur == "bestuur-7"
    assert caller.scholen == {"school-x", "school-y"}
    assert caller.rollen == {Rol.LEERPLICHTAMBTENAAR}
    assert router.routes[0].call_count == 0  # no discovery with a configured JWKS


def test_an_unreachable_identity_provider_refuses_the_token(
    idp: FakeIdentityProvider,
) -> None:
    with respx.mock() as mocked:
        mocked.get(f"{ISSUER}/.well-known/openid-configuration").respond(503)
        verifier = OidcVerifier(OidcConfig(issuer=ISSUER, audience=AUDIENCE))

        with pytest.raises(InvalidToken):
            verifier.verify(idp.token())
