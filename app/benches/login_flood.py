#!/usr/bin/env python3
"""Peak memory of `spotcheck serve` under a login flood.

Starts the given `spotcheck` binary on a fresh SQLite database with one user,
sends logins from many concurrent clients for a while, and reports the
server's resident memory: before, at its peak (VmHWM) and after the flood,
with how the logins were answered. Linux only (reads /proc).

    cargo build --release
    python3 app/benches/login_flood.py --binary target/release/spotcheck \
        --clients 200 --seconds 30
"""

import argparse
import collections
import http.client
import json
import os
import subprocess
import tempfile
import threading
import time

PASSWORD = "Correct-Horse-42"


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def start(binary, env):
    server = subprocess.Popen(
        [binary, "serve", "--bind", "127.0.0.1:0", "--no-jobs"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in server.stdout:
        if "listening on http://" in line:
            address = line.split("listening on http://")[1].split("/")[0]
            host, port = address.rsplit(":", 1)
            return server, host, int(port)
    raise SystemExit("the server did not start")


def flood(host, port, deadline, counts, lock):
    body = json.dumps({"username": "flood", "password": PASSWORD})
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection(host, port, timeout=60)
    while time.monotonic() < deadline:
        try:
            connection.request("POST", "/api/v1/auth/login", body, headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
            status = "error"
        with lock:
            counts[status] += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/spotcheck")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="spotcheck-flood-")
    env = dict(os.environ)
    env["SPOTCHECK_DATABASE_URL"] = f"sqlite://{workdir}/flood.db?mode=rwc"
    env["RUST_LOG"] = "warn"
    subprocess.run(
        [args.binary, "user", "add", "--username", "flood", "--role", "leader"],
        input=PASSWORD + "\n",
        env=env,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server, host, port = start(args.binary, env)
    try:
        time.sleep(1.0)
        before = rss_kib(server.pid, "VmRSS")
        counts = collections.Counter()
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=flood, args=(host, port, deadline, counts, lock))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        samples = []
        while any(thread.is_alive() for thread in threads):
            samples.append(rss_kib(server.pid, "VmRSS"))
            time.sleep(0.2)
        time.sleep(5.0)
        result = {
            "clients": args.clients,
            "seconds": args.seconds,
            "answers": {str(k): v for k, v in sorted(counts.items(), key=str)},
            "rss_before_mib": round(before / 1024, 1),
            "rss_peak_mib": round(rss_kib(server.pid, "VmHWM") / 1024, 1),
            "rss_sampled_max_mib": round(max(samples, default=0) / 1024, 1),
            "rss_after_mib": round(rss_kib(server.pid, "VmRSS") / 1024, 1),
        }
        print(json.dumps(result, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
