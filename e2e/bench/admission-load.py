#!/usr/bin/env python3
"""Open-loop HTTPS load on scopeguard's delete guard, from outside the operator's JVM.

Sends AdmissionReview POSTs at a fixed rate over keep-alive TLS connections (HTTP/1.1), the way
the API server calls a webhook, and prints latency percentiles. Standard library only.

    python3 e2e/bench/admission-load.py URL BODY_FILE [rate=1000] [seconds=30] [connections=8]
"""
import asyncio
import ssl
import sys
import time
from urllib.parse import urlparse


async def connection(host, port, path, body, context, queue, latencies, errors):
    reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=None)
    request = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    while True:
        scheduled = await queue.get()
        if scheduled is None:
            break
        try:
            writer.write(request)
            await writer.drain()
            status = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if b" 200 " not in status:
                errors.append(status)
            latencies.append(time.perf_counter() - scheduled)
        except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
            errors.append(repr(error))
            reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=None)


async def main():
    url = urlparse(sys.argv[1])
    body = open(sys.argv[2], "rb").read()
    rate = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    connections = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    queue, latencies, errors = asyncio.Queue(), [], []
    workers = [asyncio.create_task(connection(url.hostname, url.port, url.path, body, context, queue, latencies, errors))
               for _ in range(connections)]
    start = time.perf_counter()
    for i in range(rate * seconds):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(due)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(f"{len(latencies)} answered in {time.perf_counter() - start:.1f} s at {rate}/s over {connections} connections, "
          f"{len(errors)} errors: p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, max {latencies[-1] * 1000:.2f} ms")


asyncio.run(main())
