"""`celery` with the clock pinned where the tests' is (PINNED_NOW), for a real worker process.

    python -m tests.tasks.pinned_worker -A app.tasks.worker worker --queues heavy,mail,default

The test process runs on the pinned clock (conftest's `pinned_clock`), so the worker must too:
what it writes (a job's times, its progress heartbeat) is read back against that clock.
"""

from __future__ import annotations

import os
import sys

import time_machine

if __name__ == "__main__":
    time_machine.travel(os.environ["PINNED_NOW"], tick=True).start()  # the pool's forks keep it

    from celery.__main__ import main

    sys.exit(main())
