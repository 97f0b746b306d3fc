"""The operator scripts against a real redis-server."""

from __future__ import annotations

import subprocess
import time

import pytest
import redis

from tests.conftest import RedisServer
from tests.helpers import ROOT, free_port


@pytest.mark.slow
def test_redis_start_returns_only_once_the_data_is_loaded(tmp_path):
    """Before: it returned while Redis was still LOADING, and the first API
    request after a restart got a 500 (BusyLoadingError)."""
    port = free_port()
    seed = RedisServer(tmp_path, port=port)
    seed.start()
    client = redis.Redis(port=port, password=seed.password, socket_timeout=60)
    for batch in range(50):  # 1.5 million keys: loading them takes a noticeable moment
        client.eval("for i = 1, 30000 do redis.call('SET', 'k' .. ARGV[1] .. ':' .. i, string.rep('x', 64)) end",
                    0, batch)
    seed.stop()

    env = {"REDIS_PORT": str(port), "REDIS_DIR": str(tmp_path), "REDIS_PASSWORD": seed.password,
           "PATH": "/usr/local/bin:/usr/bin:/bin"}
    try:
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "start"], env=env, check=True, capture_output=True,
                       timeout=120)
        started = time.monotonic()
        assert client.dbsize() == 1_500_000  # raised BusyLoadingError before the fix
        assert time.monotonic() - started < 5
    finally:
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "stop"], env=env, capture_output=True)
