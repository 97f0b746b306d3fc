"""The one launcher of the stack: Redis (with `HA=1` also its replica and
three sentinels, docs/ha.md), the API under gunicorn, the article worker, the
interactive worker and the nginx front.

`commands` says how each process starts (its argv, the front's nginx.conf);
`stack.Stack` starts them, waits until each is ready and stops them. `make
up`/`down`/`demo` (python -m launcher), the tests' fixtures, the benchmark,
the fault suite and docker-compose.yml all go through here.
"""

from launcher.commands import NAMES, Place, argv, free_port, front_conf
from launcher.stack import NotReady, Stack

__all__ = ["NAMES", "NotReady", "Place", "Stack", "argv", "free_port", "front_conf"]
