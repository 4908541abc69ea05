"""Changes take turns: one at a time in a process, each after the others had a go.

Under gevent a request runs without pause until it waits on the network, and a queue
change is database work and payload building with no such wait on SQLite (a few to a
few dozen milliseconds with hundreds waiting). Twenty check-ins arriving together
would run back to back while every phone, screen and ping on the process waited for
all of them. So a change first takes the process's write turn, and before it starts
lets the event loop go round once: sockets that are ready (a phone's ping, a screen's
update) are served between any two changes, not after the whole burst. Changes run
one after another anyway (SQLite has one writer, PostgreSQL locks the site row), so
taking turns costs no throughput.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from server.extensions import db, socketio

# Long enough to be a timer, so the loop polls its sockets before this change runs
# (a zero sleep only switches to greenlets that are already runnable).
LET_THE_LOOP_GO_ROUND = 0.0001

# Patched to a greenlet lock by `waitroom serve` under gevent. Re-entrant: a change may
# run the estimate refresh inline (tests), which takes the turn again.
_turn = threading.RLock()


@contextmanager
def write_turn() -> Iterator[None]:
    """Take the process's write turn; enter it before the request reads anything.

    Never pause inside a transaction: on SQLite every transaction holds the database's
    write lock (BEGIN IMMEDIATE), and another greenlet beginning one meanwhile would
    wait inside SQLite, blocking the whole process, for the very greenlet it stopped.
    """
    with _turn:
        if not db.session().in_transaction():
            socketio.sleep(LET_THE_LOOP_GO_ROUND)
        yield


def let_others_run() -> None:
    """A pause for long CPU work outside a turn (the estimate simulation)."""
    socketio.sleep(LET_THE_LOOP_GO_ROUND)
