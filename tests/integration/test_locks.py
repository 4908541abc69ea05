"""Leases for once-per-deployment work, on real PostgreSQL and Redis.

Two holders stand for two server processes: only one wins; when the holder dies
(its connection ends, or it stops renewing its Redis key) another takes over.
"""

from __future__ import annotations

import secrets
import time

import pytest
from sqlalchemy import create_engine

from server.storage.locks import LocalLease, PostgresLease, RedisLease, deployment_lease
from tests.conftest import REDIS_URL


@pytest.fixture
def redis_key(redis_client):
    key = f"waitroom-test-{secrets.token_hex(6)}:lease:tick"
    yield key
    redis_client.delete(key)


@pytest.fixture
def pg_engines(pg_schema_url):
    """Two engines on one schema: two processes of one deployment."""
    engines = [create_engine(pg_schema_url) for _ in range(2)]
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.mark.redis
def test_redis_only_one_of_two_holders_wins_and_the_winner_keeps_it(redis_client, redis_key):
    first, second = (RedisLease(redis_client, redis_key, ttl=30) for _ in range(2))

    assert first.hold()
    assert not second.hold()
    assert first.hold()  # renewing: still ours
    assert not second.hold()


@pytest.mark.redis
def test_redis_release_lets_the_other_holder_in(redis_client, redis_key):
    first, second = (RedisLease(redis_client, redis_key, ttl=30) for _ in range(2))
    assert first.hold()

    first.release()

    assert second.hold()
    assert not first.hold()


@pytest.mark.redis
def test_redis_a_dead_holder_is_replaced_once_its_key_expires(redis_client, redis_key):
    dead, alive = (RedisLease(redis_client, redis_key, ttl=0.3) for _ in range(2))
    assert dead.hold()
    assert not alive.hold()

    time.sleep(0.5)  # the holder stopped renewing: it died

    assert alive.hold()
    dead.release()  # a late release by the old holder must not free the new holder's lease
    assert not dead.hold()
    assert alive.hold()


@pytest.mark.redis
def test_redis_renewing_keeps_the_lease_past_its_first_expiry(redis_client, redis_key):
    holder, other = (RedisLease(redis_client, redis_key, ttl=0.4) for _ in range(2))
    assert holder.hold()
    for _ in range(4):
        time.sleep(0.2)
        assert holder.hold()
        assert not other.hold()


@pytest.mark.redis
def test_redis_unreachable_means_not_held():
    import redis

    away = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    assert not RedisLease(away, "waitroom-test:lease:tick", ttl=1).hold()


@pytest.mark.postgres
def test_postgres_only_one_of_two_holders_wins_and_the_winner_keeps_it(pg_engines):
    first, second = (PostgresLease(engine, "estimate-tick") for engine in pg_engines)
    try:
        assert first.hold()
        assert not second.hold()
        assert first.hold()
        assert not second.hold()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_postgres_a_dead_holder_is_replaced_at_once(pg_engines):
    dead, alive = (PostgresLease(engine, "estimate-tick") for engine in pg_engines)
    assert dead.hold()
    assert not alive.hold()

    dead._connection.invalidate()  # its session ends, as when its process is killed
    try:
        # The server notices the closed connection within moments; then the lock is free.
        deadline = time.monotonic() + 5
        while not alive.hold():
            assert time.monotonic() < deadline, "the dead holder's lock was never freed"
            time.sleep(0.05)
    finally:
        alive.release()


@pytest.mark.postgres
def test_postgres_release_lets_the_other_holder_in(pg_engines):
    first, second = (PostgresLease(engine, "estimate-tick") for engine in pg_engines)
    assert first.hold()
    first.release()
    try:
        assert second.hold()
    finally:
        second.release()


@pytest.mark.postgres
def test_postgres_leases_of_different_names_do_not_block_each_other(pg_engines):
    tick, purge = (
        PostgresLease(pg_engines[0], "estimate-tick"),
        PostgresLease(pg_engines[1], "purge"),
    )
    try:
        assert tick.hold()
        assert purge.hold()
    finally:
        tick.release()
        purge.release()


def test_deployment_lease_fits_the_deployment(redis_client, pg_engines):
    sqlite = create_engine("sqlite://")
    config = {"REDIS_URL": None, "REDIS_PREFIX": "waitroom-test"}

    assert isinstance(deployment_lease(config, sqlite, "tick", ttl=5), LocalLease)
    assert isinstance(deployment_lease(config, pg_engines[0], "tick", ttl=5), PostgresLease)
    with_redis = {**config, "REDIS_URL": REDIS_URL}
    lease = deployment_lease(with_redis, sqlite, "tick", ttl=5)
    assert isinstance(lease, RedisLease)
    assert lease.key == "waitroom-test:lease:tick"
    # PostgreSQL wins over Redis: its lock goes the moment its holder's connection does.
    assert isinstance(deployment_lease(with_redis, pg_engines[0], "tick", ttl=5), PostgresLease)


class _Stop(Exception):
    pass


def _turns(count):
    """A sleep that lets the tick loop take `count` turns, then stops it."""
    left = [count]

    def sleep(_seconds):
        if left[0] == 0:
            raise _Stop
        left[0] -= 1

    return sleep


class _ScriptedLease:
    def __init__(self, answers):
        self.answers = list(answers)

    def hold(self):
        return self.answers.pop(0)

    def release(self):
        pass


def test_the_estimate_tick_runs_only_on_the_turns_its_process_holds_the_lease(app, monkeypatch):
    from server.services import ticks

    ran = []
    monkeypatch.setattr(ticks, "refresh_all_estimates", lambda: ran.append(True))
    lease = _ScriptedLease([False, True, True, False, True])

    with pytest.raises(_Stop):
        ticks.tick_forever(app, 1, lease, _turns(5))

    assert len(ran) == 3


def test_two_processes_on_one_postgres_deployment_tick_once(app, monkeypatch, pg_engines):
    from server.services import ticks

    ran = []
    monkeypatch.setattr(ticks, "refresh_all_estimates", lambda: ran.append(True))
    leases = [PostgresLease(engine, "estimate-tick") for engine in pg_engines]
    try:
        for lease in leases:
            with pytest.raises(_Stop):
                ticks.tick_forever(app, 1, lease, _turns(3))
    finally:
        for lease in leases:
            lease.release()

    assert len(ran) == 3  # three turns each, and only the first process ran them


class _FlakyLease:
    """Fails once (the database went away for a moment), then holds."""

    def __init__(self):
        self.calls = 0

    def hold(self):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("connection lost")
        return True

    def release(self):
        pass


def test_the_estimate_tick_survives_a_turn_that_fails(app, monkeypatch):
    from server.services import ticks

    ran = []
    monkeypatch.setattr(ticks, "refresh_all_estimates", lambda: ran.append(True))
    monkeypatch.setattr(app.logger, "disabled", True)  # the failure is logged on purpose

    with pytest.raises(_Stop):
        ticks.tick_forever(app, 1, _FlakyLease(), _turns(3))

    assert len(ran) == 2
