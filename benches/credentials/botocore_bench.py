"""botocore's side of benches/credentials: session creation + first credentials.

Run by the benchmark binary (src/main.rs), which sets HOME (a ~/.aws with profile `chain`, a
two-hop assume-role chain) and AWS_ENDPOINT_URL_STS (its STS stub on 127.0.0.1), then:

    python botocore_bench.py N

prints `botocore <version> (Python <version>)`, runs 3 warm-up iterations, prints `warm`, waits for
a line on stdin (the benchmark snapshots its stub's counters), runs N timed iterations, each with a
fresh `botocore.session.Session(profile="chain")` and `get_credentials().get_frozen_credentials()`,
and prints `elapsed_ns <total>` (time.perf_counter_ns over the N iterations).
"""

import platform
import sys
import time

import botocore
import botocore.session

EXPECTED = "ASIAJEXAMPLEXEG2JICEA"


def once():
    session = botocore.session.Session(profile="chain")
    creds = session.get_credentials().get_frozen_credentials()
    if creds.access_key != EXPECTED:
        raise SystemExit(f"botocore got {creds.access_key!r}, expected {EXPECTED!r}")


def main():
    n = int(sys.argv[1])
    print(f"botocore {botocore.__version__} (Python {platform.python_version()})", flush=True)
    for _ in range(3):
        once()
    print("warm", flush=True)
    sys.stdin.readline()
    start = time.perf_counter_ns()
    for _ in range(n):
        once()
    elapsed = time.perf_counter_ns() - start
    print(f"elapsed_ns {elapsed}", flush=True)


if __name__ == "__main__":
    main()
