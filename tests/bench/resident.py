#!/usr/bin/env python3
"""Resident pages of a process's own executable, by ELF section and (with --crates) by
the crate its .text symbols belong to (docs/benchmarks.md, operator at city scale).
usage: resident.py PID [--crates]   (as root: /proc/PID/pagemap)"""
import os, re, struct, subprocess, sys, collections, bisect
pid = sys.argv[1]
exe = os.readlink(f"/proc/{pid}/exe")
maps = []
for line in open(f"/proc/{pid}/maps"):
    parts = line.split()
    if len(parts) >= 6 and parts[5] == exe:
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        maps.append((lo, hi, int(parts[2], 16), parts[1]))
pm = open(f"/proc/{pid}/pagemap", "rb")
present = []  # file offsets of present pages
anon = 0
for lo, hi, off, perm in maps:
    n = (hi - lo) // 4096
    pm.seek(lo // 4096 * 8)
    data = pm.read(n * 8)
    for i in range(n):
        (v,) = struct.unpack_from("<Q", data, i * 8)
        if v >> 63 & 1:
            if v >> 61 & 1:  # file-page / shared-anon
                present.append(off + i * 4096)
            else:
                anon += 1
secs = []
for line in subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
    if m:
        name, addr, off, size = m.group(1), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16)
        if size and addr:
            secs.append((off, off + size, name, addr))
by_sec = collections.Counter()
text = [s for s in secs if s[2] == ".text"]
text_pages = []
for o in present:
    for s in secs:
        if s[0] <= o < s[1] or (s[0] // 4096 * 4096 <= o < s[1]):
            by_sec[s[2]] += 1
            if s[2] == ".text":
                text_pages.append(o - s[0] + s[3])
            break
    else:
        by_sec["(other)"] += 1
print(f"exe {exe}: file-backed resident {len(present)*4/1024:.1f} MiB, private-dirty {anon*4/1024:.1f} MiB")
for k, v in by_sec.most_common():
    print(f"  {k:24s} {v*4/1024:8.1f} MiB")
if "--crates" in sys.argv and text:
    syms = []
    out = subprocess.run(["nm", "-n", "-C", "--defined-only", exe], capture_output=True, text=True).stdout
    for line in out.splitlines():
        p = line.split(" ", 2)
        if len(p) == 3 and p[1] in "tTwW":
            name = p[2]
            n = name.lstrip("<_").replace("impl ", "")
            crate = re.split(r"::|<| |\[", n, 1)[0] or "?"
            syms.append((int(p[0], 16), crate))
    addrs = [a for a, _ in syms]
    tot = collections.Counter(); res = collections.Counter()
    # bytes of text per crate (by symbol spans)
    for i, (a, c) in enumerate(syms[:-1]):
        tot[c] += syms[i + 1][0] - a
    for p in text_pages:
        i = bisect.bisect_right(addrs, p) - 1
        if i >= 0:
            res[syms[i][1]] += 1
    print("crate                      resident MiB   text MiB")
    for c, v in res.most_common(30):
        print(f"  {c:26s} {v*4/1024:8.1f} {tot[c]/2**20:10.1f}")
