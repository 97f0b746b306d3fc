"""The one launcher of the stack (launcher/): docker-compose.yml starts the
same commands, the front's nginx.conf is valid and agrees with the app's
limits, and Redis counts as started only once it has loaded its data."""

from __future__ import annotations

import subprocess
import time

import pytest
import redis

import launcher
from launcher import __main__ as cli
from tests.conftest import RedisServer
from tests.helpers import SECRETS, compose, free_port


def test_compose_runs_every_process_through_the_launcher(monkeypatch):
    monkeypatch.delenv("REDIS_MAXMEMORY", raising=False)  # compose's default, and the launcher's
    services = compose(SECRETS)["services"]
    assert set(services) == set(launcher.NAMES)
    redis_image = {"redis", *launcher.commands.HA_NAMES}
    for name in set(launcher.NAMES) - redis_image:
        assert services[name]["command"] == ["python", "-m", "launcher", "run", name, "--container"], name
    # Redis and Sentinel run from Redis's image (no Python there): after the
    # script that writes the password file (and node.conf, or sentinel.conf),
    # the launcher's own command, word for word.
    for name in redis_image:
        shell, flag, script, zero, *command = services[name]["command"]
        assert (shell, flag, zero) == ("sh", "-c", name) and script.endswith('exec "$@"'), name
        assert command == launcher.argv(name, cli.container_place(), **cli.options(name, cli.container_place()))
    assert services["redis"]["command"][-2:] == ["--maxmemory", "1gb"]
    # The highly available part runs only with its profile.
    assert all(services[name]["profiles"] == ["ha"] for name in launcher.commands.HA_NAMES)
    assert services["sentinel"]["deploy"]["replicas"] == 3


@pytest.mark.parametrize("name", [name for name in launcher.NAMES if name not in launcher.commands.HA_NAMES])
def test_run_becomes_the_launchers_command(name, monkeypatch, tmp_path):
    """`python -m launcher run NAME --container` (compose's entry point) execs
    what `argv NAME --container` prints; the API trusts the front's headers."""
    seen = {}

    def execvpe(file, args, env):
        seen.update(file=file, args=args, env=env)

    place = launcher.Place(var=tmp_path, port=8080, redis_port=6379, container=True, listen="8080")
    monkeypatch.setattr(cli.os, "execvpe", execvpe)
    monkeypatch.setattr(cli, "write_front_conf", lambda place, max_body: None)  # /tmp/front: the container's
    monkeypatch.delenv("PROXY_HOPS", raising=False)
    cli.run(name, place)
    assert seen["args"] == launcher.argv(name, place, **cli.options(name, place))
    assert seen["file"] == seen["args"][0]
    assert (seen["env"].get("PROXY_HOPS") == "1") == (name == "api")


def test_the_front_config_is_valid_and_refuses_what_the_app_refuses(tmp_path):
    place = launcher.Place(var=tmp_path, port=free_port(), redis_port=0)
    running = launcher.Stack(place)
    running._prepare_front({"MAX_BODY_BYTES": "12345"})
    conf = (tmp_path / "run" / f"front-{place.port}" / "nginx.conf").read_text()
    assert "client_max_body_size 12345;" in conf and "proxy_request_buffering on;" in conf
    assert f"server unix:{place.socket};" in conf and f"listen 127.0.0.1:{place.port};" in conf
    # Every refusal of nginx's own is a problem document.
    for status in launcher.commands.FRONT_PROBLEMS:
        assert f"error_page {status} ={status} /.front/{status};" in conf
    check = subprocess.run(launcher.argv("front", place, extra=("-t",)), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.slow
def test_redis_counts_as_started_only_once_the_data_is_loaded(tmp_path):
    """Before: `start` returned while Redis was still LOADING, and the first API
    request after a restart got a 500 (BusyLoadingError)."""
    port = free_port()
    seed = RedisServer(tmp_path, port=port)
    seed.start()
    client = redis.Redis(port=port, password=seed.password, socket_timeout=60)
    for batch in range(50):  # 1.5 million keys: loading them takes a noticeable moment
        client.eval(
            "for i = 1, 30000 do redis.call('SET', 'k' .. ARGV[1] .. ':' .. i, string.rep('x', 64)) end", 0, batch
        )
    seed.stop()
    seed.start()
    try:
        started = time.monotonic()
        assert client.dbsize() == 1_500_000  # raised BusyLoadingError before the fix
        assert time.monotonic() - started < 5
    finally:
        seed.stop()
