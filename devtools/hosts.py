"""Test "hosts" on this one machine: Linux network namespaces, each with an
address of its own on a private bridge, for `make chaos-ha --hosts` and the
tests that need Redis, the API and workers on separate hosts (docs/ha.md).

    switch namespace  nr27-sw: bridge br0
    host namespaces   nr27-NAME: eth0 = 10.200.27.N/24 (veth to br0), lo up
    this namespace    nr27-root = 10.200.27.1/24 (veth to br0): the tests,
                      the front and the webhook receiver reach the hosts here

Traffic stays inside this machine: the addresses are the namespaces' own and
no route leads elsewhere. `partition(NAME)` takes a host's cable out of the
bridge (its link down on the switch side); `heal(NAME)` puts it back. Needs
root (CAP_NET_ADMIN) and iproute2's `ip`; `Hosts.available()` says whether
namespaces can be made here.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

PREFIX = "nr27"
SUBNET = "10.200.27"
SWITCH = f"{PREFIX}-sw"


def ip(*args: str, netns: str = "") -> None:
    command = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")


@dataclass
class Hosts:
    names: tuple[str, ...]
    addresses: dict[str, str] = field(default_factory=dict)
    root_address: str = f"{SUBNET}.1"

    @staticmethod
    def available() -> bool:
        probe = f"{PREFIX}-probe"
        made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
        if made:
            subprocess.run(["ip", "netns", "del", probe], capture_output=True)
        return made

    def netns(self, name: str) -> str:
        return f"{PREFIX}-{name}"

    def create(self) -> Hosts:
        self.destroy()  # what an interrupted run left
        ip("netns", "add", SWITCH)
        ip("link", "add", "br0", "type", "bridge", netns=SWITCH)
        ip("link", "set", "br0", "up", netns=SWITCH)
        self._cable("root", "")
        ip("addr", "add", f"{self.root_address}/24", "dev", f"{PREFIX}-root")
        for number, name in enumerate(self.names, start=11):
            namespace = self.netns(name)
            ip("netns", "add", namespace)
            ip("link", "set", "lo", "up", netns=namespace)
            self._cable(name, namespace)
            self.addresses[name] = f"{SUBNET}.{number}"
            ip("addr", "add", f"{self.addresses[name]}/24", "dev", "eth0", netns=namespace)
        return self

    def _cable(self, name: str, namespace: str) -> None:
        """A veth pair: one end in the host (eth0; here: PREFIX-root), the other on the bridge."""
        inside, outside = f"{PREFIX}-{name}"[:15], f"{PREFIX}-{name}-b"[:15]
        ip("link", "add", inside, "type", "veth", "peer", "name", outside)
        ip("link", "set", outside, "netns", SWITCH)
        ip("link", "set", outside, "master", "br0", "up", netns=SWITCH)
        if namespace:
            ip("link", "set", inside, "netns", namespace)
            ip("link", "set", inside, "name", "eth0", netns=namespace)
            ip("link", "set", "eth0", "up", netns=namespace)
        else:
            ip("link", "set", inside, "up")

    def partition(self, name: str) -> None:
        ip("link", "set", f"{PREFIX}-{name}-b"[:15], "down", netns=SWITCH)

    def heal(self, name: str) -> None:
        ip("link", "set", f"{PREFIX}-{name}-b"[:15], "up", netns=SWITCH)

    def destroy(self) -> None:
        # Deleting a namespace deletes its veth ends, and with them their peers.
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
        for namespace in [n for n in listed if n.startswith(f"{PREFIX}-")]:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", f"{PREFIX}-root"], capture_output=True)

    def __enter__(self) -> Hosts:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.destroy()
