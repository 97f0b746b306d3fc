"""The short failover run of `make chaos-ha` (python -m devtools.chaos_ha
--short): Redis with a replica and three sentinels, the primary SIGKILLed and
one worker host lost under a steady load of submissions and glossary edits.
With --hosts (where network namespaces can be made: root, iproute2) every
process is on a test host of its own and the primary's host is cut off from
the network too. Nothing acknowledged may be lost, stuck or duplicated."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devtools.hosts import Hosts
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("hosts", [False, True], ids=["loopback", "hosts"])
def test_short_failover_run_loses_nothing_acknowledged(tmp_path, hosts):
    if hosts and not Hosts.available():
        pytest.skip("network namespaces cannot be made here (needs root and iproute2's ip)")
    command = [sys.executable, "-m", "devtools.chaos_ha", "--short", "--out", str(tmp_path)]
    run = subprocess.run(
        command + (["--hosts"] if hosts else []), cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    print(run.stdout[-4000:])
    outcome = json.loads((tmp_path / "results.json").read_text())
    assert outcome["acknowledged"] > 0 and outcome["succeeded"] > 0
    assert outcome["lost"] == 0 and outcome["stuck"] == 0 and outcome["duplicated"] == 0
    assert outcome["wrong_results"] == 0
    assert outcome["glossary_edits_present"] == outcome["glossary_edits_acknowledged"] > 0
    assert outcome["responses_500"] == 0, outcome["server_errors_sample"]
    assert all(fault["recovered"] is not None for fault in outcome["faults"]), outcome["faults"]
    kills = [fault for fault in outcome["faults"] if fault["name"].startswith("primary")]
    assert kills and all(fault["failover"] is not None for fault in kills), kills
    assert run.returncode == 0, run.stderr[-4000:]
