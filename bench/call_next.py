"""Call-next round trip: API → cloud broker → bridge → office broker → hub → ack → API.

Starts the real stack (two mosquittos with the bridge, the cloud service and
the demo hub with simulated devices, each its own process), issues tickets
through the hub's simulated kiosk, then calls them one by one through the
cloud API and prints p50 / p90 / p99 / max of the round trip.

    .venv/bin/python bench/call_next.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import ROOT, percentile, staff_headers, start_cloud, start_hub, stop  # noqa: E402
from broker.stack import start_cloud_broker, start_office_broker  # noqa: E402

KIOSK_PIN = {"ho-tich": 17, "chung-thuc": 22, "kinh-doanh": 23, "dat-dai": 27}
COUNTER_FIELDS = {1: "ho-tich", 2: "dat-dai", 3: "kinh-doanh"}
#: The bench account's unit: Phường Sài Gòn (cloud/data/province.yaml), so the office is in its read scope
#: (cloud/domain/scope.py); a unit outside the province sees no office and every call answers 404.
UNIT = "hcm.sai_gon"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-call-next-") as tmp:
        run(Path(tmp), args.calls)


def run(tmp: Path, calls: int) -> None:
    cloud_broker = start_cloud_broker(tmp / "cloud-broker")
    office = start_office_broker(tmp / "office-broker", "sai-gon", cloud=cloud_broker)
    processes = []
    try:
        cloud, cloud_url = start_cloud(tmp / "cloud", cloud_broker.port, cloud_broker.service_username,
                                       cloud_broker.service_password, ROOT / "firmware_configs")
        processes.append(cloud)
        hub, hub_url = start_hub(tmp / "edge", ROOT / "firmware_configs" / "sai-gon.yaml", office.port, office.hub_password)
        processes.append(hub)
        with httpx.Client(timeout=30, headers=staff_headers(tmp / "cloud", unit=UNIT)) as client:
            started = time.perf_counter()
            for i in range(calls):
                field = COUNTER_FIELDS[1 + i % 3]
                # The virtual office takes presses from its own page only (docs/devices.md): say we are it.
                client.post(f"{hub_url}/sim/pins/{KIOSK_PIN[field]}/press",
                            headers={"Origin": hub_url}).raise_for_status()
            issue_s = time.perf_counter() - started
            print(f"issued {calls} tickets through the simulated kiosk in {issue_s:.1f}s")
            # wait for the cloud to have seen the hub online
            for _ in range(200):
                office_view = client.get(f"{cloud_url}/api/v1/offices/sai-gon")
                office_view.raise_for_status()
                if office_view.json()["online"]:
                    break
                time.sleep(0.05)
            latencies = []
            failures = 0
            started = time.perf_counter()
            for i in range(calls):
                counter = 1 + i % 3
                t0 = time.perf_counter()
                response = client.post(f"{cloud_url}/api/v1/offices/sai-gon/counters/{counter}/call-next")
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    failures += 1
                    if failures <= 3:
                        print(f"  call {i}: {response.status_code} {response.text[:200]}")
            total_s = time.perf_counter() - started
    finally:
        for process in reversed(processes):
            stop(process)
        office.stop()
        cloud_broker.stop()
    print(f"call-next round trip (API → cloud broker → bridge → office broker → hub → ack → API), {calls} calls:")
    print(f"  p50 {percentile(latencies, 50):.1f} ms   p90 {percentile(latencies, 90):.1f} ms   "
          f"p99 {percentile(latencies, 99):.1f} ms   max {max(latencies):.1f} ms")
    print(f"  {calls / total_s:.0f} calls/s sequential, failures: {failures}")
    print(f"  target p99 < 50 ms: {'met' if percentile(latencies, 99) < 50 and not failures else 'NOT met'}")


if __name__ == "__main__":
    main()
