"""Redis with a replica and three sentinels (docs/ha.md), as `make up HA=1`
starts them through the launcher: real redis-server and redis-sentinel
processes on loopback. Clients find the primary through the sentinels and ride
a failover; a successful write request is answered only once the replica has
it; the broker goes through the sentinels too."""

from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import replace

import pytest
import redis

import launcher
from config import Settings
from jobs.redis_client import Target, connect
from jobs.replication import NotReplicated, Replication
from service import create_app
from tests.helpers import free_port, keyed_client, wait_until
from workers.celery_app import TRANSLATE_QUEUE, create_celery, send_translation


class HaRedis:
    """A primary, a replica and three sentinels of a test's own."""

    def __init__(self, directory):
        self.password = secrets.token_hex(16)
        self.place = launcher.Place(
            var=directory,
            port=free_port(),
            redis_port=free_port(),
            replica_port=free_port(),
            sentinel_ports=(free_port(), free_port(), free_port()),
        )
        self.stack = launcher.Stack(self.place, {**os.environ, "REDIS_PASSWORD": self.password})

    def start(self) -> HaRedis:
        self.stack.start("redis", wait=30)
        self.stack.start("replica", wait=30)
        for index in range(len(self.place.sentinel_ports)):
            self.stack.start("sentinel", f"sentinel-{index}", wait=30, index=index)
        return self

    def settings(self, **overrides) -> Settings:
        return replace(
            Settings(),
            redis_url=f"redis://:{self.password}@unused:1/0",
            redis_sentinels=tuple(self.place.sentinels.split(",")),
            **overrides,
        )

    def primary_port(self) -> int:
        reply = self.stack.redis_client(port=self.place.sentinel_ports[0]).execute_command(
            "SENTINEL", "get-master-addr-by-name", launcher.commands.MASTER_NAME
        )
        return int(reply[1])

    def key_of(self, port: int) -> str:
        return "redis" if port == self.place.redis_port else "replica"

    def kill_primary(self) -> int:
        port = self.primary_port()
        key = self.key_of(port)
        self.stack.signal(key, signal.SIGKILL)
        self.stack.processes[key].wait(10)
        return port


@pytest.fixture()
def ha(tmp_path):
    found = HaRedis(tmp_path).start()
    yield found
    found.stack.stop_all()


def test_clients_find_the_primary_through_the_sentinels_and_ride_a_failover(ha):
    client = connect(ha.settings(), patient=True)
    client.set("before", "kept")
    Replication(client, 1, 2000).confirm()  # on the replica before the primary dies
    old = ha.kill_primary()
    started = time.monotonic()
    client.set("after", "written")  # retried until the sentinels have promoted the replica
    failover = time.monotonic() - started
    assert ha.primary_port() != old
    assert client.get("before") == b"kept" and client.get("after") == b"written"
    assert failover < 20, failover
    # The old primary, started again (a supervisor, compose's restart policy),
    # rejoins as a replica of the new one, and writes are confirmed again.
    ha.stack.start(ha.key_of(old), wait=30)
    wait_until(lambda: _confirms(client), timeout=30, what="the old primary rejoined as a replica")
    assert ha.stack.redis_client(port=old).get("after") == b"written"


def _confirms(client) -> bool:
    try:
        Replication(client, 1, 500).confirm()
        return True
    except NotReplicated:
        return False


def _replica_in_sync(ha) -> None:
    """Answering PING is not being in sync (a failover earlier in the module leaves a
    resync behind): wait until the primary counts its replica online."""
    primary = ha.stack.redis_client(port=ha.primary_port())
    wait_until(
        lambda: (primary.info("replication").get("slave0") or {}).get("state") == "online",
        30,
        what="the replica to catch up with the primary",
    )


def test_a_write_request_is_answered_only_once_a_replica_has_it(ha, model_dirs):
    # 2 s: room for a loaded 2-core machine; a stopped replica still answers nothing in it.
    app = create_app(
        ha.settings(argos_packages_dir=str(model_dirs["identity"]), redis_ack_replicas=1, redis_ack_timeout_ms=2000)
    )
    client = keyed_client(app)
    _replica_in_sync(ha)
    created = client.post("/v1/glossaries", json={"name": "desk", "source_lang": "en"})
    assert created.status_code == 201, created.get_json()
    glossary = created.get_json()["id"]
    # The replica holds it as the client is told so.
    replica = ha.stack.redis_client(port=ha.place.replica_port)
    assert replica.get("replication:marker") is not None

    ha.stack.stop("replica")
    refused = client.post("/v1/glossaries", json={"name": "desk 2", "source_lang": "en"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    assert "may not survive a failover" in refused.get_json()["detail"]
    # Reads do not wait for anything.
    assert client.get(f"/v1/glossaries/{glossary}").status_code == 200
    ha.stack.start("replica", wait=30)
    _replica_in_sync(ha)
    again = client.post("/v1/glossaries", json={"name": "desk 3", "source_lang": "en"})
    assert again.status_code == 201, again.get_json()


def test_a_lone_redis_never_waits(redis_server, model_dirs):
    """REDIS_ACK_REPLICAS=0 (the default: one Redis): no WAIT, no marker."""
    settings = replace(Settings(), redis_url=f"{redis_server.url}/30", argos_packages_dir=str(model_dirs["identity"]))
    client = connect(settings, patient=False)
    client.flushdb()
    assert Replication.from_settings(client, settings).confirm() == 0.0
    assert client.get("replication:marker") is None


def test_the_broker_goes_through_the_sentinels(ha):
    settings = ha.settings()
    broker, options = Target.from_settings(settings).celery_broker()
    assert broker.count("sentinel://") == 3 and options["master_name"] == settings.redis_master_name
    app = create_celery(settings)
    assert app.conf.broker_transport_options["master_name"] == settings.redis_master_name
    assert app.conf.broker_transport_options["visibility_timeout"] == settings.visibility_timeout
    send_translation(app, "job", "de", None)
    primary = ha.stack.redis_client(port=ha.primary_port())
    assert primary.llen(TRANSLATE_QUEUE) == 1


def test_sentinels_and_data_nodes_require_the_password(ha):
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=ha.place.sentinel_ports[0]).execute_command(
            "SENTINEL", "get-master-addr-by-name", launcher.commands.MASTER_NAME
        )
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=ha.place.replica_port).get("x")
