#!/usr/bin/env python3
"""A data centre's inventory at full scale for `pusdata place` (issue #17 item 5), split over
files the way a real one is kept: one Site, racks in files of 1 000, placed devices in files
of 10 000 (every other file a kubectl `List`), and a file of new colocation requests.

    python3 tests/bench/inventory.py OUT --racks 10000 --placed 100000 --requests 10000
    target/release/pusdata place --inventory OUT/inventory --requests OUT/requests.yaml

Deterministic (seeded SplitMix64-like LCG): the same arguments give the same files.
"""
import argparse
import os

AGENCIES = ["disdukcapil", "bapenda", "dinkes", "disdik", "dishub", "bappeda", "dpmptsp",
            "diskominfostandi", "dlh", "dinsos", "disnaker", "dpupr", "bpbd", "satpolpp",
            "kesbangpol", "inspektorat", "bkpsdm", "setda", "setwan", "rsud"]


class Rng:
    def __init__(self, seed):
        self.x = seed & (2**64 - 1)

    def next(self):
        self.x = (self.x + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = self.x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


SITE = """apiVersion: pusdata.io/v1alpha1
kind: Site
metadata:
  name: dc-bekasi
spec:
  displayName: Pusat Data Kota Bekasi
  role: Primary
  city: Kota Bekasi
  province: Jawa Barat
  country: ID
  coordinates: { latitude: -6.2383, longitude: 106.9756 }
  tiaRating: 3
  addressPools:
    - { name: colo-server, cidr: 10.64.0.0/12, gateway: 10.64.0.1 }
"""


def rack(i):
    return f"""apiVersion: pusdata.io/v1alpha1
kind: Rack
metadata:
  name: r{i:05d}
spec:
  site: dc-bekasi
  room: R{i // 1000 + 1}
  row: "{chr(ord('A') + (i // 40) % 25)}"
  heightU: 42
  depthMm: 1070
  feedA: {{ name: PDU-{i:05d}-A, capacityWatts: 7400, maxUtilizationPercent: 80 }}
  feedB: {{ name: PDU-{i:05d}-B, capacityWatts: 7400, maxUtilizationPercent: 80 }}
  coolingWatts: 7000
  reservedUnits:
    - {{ fromU: 42, toU: 42, reason: patch panel }}
"""


def device(serial, height, watts, indent):
    p = " " * indent
    return (f"{p}device:\n{p}  manufacturer: Dell\n{p}  model: PowerEdge R660\n"
            f"{p}  serial: {serial}\n{p}  formFactor: Rackmount19\n{p}  heightU: {height}\n"
            f"{p}  depthMm: 822\n{p}  weightKg: 21\n{p}  psuCount: 2\n{p}  powerWatts: {watts}\n")


def placed(i, rack_no, pos):
    agency = AGENCIES[i % len(AGENCIES)]
    where = (f"{{ site: dc-bekasi, rack: r{rack_no:05d}, positionU: {pos}, heightU: 1, "
             f"feedA: PDU-{rack_no:05d}-A, feedB: PDU-{rack_no:05d}-B }}")
    return f"""apiVersion: pusdata.io/v1alpha1
kind: HostingRequest
metadata:
  name: placed-{i:06d}
  namespace: {agency}
spec:
  system: {{ name: Server {i}, agency: {agency}, dataClass: Internal }}
  mode: Colocation
  colocation:
    site: dc-bekasi
    addresses: 0
{device(f"PL{i:07d}", 1, 150, 4)}  software:
    os: {{ name: Ubuntu Server, version: "24.04", license: GPL-2.0-only }}
  dr: {{ plan: bekasi, tier: tier-3-office }}
status:
  phase: Placed
  placementSummary: dc-bekasi/r{rack_no:05d} U{pos}
  rackPlacement: {where}
  workOrder:
    id: WO-{i + 1:012d}
    placement: {where}
    addresses: []
    escortRequired: true
    state: Done
"""


def request(i, rng):
    agency = AGENCIES[rng.below(len(AGENCIES))]
    r = rng.below(10)
    height = 1 if r < 4 else (2 if r < 8 else 4)
    watts = 150 + rng.below(751)
    return f"""apiVersion: pusdata.io/v1alpha1
kind: HostingRequest
metadata:
  name: new-{i:05d}
  namespace: {agency}
spec:
  system: {{ name: Server baru {i}, agency: {agency}, dataClass: Internal }}
  mode: Colocation
  colocation:
    site: dc-bekasi
    addresses: 1
{device(f"NW{i:07d}", height, watts, 4)}  software:
    os: {{ name: Ubuntu Server, version: "24.04", license: GPL-2.0-only }}
  dr: {{ plan: bekasi, tier: tier-3-office }}
"""


def as_list(docs):
    body = ["apiVersion: v1", "kind: List", "items:"]
    for d in docs:
        lines = d.rstrip("\n").split("\n")
        body.append("- " + lines[0])
        body.extend("  " + line for line in lines[1:])
    return "\n".join(body) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--racks", type=int, default=10000)
    ap.add_argument("--placed", type=int, default=100000)
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    inv = os.path.join(a.out, "inventory")
    os.makedirs(os.path.join(inv, "racks"), exist_ok=True)
    os.makedirs(os.path.join(inv, "placed"), exist_ok=True)
    with open(os.path.join(inv, "site.yaml"), "w") as f:
        f.write(SITE)
    for n, start in enumerate(range(0, a.racks, 1000)):
        with open(os.path.join(inv, "racks", f"racks-{n:02d}.yaml"), "w") as f:
            f.write("---\n".join(rack(i) for i in range(start, min(start + 1000, a.racks))))
    # Placed devices spread evenly: device i in rack i % racks, stacked from U1.
    for n, start in enumerate(range(0, a.placed, 10000)):
        docs = [placed(i, i % a.racks, 1 + i // a.racks)
                for i in range(start, min(start + 10000, a.placed))]
        with open(os.path.join(inv, "placed", f"placed-{n:02d}.yaml"), "w") as f:
            f.write(as_list(docs) if n % 2 else "---\n".join(docs))
    rng = Rng(a.seed)
    with open(os.path.join(a.out, "requests.yaml"), "w") as f:
        f.write("---\n".join(request(i, rng) for i in range(a.requests)))


if __name__ == "__main__":
    main()
