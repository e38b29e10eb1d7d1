"""A stand-in for a crawl-and-score job, run by the scheduler under test (STANCEWATCH_JOB_COMMAND).

Its behaviour depends on the job's sources: "crash" exits 3, "hang" sleeps for ten minutes, "slow"
takes 1.5 s, "stubborn" opens a 'running' crawl run in $FAKE_JOB_DB as a crawl does and then ignores
SIGTERM (so only SIGKILL stops it); anything else succeeds at once. Every start and end is appended to
$FAKE_JOB_RECORD.
"""

import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

job = os.environ["STANCEWATCH_JOB_ID"]
sources = os.environ["STANCEWATCH_JOB_SOURCES"]
record = Path(os.environ["FAKE_JOB_RECORD"])


def note(event: str) -> None:
    with record.open("a") as fh:
        fh.write(json.dumps({"job": job, "sources": sources, "pid": os.getpid(), "t": time.time(),
                             "event": event}) + "\n")


note("start")
print(f"fake job {job} for {sources or 'all'}", flush=True)
if "crash" in sources:
    print("Traceback (most recent call last): RuntimeError: boom", flush=True)
    sys.exit(3)
if "hang" in sources:
    time.sleep(600)
if "stubborn" in sources:
    from crawler.runs import current_owner
    from warehouse import writer

    owner = current_owner()
    with writer(Path(os.environ["FAKE_JOB_DB"])) as w:
        w.execute("crawl_run_start", {"id": f"crawl-{job}", "started_at": datetime.now(UTC).replace(tzinfo=None),
                                      "trigger": f"job:{job}", "sources": [sources], "host": owner.host,
                                      "pid": owner.pid, "pid_started_at": owner.started_at})
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    note("running")
    time.sleep(600)
if "slow" in sources:
    time.sleep(1.5)
note("end")
