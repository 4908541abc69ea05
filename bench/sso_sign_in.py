"""How long the desk's hospital sign-in callback takes: the code exchanged at the
provider, the ID token checked (JWKS cached after the first), the account brought up to
date and the staff session started. Against oidc-provider-mock on a local port, SQLite
in memory, Flask's test client; the first round (discovery, JWKS) is left out.

    PYTHONPATH=. .venv/bin/python -m bench.sso_sign_in [rounds]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time
import warnings
from urllib.parse import urlsplit

import requests

warnings.simplefilter("ignore")  # the test provider's own authlib deprecations
from oidc_provider_mock import run_server_in_thread  # noqa: E402

from tests.conftest import SITE, FakeClock, make_app, seed  # noqa: E402


def main(rounds: int = 20) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with run_server_in_thread() as server:
        provider = f"http://localhost:{server.server_port}"
        app = make_app(
            FakeClock(),
            OIDC_ISSUER=provider,
            OIDC_CLIENT_ID="bench",
            OIDC_CLIENT_SECRET="bench",
            OIDC_ROLE_MAP=json.dumps({"desk": [[SITE, "staff"]]}),
        )
        seed(app)
        claims = {"preferred_username": "bench", "groups": ["desk"]}
        requests.put(f"{provider}/users/u1", json=claims, timeout=5)
        took = [_one_round(app, provider) for _ in range(rounds + 1)][1:]
    print(
        f"sign-in callback, {rounds} rounds: median {statistics.median(took):.1f} ms, "
        f"max {max(took):.1f} ms"
    )


def _one_round(app: object, provider: str) -> float:
    client = app.test_client()  # type: ignore[attr-defined]
    authorize = client.get("/desk/sso/start").headers["Location"]
    approved = requests.post(authorize, data={"sub": "u1"}, allow_redirects=False, timeout=5)
    back = urlsplit(approved.headers["Location"])
    start = time.perf_counter()
    answer = client.get(f"{back.path}?{back.query}")
    took = (time.perf_counter() - start) * 1000
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return took


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
