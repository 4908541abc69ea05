"""Text messages, Web Push and the desk's "call next": does the outbox keep a provider
off the call, and how fast does the sender send?

Two `waitroom serve` processes on the demo site (SQLite), each with WAITING walk-ins
in one line: one sends texts through Apprise to a local `json://` receiver (a real
HTTP server in this process) and Web Push to a local push service (tests/push_service.py,
also in this process: it checks each push's VAPID signature and decrypts it with the
subscription's keys, as a push service and the browser do), and every waiting patient
has texts on and a push subscription; the other has no channel. Calls alternate between
them (a pause after each lets the estimate refresh that follows a call finish), and the
call's HTTP answer time is compared. Then MESSAGES text rows, and then MESSAGES push
rows, are put in the first server's outbox at once and timed until the receiver (the
push service) has them all: the sender's messages per second on each channel.
`--no-push` leaves Web Push out (texts only, as before).

    PYTHONPATH=$PWD .venv/bin/python -m bench.notify [--waiting 1000] [--calls 30] [--gap 1.5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bench.harness import Server, http_session
from server.domain.notify import PushSubscription
from server.notify.channels import new_vapid_private_key, public_key_text, vapid_key
from server.storage.models import OutboxMessage
from tests.push_service import PushService
from tests.sms_receiver import Receiver

SITE = "riverside"


def fill_line(
    server: Server, password: str, waiting: int, texts: bool, push: PushService | None = None
) -> object:
    """WAITING patients in line G (added at the desk), each with texts on if `texts`
    and a subscription at the push service `push` if one is given."""
    desk = http_session()
    desk.post(f"{server.base}/api/login", json={"username": "desk", "password": password})
    for i in range(waiting):
        made = desk.post(f"{server.base}/api/sites/{SITE}/tickets", json={"service": "G"}).json()
        if texts:
            answer = desk.post(
                f"{server.base}/api/tickets/{made['token']}/texts",
                json={"number": f"07911 {100000 + i}", "consent": True},
            )
            assert answer.status_code == 200, answer.text
        if push is not None:
            answer = desk.post(
                f"{server.base}/api/tickets/{made['token']}/push",
                json=push.browser(f"patient-{i}").subscription(),
            )
            assert answer.status_code == 200, answer.text
    return desk


def time_call(server: Server, desk: object) -> float:
    url = f"{server.base}/api/sites/{SITE}/rooms/room-1/call-next"
    started = time.perf_counter()
    answer = desk.post(url, json={"previous": "no_show"})  # type: ignore[attr-defined]
    took = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    return took * 1000


def wait_for_empty_outbox(server: Server, seconds: float = 60) -> None:
    """Until the sender has nothing pending (what the calls wrote is sent), or `seconds`
    (a failed send stays pending for its retry)."""
    engine = create_engine(f"sqlite:///{server.root / 'var' / 'waitroom.db'}")
    query = text("SELECT count(*) FROM outbox WHERE status = 'pending'")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if not connection.execute(query).scalar_one():
                break
        time.sleep(0.1)
    engine.dispose()


def sender_rate(
    server: Server,
    received: Callable[[], int],
    messages: int,
    channel: str = "sms",
    address: str = "+447911123456",
    body: Callable[[int], str] = lambda i: f"G-001: bench message {i}",
) -> float:
    """Messages per second from the commit of MESSAGES outbox rows to the last received
    (`received` counts what the endpoint has)."""
    engine = create_engine(f"sqlite:///{server.root / 'var' / 'waitroom.db'}")
    before = received()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        site_id = connection.execute(text("SELECT id FROM sites")).scalar_one()
        connection.execute(
            insert(OutboxMessage),
            [
                {
                    "site_id": site_id,
                    "channel": channel,
                    "address": address,
                    "kind": "desk",
                    "body": body(i),
                    "created_at": now,
                    "next_try_at": now,
                    "attempts": 0,
                    "status": "pending",
                }
                for i in range(messages)
            ],
        )
        started = time.perf_counter()
    deadline = time.monotonic() + 300
    while received() < before + messages:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {received() - before} of {messages} arrived in 300 s")
        time.sleep(0.01)
    engine.dispose()
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds after each call")
    parser.add_argument("--no-push", action="store_true", help="texts only, no Web Push")
    args = parser.parse_args()
    receiver = Receiver()
    push: PushService | None = None
    root = Path(tempfile.mkdtemp(prefix="waitroom-notify-"))
    texting, silent = Server(root / "texts"), Server(root / "none")
    for server in (texting, silent):
        for key in ("SMS_URL", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "PUSH_SERVICE_HOSTS"):
            server.env.pop(key, None)
    texting.env.update(SMS_URL=receiver.sms_url)
    name = "texts"
    if not args.no_push:
        private_key = new_vapid_private_key()
        push = PushService(public_key_text(vapid_key(private_key)))
        texting.env.update(
            VAPID_PRIVATE_KEY=private_key,
            VAPID_SUBJECT="mailto:bench@clinic.example",
            PUSH_SERVICE_HOSTS="127.0.0.1",
        )
        name = "texts+push"
    try:
        desks = {}
        for label, server, texts in ((name, texting, True), ("none", silent, False)):
            password = server.start()
            started = time.perf_counter()
            desks[label] = fill_line(server, password, args.waiting, texts, push if texts else None)
            print(f"{label}: {args.waiting} waiting in {time.perf_counter() - started:.0f} s")
        times: dict[str, list[float]] = {name: [], "none": []}
        for _ in range(args.calls):
            for label, server in ((name, texting), ("none", silent)):
                times[label].append(time_call(server, desks[label]))
                time.sleep(args.gap)  # the refresh that follows the call, off the clock
        print(f"\n'call next' with {args.waiting} waiting, {args.calls} calls each (ms)")
        print(f"{'channels':<12}{'median':>8}{'p90':>8}{'max':>8}")
        for label, values in times.items():
            ordered = sorted(values)
            p90 = ordered[int(0.9 * (len(ordered) - 1))]
            print(f"{label:<12}{statistics.median(values):>8.1f}{p90:>8.1f}{max(values):>8.1f}")
        ratio = statistics.median(times[name]) / statistics.median(times["none"])
        print(f"median with {name} / without: {ratio:.2f} (target 1.2 or less)")
        time.sleep(2)
        wait_for_empty_outbox(texting)
        print(f"texts received during the calls: {len(receiver.texts())}")
        if push is not None:
            print(f"pushes received during the calls: {len(push.messages())}")
            if push.refused:
                print(f"pushes refused by the push service: {len(push.refused)}")
        rate = sender_rate(texting, lambda: len(receiver.texts()), args.messages)
        print(
            f"sender: {args.messages} messages to a local json:// endpoint, {rate:.0f} per second"
        )
        if push is not None:
            service = push
            browser = service.browser("bench")
            address = PushSubscription(
                browser.endpoint,
                browser.subscription()["keys"]["p256dh"],
                browser.subscription()["keys"]["auth"],
                "/t/bench",
            ).to_address()
            rate = sender_rate(
                texting,
                lambda: len(service.messages()),
                args.messages,
                channel="push",
                address=address,
                body=lambda i: json.dumps(
                    {"title": "Riverside", "body": f"G-001: bench message {i}", "tag": "bench"}
                ),
            )
            print(f"sender: {args.messages} pushes to a local push service, {rate:.0f} per second")
    finally:
        texting.stop()
        silent.stop()
        receiver.close()
        if push is not None:
            push.close()


if __name__ == "__main__":
    main()
