"""Presence shared through real Redis: each SharedPresence stands for one server process."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest

from server.realtime import presence
from server.realtime.presence import DevicePresence, SharedPresence
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def prefix(redis_client):
    prefix = f"waitroom-test-{secrets.token_hex(6)}"
    yield prefix
    for key in redis_client.scan_iter(f"{prefix}*"):
        redis_client.delete(key)


def _process(redis_client, prefix, ttl=30.0):
    shared = SharedPresence(redis_client, prefix, ttl=ttl)
    shared.beat()  # what `waitroom serve` does when it starts, then every ttl/3
    return shared


def test_each_process_sees_the_screens_connected_to_the_other(redis_client, prefix):
    one, two = _process(redis_client, prefix), _process(redis_client, prefix)

    one.arrive("sid-1", "riverside", "main-hall", T0)
    two.arrive("sid-2", "riverside", "entrance", T0 + timedelta(minutes=1))
    two.arrive("sid-3", "other-site", "lobby", T0)

    expected = [
        DevicePresence("main-hall", T0, 1),
        DevicePresence("entrance", T0 + timedelta(minutes=1), 1),
    ]
    assert one.of_site("riverside") == expected
    assert two.of_site("riverside") == expected
    assert one.of_site("other-site") == [DevicePresence("lobby", T0, 1)]


def test_one_device_on_two_processes_counts_both_sockets_since_the_oldest(redis_client, prefix):
    one, two = _process(redis_client, prefix), _process(redis_client, prefix)

    one.arrive("sid-1", "riverside", "main-hall", T0 + timedelta(minutes=5))
    two.arrive("sid-2", "riverside", "main-hall", T0)

    assert one.of_site("riverside") == [DevicePresence("main-hall", T0, 2)]


def test_a_socket_that_leaves_is_gone_for_every_process(redis_client, prefix):
    one, two = _process(redis_client, prefix), _process(redis_client, prefix)
    one.arrive("sid-1", "riverside", "main-hall", T0)

    assert one.leave("sid-1") == "riverside"

    assert two.of_site("riverside") == []
    assert one.leave("sid-1") is None  # a second leave (or a phone's) is not a screen


def test_a_dead_process_drops_out_once_it_stops_beating(redis_client, prefix):
    dead, alive = _process(redis_client, prefix, ttl=1), _process(redis_client, prefix, ttl=1)
    dead.arrive("sid-1", "riverside", "main-hall", T0)
    alive.arrive("sid-2", "riverside", "entrance", T0)
    assert len(alive.of_site("riverside")) == 2

    time.sleep(0.7)
    alive.beat()  # the live process goes on beating; the dead one does not
    time.sleep(0.7)

    assert alive.of_site("riverside") == [DevicePresence("entrance", T0, 1)]


def test_a_beat_writes_the_process_sockets_again_after_redis_lost_them(redis_client, prefix):
    one, two = _process(redis_client, prefix), _process(redis_client, prefix)
    one.arrive("sid-1", "riverside", "main-hall", T0)
    for key in redis_client.scan_iter(f"{prefix}*"):
        redis_client.delete(key)  # e.g. Redis restarted without persistence
    assert two.of_site("riverside") == []

    one.beat()

    assert two.of_site("riverside") == [DevicePresence("main-hall", T0, 1)]


def test_a_clean_stop_takes_the_process_screens_out_at_once(redis_client, prefix):
    one, two = _process(redis_client, prefix), _process(redis_client, prefix)
    one.arrive("sid-1", "riverside", "main-hall", T0)

    one.stop()

    assert two.of_site("riverside") == []


def test_without_redis_a_process_still_knows_its_own_screens():
    import redis

    away = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.3)
    alone = SharedPresence(away, "waitroom-test")
    alone.beat()
    alone.arrive("sid-1", "riverside", "main-hall", T0)

    assert alone.of_site("riverside") == [DevicePresence("main-hall", T0, 1)]
    assert alone.leave("sid-1") == "riverside"


def test_the_registry_is_shared_through_redis_when_the_app_has_redis_url(prefix):
    from flask import Flask

    shared_app, local_app = Flask("shared"), Flask("local")
    shared_app.config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix)
    with shared_app.app_context():
        registry = presence.registry()
        assert isinstance(registry, SharedPresence)
        assert presence.registry() is registry
        registry.redis.close()
    with local_app.app_context():
        assert type(presence.registry()) is presence.Presence
