#!/usr/bin/env python3
"""The linker's symbol order for the `pusdata` executable: the functions the operator runs,
laid out together at the start of `.text` (operator/build.rs passes the file to the linker).

Why: the operator's resident memory counts every page of code it has touched. Without an
order, the ~4 300 functions a start and a settled operator run (5.6 MiB of code) are spread
over the 49 MiB `.text` next to code that never runs (the mover, the DRC agent, the CLI),
and ~20 MiB of code pages stay resident (docs/benchmarks.md, operator at city scale).

  symbol-order.py profile --operator BIN --world BIN [--target BIN] [--out FILE]
      Runs the operator under Valgrind's callgrind against `pusdata bench operator-world`
      (served by the --world binary, a build with --features bench-world): a first start
      until settled and idle, then a restart over the same world. Writes the functions that
      ran, as symbols of --target (default: --operator), sorted, to --out
      (default operator/link/symbol-order.txt).
  symbol-order.py rekey --profile FILE... --target BIN [--out FILE]
      The same from callgrind files already recorded, or from an order written earlier, for
      another build of the same source: a name the target lacks is matched without ThinLTO's
      `.llvm.<n>` suffix (a codegen unit whose content changed), else without its hashes
      (approximate: every instantiation of the same path).
  symbol-order.py coverage --target BIN [--order FILE]
      How many of the listed functions BIN defines: a stale order (after a compiler update,
      or much changed code) lays out fewer of them. Regenerate below ~90 %.

--target must be built like the image's binary (`cargo build --locked --release -p pusdata
--bin pusdata`, no profile overrides): Rust's symbol hashes depend on the compiler version,
the crate's features and the profile's settings.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ORDER = os.path.join(ROOT, "operator", "link", "symbol-order.txt")

# ThinLTO suffixes the local symbols it promotes with `.llvm.<digits>`, which changes with
# the content of their codegen unit.
LLVM = re.compile(r"\.llvm\.\d+$")

# Legacy mangling ends a path with a 16-digit hash (`17h<hex>E`); v0 names carry crate
# disambiguators (`Cs<base62>_`). Neither survives a change of features or profile.
HASHES = [
    (re.compile(r"17h[0-9a-f]{16}E"), "E"),
    (re.compile(r"Cs[0-9A-Za-z]+_"), "Cs_"),
]


def local(name):
    """`name` without ThinLTO's suffix."""
    return LLVM.sub("", name)


def key(name):
    """`name` without any build's hashes."""
    name = local(name)
    for pattern, repl in HASHES:
        name = pattern.sub(repl, name)
    return name


def rust(name):
    return name.startswith("_ZN") or name.startswith("_R")


def text_symbols(binary):
    out = subprocess.run(
        ["nm", "--defined-only", binary], check=True, capture_output=True, text=True
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW" and rust(parts[2]):
            names.add(parts[2])
    return names


def ran(callgrind_files):
    names = set()
    for path in callgrind_files:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("fn=") or line.startswith("cfn="):
                    name = line.split("=", 1)[1].strip()
                    if rust(name):
                        names.add(name)
                elif rust(line.strip()):
                    # A symbol order written earlier: one name per line.
                    names.add(line.strip())
    return names


def rustc_version():
    return subprocess.run(
        ["rustc", "--version"], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()


def write(order, target, profiled, out):
    defined = text_symbols(target)
    by_key, by_local = {}, {}
    for name in defined:
        by_key.setdefault(key(name), []).append(name)
        by_local.setdefault(local(name), []).append(name)
    chosen = set()
    for name in profiled:
        if name in defined:
            chosen.add(name)
        elif local(name) in by_local:
            # The same function, renamed by ThinLTO: a codegen unit whose content moved.
            chosen.update(by_local[local(name)])
        else:
            # Another build's name: every instantiation of the same path (approximate).
            chosen.update(by_key.get(key(name), []))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(
            "# The functions `pusdata operator` runs (a first start against 1 000 objects of\n"
            "# `bench operator-world`, settled and idle, then a restart), which the linker lays\n"
            "# out first in .text (operator/build.rs). Generated by tests/bench/symbol-order.py;\n"
            f"# {order}\n"
        )
        for name in sorted(chosen):
            f.write(name + "\n")
    print(
        f"symbol-order: {len(profiled)} functions ran, {len(chosen)} symbols of {target} "
        f"written to {out}",
        file=sys.stderr,
    )


def kubeconfig(directory, port):
    path = os.path.join(directory, "kubeconfig")
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: world\n  cluster:\n"
            f"    server: http://127.0.0.1:{port}\ncontexts:\n- name: world\n  context:\n"
            "    cluster: world\n    user: bench\n    namespace: pusdata-system\n"
            "users:\n- name: bench\n  user: {}\ncurrent-context: world\n"
        )
    return path


def callgrind(binary, config, out, identity, seconds):
    env = dict(os.environ, KUBECONFIG=config, RUST_LOG="error")
    proc = subprocess.Popen(
        [
            "valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=no",
            "--compress-strings=no", "--compress-pos=no", f"--callgrind-out-file={out}",
            binary, "operator", "--lease-name", "pusdata-operator", "--identity", identity,
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    return out


def profile(args):
    with tempfile.TemporaryDirectory() as tmp:
        world = subprocess.Popen(
            [args.world, "bench", "operator-world", "--objects", str(args.objects),
             "--agencies", str(args.agencies)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            line = world.stdout.readline()
            port = line.strip().rsplit(":", 1)[-1]
            if not port.isdigit():
                sys.exit(f"symbol-order: the world did not say where it listens: {line!r}")
            config = kubeconfig(tmp, port)
            files = [
                callgrind(args.operator, config, os.path.join(tmp, "first.cg"), "order-a",
                          args.seconds),
                callgrind(args.operator, config, os.path.join(tmp, "restart.cg"), "order-b",
                          args.seconds // 2),
            ]
            profiled = ran(files)
        finally:
            world.terminate()
            world.wait(timeout=30)
    write(rustc_version(), args.target or args.operator, profiled, args.out)


def coverage(args):
    listed = [
        line.strip()
        for line in open(args.order, encoding="utf-8")
        if line.strip() and not line.startswith("#")
    ]
    defined = text_symbols(args.target)
    found = sum(1 for name in listed if name in defined)
    share = found / len(listed) if listed else 0.0
    print(f"symbol-order: {found} of {len(listed)} listed functions are in {args.target} "
          f"({share:.1%})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pr = sub.add_parser("profile")
    pr.add_argument("--operator", required=True)
    pr.add_argument("--world", required=True)
    pr.add_argument("--target")
    pr.add_argument("--objects", type=int, default=1000)
    pr.add_argument("--agencies", type=int, default=100)
    pr.add_argument("--seconds", type=int, default=180)
    pr.add_argument("--out", default=DEFAULT_ORDER)
    rk = sub.add_parser("rekey")
    rk.add_argument("--profile", nargs="+", required=True)
    rk.add_argument("--target", required=True)
    rk.add_argument("--out", default=DEFAULT_ORDER)
    cv = sub.add_parser("coverage")
    cv.add_argument("--target", required=True)
    cv.add_argument("--order", default=DEFAULT_ORDER)
    args = p.parse_args()
    if args.command == "profile":
        profile(args)
    elif args.command == "rekey":
        write(rustc_version(), args.target, ran(args.profile), args.out)
    else:
        coverage(args)


if __name__ == "__main__":
    main()
