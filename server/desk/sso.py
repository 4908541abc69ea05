"""Hospital sign-in at /desk/sso: OpenID Connect with authlib's Flask client.

/desk/sso/start sends the browser to the identity provider with a fresh state, nonce
and PKCE challenge (authlib keeps them in the session); /desk/sso/callback takes the
code back, and authlib checks the state, exchanges the code and checks the ID token
(signature by the provider's JWKS, issuer, audience, expiry, nonce). The claims then go
to the service (services/sso.py), which gives the account its role and sites from its
groups; the session is then started exactly as a password login starts it (auth.py).
Every refusal is a 4xx login page with a message, and an audit entry.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from joserfc.errors import JoseError

from server import auth, services
from server.desk import bp
from server.desk.views import safe_next
from server.domain import sso

PROVIDER = "hospital"
PROVIDER_TIMEOUT_SECONDS = 10
MAX_NEXT = 512
_CLIENT = "waitroom.oidc"
_ROLE_MAP = "waitroom.oidc_role_map"
_NEXT = "waitroom.sso_next"  # where to go once signed in, kept across the provider's pages


def init_sso(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set; a bad role map stops the start."""
    try:
        role_map = json.loads(app.config["OIDC_ROLE_MAP"])
    except json.JSONDecodeError as error:
        raise ValueError(f"OIDC_ROLE_MAP is not JSON: {error}") from None
    app.extensions[_ROLE_MAP] = sso.parse_role_map(role_map)
    app.context_processor(_login_page_facts)
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        if not app.config["LOCAL_PASSWORDS"]:
            raise ValueError("LOCAL_PASSWORDS=off needs OIDC_ISSUER, or nobody could sign in.")
        return
    if not app.config.get("OIDC_CLIENT_ID"):
        raise ValueError("OIDC_ISSUER is set: set OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET) too.")
    registry = OAuth(app)
    registry.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            # A provider that hangs answers "cannot be reached" rather than hold the request.
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
        },
    )
    app.extensions[_CLIENT] = registry.create_client(PROVIDER)


def _login_page_facts() -> dict[str, Any]:
    """What the login page shows: the provider's button, and the password form or not."""
    signs_in = _CLIENT in current_app.extensions
    return {
        "sso_provider": current_app.config["OIDC_PROVIDER_NAME"] if signs_in else None,
        "local_passwords": current_app.config["LOCAL_PASSWORDS"],
    }


@bp.get("/desk/sso/start")
def sso_start() -> Any:
    client = _client()
    session[_NEXT] = (request.args.get("next") or "")[:MAX_NEXT]
    try:
        return client.authorize_redirect(url_for("desk.sso_callback", _external=True))
    except requests.RequestException:
        return _unreachable()


# A refusal's status: a sign-in not started here is a bad request, an ID token that
# fails its check is not a sign-in at all; the rest are refusals of who signed in.
_STATUS = {"bad_state": 400, "bad_id_token": 401}


@bp.get("/desk/sso/callback")
def sso_callback() -> Any:
    client = _client()
    address = request.remote_addr
    try:
        claims = _checked_claims(client, address)
        identity = _identity(claims)
        user = services.sign_in_account(identity, current_app.extensions[_ROLE_MAP], address)
    except services.SignInRefused as refused:
        error = _message(refused.code)
        return render_template("desk/login.html", error=error), _STATUS.get(refused.code, 403)
    except requests.RequestException:
        return _unreachable()
    target = session.pop(_NEXT, "")
    auth.start_session(user, method="oidc", issuer=identity.issuer, subject=identity.subject)
    return redirect(safe_next(target))


def _checked_claims(client: Any, address: str | None) -> dict[str, Any]:
    """authlib's checks of the answer: the state is ours, the provider sent no error,
    the ID token is signed by its keys, for us, current, with our nonce."""
    try:
        token = client.authorize_access_token()
    except MismatchingStateError:
        raise services.refuse_sign_in(
            "bad_state", "The sign-in had expired or was not started here.", address
        ) from None
    except OAuthError as error:  # the provider's own answer: denied, or a bad code
        raise services.refuse_sign_in(
            "provider_error",
            "The hospital sign-in did not succeed.",
            address,
            error=str(error.error)[:64],
        ) from None
    except (AuthlibBaseError, JoseError, ValueError) as error:  # the ID token failed a check
        raise services.refuse_sign_in(
            "bad_id_token",
            "The hospital sign-in could not be checked.",
            address,
            error=type(error).__name__,
        ) from None
    claims: dict[str, Any] | None = token.get("userinfo")
    if not claims:  # no ID token, or none checked against our nonce
        raise services.refuse_sign_in("bad_id_token", "No ID token came back.", address)
    return claims


def claims_of(token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The checked claims of a token response's ID token (authlib's own check, the one
    the callback runs); raises if it fails. Tests hand it tokens made elsewhere."""
    claims: dict[str, Any] = _client().parse_id_token(token, nonce=nonce)
    return claims


def _identity(claims: dict[str, Any]) -> services.Identity:
    config = current_app.config
    name = (
        claims.get(config["OIDC_USERNAME_CLAIM"]) or claims.get("email") or f"sso-{claims['sub']}"
    )
    return services.Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        name=str(name),
        groups=sso.groups_claim(claims.get(config["OIDC_GROUPS_CLAIM"])),
    )


def _client() -> Any:
    client = current_app.extensions.get(_CLIENT)
    if client is None:
        abort(404)  # hospital sign-in is not set up on this server
    return client


def _message(code: str) -> str:
    """The refusal said in the page's language (the service's message is English)."""
    if code == "bad_state":
        return gettext("The sign-in had expired or was not started here. Please try again.")
    if code == "missing_groups":
        return gettext("Your hospital account sent no groups, so Waitroom cannot give it a role.")
    if code == "no_allowed_group":
        return gettext("Your hospital account is not in a group that may use Waitroom here.")
    if code == "disabled":
        return gettext("This account is disabled.")
    if code == "bad_id_token":
        return gettext("The hospital sign-in could not be checked. Please try again.")
    return gettext("The hospital sign-in did not succeed.")


def _unreachable() -> Any:
    error = gettext("The hospital sign-in service cannot be reached. Please try again soon.")
    return render_template("desk/login.html", error=error), 502
