"""Text messages and the desk's "call next": does the outbox keep a provider off the
call, and how fast does the sender send?

Two `waitroom serve` processes on the demo site (SQLite), each with WAITING walk-ins
in one line: one sends texts through Apprise to a local `json://` receiver (a real
HTTP server in this process) and every waiting patient has texts on; the other has no
channel. Calls alternate between them (a pause after each lets the estimate refresh
that follows a call finish), and the call's HTTP answer time is compared. Then
MESSAGES rows are put in the texting server's outbox at once and timed until the
receiver has them all: the sender's messages per second.

    PYTHONPATH=$PWD .venv/bin/python -m bench.notify [--waiting 1000] [--calls 30] [--gap 1.5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bench.harness import Server, http_session
from server.storage.models import OutboxMessage
from tests.sms_receiver import Receiver

SITE = "riverside"


def fill_line(server: Server, password: str, waiting: int, texts: bool) -> object:
    """WAITING patients in line G (added at the desk), each with texts on if `texts`."""
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
    return desk


def time_call(server: Server, desk: object) -> float:
    url = f"{server.base}/api/sites/{SITE}/rooms/room-1/call-next"
    started = time.perf_counter()
    answer = desk.post(url, json={"previous": "no_show"})  # type: ignore[attr-defined]
    took = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    return took * 1000


def sender_rate(server: Server, receiver: Receiver, messages: int) -> float:
    """Messages per second from the commit of MESSAGES outbox rows to the last received."""
    engine = create_engine(f"sqlite:///{server.root / 'var' / 'waitroom.db'}")
    before = len(receiver.texts())
    now = datetime.now(UTC)
    with engine.begin() as connection:
        site_id = connection.execute(text("SELECT id FROM sites")).scalar_one()
        connection.execute(
            insert(OutboxMessage),
            [
                {
                    "site_id": site_id,
                    "channel": "sms",
                    "address": "+447911123456",
                    "kind": "desk",
                    "body": f"G-001: bench message {i}",
                    "created_at": now,
                    "next_try_at": now,
                    "attempts": 0,
                    "status": "pending",
                }
                for i in range(messages)
            ],
        )
        started = time.perf_counter()
    while len(receiver.texts()) < before + messages:
        time.sleep(0.01)
    engine.dispose()
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds after each call")
    args = parser.parse_args()
    receiver = Receiver()
    root = Path(tempfile.mkdtemp(prefix="waitroom-notify-"))
    texting, silent = Server(root / "texts"), Server(root / "none")
    texting.env.update(SMS_URL=receiver.sms_url)
    try:
        desks = {}
        for name, server, texts in (("texts", texting, True), ("none", silent, False)):
            password = server.start()
            started = time.perf_counter()
            desks[name] = fill_line(server, password, args.waiting, texts)
            print(f"{name}: {args.waiting} waiting in {time.perf_counter() - started:.0f} s")
        times: dict[str, list[float]] = {"texts": [], "none": []}
        for _ in range(args.calls):
            for name, server in (("texts", texting), ("none", silent)):
                times[name].append(time_call(server, desks[name]))
                time.sleep(args.gap)  # the refresh that follows the call, off the clock
        print(f"\n'call next' with {args.waiting} waiting, {args.calls} calls each (ms)")
        print(f"{'channels':<10}{'median':>8}{'p90':>8}{'max':>8}")
        for name, values in times.items():
            ordered = sorted(values)
            p90 = ordered[int(0.9 * (len(ordered) - 1))]
            print(f"{name:<10}{statistics.median(values):>8.1f}{p90:>8.1f}{max(values):>8.1f}")
        ratio = statistics.median(times["texts"]) / statistics.median(times["none"])
        print(f"median with texts / without: {ratio:.2f} (target 1.2 or less)")
        time.sleep(2)
        print(f"texts received during the calls: {len(receiver.texts())}")
        rate = sender_rate(texting, receiver, args.messages)
        print(
            f"sender: {args.messages} messages to a local json:// endpoint, {rate:.0f} per second"
        )
    finally:
        texting.stop()
        silent.stop()
        receiver.close()


if __name__ == "__main__":
    main()
