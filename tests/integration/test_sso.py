"""Hospital sign-in against a real OpenID Connect provider started by the test
(oidc-provider-mock: authlib's server side in a Flask app on a local port, with its own
RSA key and JWKS). The desk's Flask test client goes to /desk/sso/start; the test plays
the browser at the provider's form with `requests`; the provider sends the code back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from joserfc.errors import JoseError
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select

from server import services
from server.desk.sso import claims_of
from server.extensions import db
from server.storage.models import AuditEntry, User
from tests.conftest import SITE, STAFF_PASSWORD, login

# The test provider (its authlib server side, in this process) still uses an authlib
# call that authlib 1.9 warns about; nothing of Waitroom's does.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

CLIENT_ID = "waitroom-desk"
ROLE_MAP = {
    "clinic-desk": [[SITE, "staff"]],
    "clinic-admins": [{"site": SITE, "role": "admin"}],
    "clinic-managers": [[SITE, "manager"]],
    "elsewhere": [["no-such-site", "admin"]],
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def app_config(provider: str) -> dict[str, Any]:
    return {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": "not-checked-by-the-test-provider",
        "OIDC_PROVIDER_NAME": "Riverside Health",
        "OIDC_ROLE_MAP": json.dumps(ROLE_MAP),
    }


def person(provider: str, sub: str, **claims: Any) -> None:
    """What the provider will say about `sub` when it signs in."""
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204


def sign_in(
    client: FlaskClient, sub: str, *, tamper_state: bool = False, next_page: str = "/desk"
) -> Any:
    """The whole round: start at the desk, approve at the provider, come back."""
    start = client.get(f"/desk/sso/start?next={next_page}")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    at_provider = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    query = back.query
    if tamper_state:
        query = query.replace("state=", "state=x")
    return client.get(f"{back.path}?{query}")


def account(app: Flask, sub: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.oidc_subject == sub)).scalar_one_or_none()
        if user is not None:
            _ = [s.slug for s in user.sites]  # loaded before the context ends
        return user


def audit_entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()
        )


def test_the_provider_is_sent_state_nonce_and_a_pkce_challenge(client: FlaskClient) -> None:
    start = client.get("/desk/sso/start")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert "openid" in query["scope"][0].split()


def test_first_sign_in_makes_the_account_with_the_mapped_role_and_a_staff_session(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-ana", preferred_username="ana.ruiz", groups=["clinic-desk", "other"])
    back = sign_in(client, "u-ana")
    assert back.status_code == 302
    assert back.headers["Location"] == "/desk"
    me = client.get("/api/me").get_json()
    assert me == {
        "username": "ana.ruiz",
        "role": "staff",
        "sites": [SITE],
        "roles": {SITE: "staff"},
    }
    user = account(app, "u-ana")
    assert user is not None and user.oidc_issuer == provider
    login = audit_entries(app, "login")[-1]
    assert login.user_id == user.id and login.address == "127.0.0.1"
    assert login.detail["method"] == "oidc" and login.detail["subject"] == "u-ana"
    assert login.detail["issuer"] == provider and login.detail["session"]
    added = audit_entries(app, "account_added")[-1]
    assert added.detail["username"] == "ana.ruiz" and added.detail["role"] == "staff"


def test_a_group_may_make_the_account_a_manager_who_reads_the_reports_not_the_desk(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-mia", preferred_username="mia", groups=["clinic-managers"])
    back = sign_in(client, "u-mia", next_page="/reports")
    assert back.status_code == 302
    assert back.headers["Location"] == "/reports"
    me = client.get("/api/me").get_json()
    assert me == {"username": "mia", "role": "manager", "sites": [SITE], "roles": {SITE: "manager"}}
    assert client.get(f"/api/sites/{SITE}/reports").status_code == 200
    assert client.get(f"/reports?site={SITE}").status_code == 200
    assert client.get(f"/api/sites/{SITE}/queue").status_code == 403  # no desk


def test_a_second_sign_in_brings_the_roles_up_to_date(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-ben", preferred_username="ben", groups=["clinic-desk"])
    sign_in(client, "u-ben")
    assert client.get("/api/me").get_json()["role"] == "staff"
    person(provider, "u-ben", preferred_username="ben", groups=["clinic-desk", "clinic-admins"])
    again = app.test_client()
    assert sign_in(again, "u-ben").status_code == 302
    assert again.get("/api/me").get_json()["role"] == "admin"
    changed = audit_entries(app, "account_changed")[-1]
    assert changed.detail["before"] == {"role": "staff", "sites": [SITE], "roles": {SITE: "staff"}}
    assert changed.detail["role"] == "admin"
    with app.app_context():
        named_ben = db.session.execute(select(User).where(User.username.like("ben%"))).all()
    assert len(named_ben) == 1  # the same account, not a second one


def test_someone_in_no_allowed_group_is_refused_and_no_account_is_made(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-cy", preferred_username="cy", groups=["elsewhere", "visitors"])
    refused = sign_in(client, "u-cy")
    assert refused.status_code == 403
    assert "not in a group that may use Waitroom" in refused.get_data(as_text=True)
    assert account(app, "u-cy") is None
    assert client.get("/api/me").status_code == 401
    failed = audit_entries(app, "login_failed")[-1]
    assert failed.detail["reason"] == "no_allowed_group" and failed.detail["subject"] == "u-cy"


def test_an_account_whose_groups_no_longer_allow_anything_is_refused(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-dee", preferred_username="dee", groups=["clinic-desk"])
    sign_in(client, "u-dee")
    person(provider, "u-dee", preferred_username="dee", groups=[])
    later = app.test_client()
    assert sign_in(later, "u-dee").status_code == 403
    assert later.get("/api/me").status_code == 401
    # The session still open in the first browser ends with it.
    assert client.get("/api/me").status_code == 401
    ended = audit_entries(app, "session_ended")[-1]
    assert ended.detail["reason"] == "groups_withdrawn"


def test_a_token_without_groups_is_refused(app: Flask, client: FlaskClient, provider: str) -> None:
    person(provider, "u-eve", preferred_username="eve")
    refused = sign_in(client, "u-eve")
    assert refused.status_code == 403
    assert "sent no groups" in refused.get_data(as_text=True)
    assert account(app, "u-eve") is None
    assert audit_entries(app, "login_failed")[-1].detail["reason"] == "missing_groups"


def test_a_tampered_state_is_refused(app: Flask, client: FlaskClient, provider: str) -> None:
    person(provider, "u-fay", preferred_username="fay", groups=["clinic-desk"])
    refused = sign_in(client, "u-fay", tamper_state=True)
    assert refused.status_code == 400
    assert "expired or was not started here" in refused.get_data(as_text=True)
    assert account(app, "u-fay") is None
    assert audit_entries(app, "login_failed")[-1].detail["reason"] == "bad_state"


def test_an_error_from_the_provider_is_refused(app: Flask, client: FlaskClient) -> None:
    start = client.get("/desk/sso/start")
    denied = requests.post(
        start.headers["Location"], data={"action": "deny"}, allow_redirects=False, timeout=5
    )
    back = urlsplit(denied.headers["Location"])
    assert "error=access_denied" in back.query
    refused = client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403
    failed = audit_entries(app, "login_failed")[-1]
    assert failed.detail == {"reason": "provider_error", "method": "oidc", "error": "access_denied"}


def token_for_another_app(provider: str, sub: str, nonce: str) -> dict[str, Any]:
    """A real token response from the provider, for a client that is not Waitroom."""
    other = {"client_id": "another-app", "redirect_uri": "http://other.example/cb"}
    authorize = requests.post(
        f"{provider}/oauth2/authorize",
        params={**other, "response_type": "code", "scope": "openid profile", "nonce": nonce},
        data={"sub": sub},
        allow_redirects=False,
        timeout=5,
    )
    code = parse_qs(urlsplit(authorize.headers["Location"]).query)["code"][0]
    token: dict[str, Any] = requests.post(
        f"{provider}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": other["redirect_uri"],
        },
        auth=("another-app", "secret"),
        timeout=5,
    ).json()
    return token


def test_an_id_token_for_another_audience_fails_the_check(app: Flask, provider: str) -> None:
    """The check the callback runs (authlib's), on a real token made for another client."""
    person(provider, "u-gil", preferred_username="gil", groups=["clinic-desk"])
    token = token_for_another_app(provider, "u-gil", "n-1")
    with app.test_request_context():
        # The same token passes the check for the client it was made for...
        app.extensions["waitroom.oidc"].client_id = "another-app"
        assert claims_of(token, "n-1")["aud"] == ["another-app"]
        # ...and not for Waitroom's (authlib refuses it: another audience, no azp for us).
        app.extensions["waitroom.oidc"].client_id = CLIENT_ID
        with pytest.raises(JoseError):
            claims_of(token, "n-1")


def test_an_id_token_for_another_audience_is_refused_at_the_callback(
    app: Flask, client: FlaskClient, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code exchange answers with a token for another client (a provider mix-up or
    a token swapped in transit): everything else right, our state and our nonce."""
    person(provider, "u-hana", preferred_username="hana", groups=["clinic-desk"])
    start = parse_qs(urlsplit(client.get("/desk/sso/start").headers["Location"]).query)
    swapped = token_for_another_app(provider, "u-hana", start["nonce"][0])
    oidc = app.extensions["waitroom.oidc"]
    monkeypatch.setattr(oidc, "fetch_access_token", lambda **_params: swapped)
    refused = client.get(f"/desk/sso/callback?code=any&state={start['state'][0]}")
    assert refused.status_code == 401
    assert "could not be checked" in refused.get_data(as_text=True)
    assert account(app, "u-hana") is None
    assert client.get("/api/me").status_code == 401
    assert audit_entries(app, "login_failed")[-1].detail["reason"] == "bad_id_token"


class TestLocalPasswordsOff:
    @pytest.fixture
    def app_config(self, provider: str) -> dict[str, Any]:
        return {
            "OIDC_ISSUER": provider,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": "x",
            "OIDC_PROVIDER_NAME": "Riverside Health",
            "OIDC_ROLE_MAP": json.dumps(ROLE_MAP),
            "LOCAL_PASSWORDS": False,
            # The page has no form to take a token from; CSRF is not what is tested here.
            "WTF_CSRF_ENABLED": False,
        }

    def test_the_api_refuses_a_password_login_clearly(
        self, app: Flask, client: FlaskClient
    ) -> None:
        refused = client.post("/api/login", json={"username": "desk", "password": STAFF_PASSWORD})
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "local_passwords_off"
        assert client.get("/api/me").status_code == 401
        failed = audit_entries(app, "login_failed")[-1]
        assert failed.username == "desk" and failed.detail["reason"] == "local_passwords_off"

    def test_the_form_refuses_it_and_the_page_shows_only_the_provider(
        self, client: FlaskClient
    ) -> None:
        page = client.get("/desk/login").get_data(as_text=True)
        assert "Sign in with Riverside Health" in page
        assert 'name="password"' not in page
        refused = client.post("/desk/login", data={"username": "desk", "password": STAFF_PASSWORD})
        assert refused.status_code == 403
        assert "Passwords are switched off here" in refused.get_data(as_text=True)
        assert client.get("/api/me").status_code == 401


def test_with_passwords_on_the_page_offers_both(client: FlaskClient) -> None:
    page = client.get("/desk/login").get_data(as_text=True)
    assert "Sign in with Riverside Health" in page
    assert 'name="password"' in page


def test_the_sign_in_session_is_revocable(app: Flask, client: FlaskClient, provider: str) -> None:
    person(provider, "u-hal", preferred_username="hal", groups=["clinic-desk"])
    sign_in(client, "u-hal")
    assert client.get("/api/me").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    copied = app.test_client()
    copied.set_cookie("session", cookie.value)
    assert copied.get("/api/me").status_code == 200
    assert client.post("/api/logout", json={}).status_code == 200
    assert client.get("/api/me").status_code == 401
    assert copied.get("/api/me").status_code == 401  # the replayed cookie ends with it
    assert audit_entries(app, "logout")[-1].user_id == account(app, "u-hal").id  # type: ignore[union-attr]


def test_without_an_issuer_there_is_no_sign_in_route(clock: Any) -> None:
    from tests.conftest import make_app

    plain = make_app(clock)
    assert plain.test_client().get("/desk/sso/start").status_code == 404
    assert "Sign in with" not in plain.test_client().get("/desk/login").get_data(as_text=True)


def test_a_local_account_of_the_same_name_is_not_taken_over(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-ivy", preferred_username="desk", groups=["clinic-admins"])
    assert sign_in(client, "u-ivy").status_code == 302
    assert client.get("/api/me").get_json()["username"] == "desk~2"
    local = app.test_client()
    login(local, "desk")  # the local account keeps its password and its role
    assert local.get("/api/me").get_json() == {
        "username": "desk",
        "role": "staff",
        "sites": [SITE],
        "roles": {SITE: "staff"},
    }


def test_an_account_made_by_sign_in_has_no_password(client: FlaskClient, provider: str) -> None:
    person(provider, "u-jo", preferred_username="jo", groups=["clinic-desk"])
    sign_in(client, "u-jo")
    for password in ("", "!oidc", STAFF_PASSWORD):
        answer = client.post("/api/login", json={"username": "jo", "password": password})
        assert answer.status_code in (400, 401)


def test_an_account_an_admin_disabled_is_refused(
    app: Flask, client: FlaskClient, provider: str
) -> None:
    person(provider, "u-kim", preferred_username="kim", groups=["clinic-desk"])
    sign_in(client, "u-kim")
    with app.app_context():
        services.disable_user("kim")
    assert client.get("/api/me").status_code == 401  # the live session ended with it
    again = app.test_client()
    refused = sign_in(again, "u-kim")
    assert refused.status_code == 403
    assert "This account is disabled." in refused.get_data(as_text=True)
    assert audit_entries(app, "login_failed")[-1].detail["reason"] == "disabled"


def test_settings_that_cannot_work_stop_the_server_at_start(clock: Any) -> None:
    from tests.conftest import make_app

    with pytest.raises(ValueError, match="OIDC_ROLE_MAP"):
        make_app(clock, OIDC_ROLE_MAP='{"desk": [["riverside", "owner"]]}')
    with pytest.raises(ValueError, match="not JSON"):
        make_app(clock, OIDC_ROLE_MAP="desk=riverside")
    with pytest.raises(ValueError, match="needs OIDC_ISSUER"):
        make_app(clock, LOCAL_PASSWORDS=False)


def test_an_unreachable_provider_is_said_plainly(clock: Any) -> None:
    from tests.conftest import make_app

    closed = make_app(clock, OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="w")
    answer = closed.test_client().get("/desk/sso/start")
    assert answer.status_code == 502
    assert "cannot be reached" in answer.get_data(as_text=True)
