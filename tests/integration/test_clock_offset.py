"""The offset clock a whole-server test moves through a file (server/clock.py)."""

from __future__ import annotations

from datetime import timedelta

from server import clock
from server.app import create_app
from server.config import TestConfig


def test_the_server_reads_its_time_moved_by_the_file(tmp_path):
    path = tmp_path / "offset"
    app = create_app({**_test_config(), "CLOCK_OFFSET_FILE": str(path)})
    with app.app_context():
        before = clock.system_now()
        assert abs(clock.now() - before) < timedelta(seconds=5)  # no file: no offset
        path.write_text("660")
        moved = clock.now() - clock.system_now()
        assert timedelta(seconds=655) < moved < timedelta(seconds=665)
        path.write_text("-30.5")  # rewritten (its size changed): read again
        moved = clock.now() - clock.system_now()
        assert timedelta(seconds=-35) < moved < timedelta(seconds=-25)


def test_without_the_setting_the_clock_is_the_systems():
    app = create_app(_test_config())
    assert "waitroom.clock" not in app.extensions


def _test_config():
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
