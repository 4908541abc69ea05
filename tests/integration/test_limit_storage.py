"""Where guess budgets and rate limits are counted: one store for all processes."""

import os
import subprocess
import sys

READ = "from server.config import Config; print(Config.RATELIMIT_STORAGE_URI)"


def storage_with(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI")}
    answer = subprocess.run(
        [sys.executable, "-c", READ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip()


def test_one_process_counts_in_memory():
    assert storage_with() == "memory://"


def test_several_processes_count_in_their_redis():
    assert storage_with(REDIS_URL="redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_a_named_store_wins():
    named = storage_with(REDIS_URL="redis://127.0.0.1:6379/0", RATELIMIT_STORAGE_URI="memory://")
    assert named == "memory://"
