"""A stand-in for a crawl-and-score job, run by the scheduler under test (STANCEWATCH_JOB_COMMAND).

Its behaviour depends on the job's sources: "crash" exits 3, "hang" sleeps for ten minutes, "slow"
takes 1.5 s; anything else succeeds at once. Every start and end is appended to $FAKE_JOB_RECORD.
"""

import json
import os
import sys
import time
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
if "slow" in sources:
    time.sleep(1.5)
note("end")
