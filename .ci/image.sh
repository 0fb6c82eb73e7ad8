#!/usr/bin/env bash
# The image, built and run without a container daemon (.ci/run calls this after the tests).
#
# 1. The root the Dockerfile's final stage describes: glibc, libgcc and the CA certificates
#    from Debian's packages (.ci/distroless-root.sh, the script the Dockerfile runs) plus the
#    `pusdata` binary.
# 2. buildah (vfs storage, no daemon) commits it with the Dockerfile's user 65532 and
#    entrypoint to an OCI archive; skopeo and umoci unpack that archive again.
# 3. The binary runs from the unpacked root, as uid 65532, with the root mounted read-only
#    (a private mount namespace and chroot): `pusdata version`; `pusdata webhook` answering
#    /healthz over TLS (checked by curl against the CA, and by the image's own
#    `pusdata probe`); a `mover backup` / `mover restore --verify` round trip on a local
#    repository that the restic CLI also reads.
#
# Which binary: PUSDATA_IMAGE_BINARY, default target/debug/pusdata — the one the test run has
# already built. A release build of the workspace takes ~20 minutes on CI's two cores and
# does not fit CI's 90 minutes next to Garage and the test build; the Dockerfile builds the
# release binary from the same source into the same root (docs/benchmarks.md has both sizes).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/toolchain.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
say() { echo "image.sh: $*" >&2; }

missing=()
for tool in buildah:buildah umoci:umoci skopeo:skopeo curl:curl openssl:openssl jq:jq strip:binutils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bin="${PUSDATA_IMAGE_BINARY:-target/debug/pusdata}"
if [ ! -x "$bin" ]; then
  say "building $bin"
  cargo build -q -p pusdata --bin pusdata
fi

work=$(mktemp -d /tmp/pusdata-image.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  buildah "${bopts[@]}" rm --all >/dev/null 2>&1 || true
  rm -rf "$work"
}
bopts=(--storage-driver vfs --root "$work/storage" --runroot "$work/run")
trap cleanup EXIT

# 1. The root filesystem.
as_root apt-get update -qq
sh .ci/distroless-root.sh "$work/rootfs"
# The debug binary carries line tables (314 MB); the image gets it without them, as the
# release binary has none.
install -D -m 0755 "$bin" "$work/rootfs/usr/bin/pusdata"
strip --strip-debug "$work/rootfs/usr/bin/pusdata"
# Only what glibc provides may be needed.
if ldd "$bin" | grep -v -E 'linux-vdso|ld-linux|lib(c|m|gcc_s|pthread|dl|rt)\.so' | grep -q '=>'; then
  say "the binary needs more than glibc and libgcc:"; ldd "$bin" >&2; exit 1
fi

# 2. buildah: an image from scratch with the Dockerfile's final-stage config, as an OCI
#    archive; ownership (home/nonroot is 65532's) travels in the tar.
tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
ctr=$(buildah "${bopts[@]}" from scratch)
buildah "${bopts[@]}" add "$ctr" "$work/rootfs.tar" / >/dev/null
buildah "${bopts[@]}" config --user 65532:65532 --workingdir /home/nonroot \
  --env HOME=/home/nonroot --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --entrypoint '["/usr/bin/pusdata"]' --cmd version \
  --label org.opencontainers.image.source=https://github.com/pusdata/pusdata "$ctr"
buildah "${bopts[@]}" commit -q "$ctr" "oci-archive:$work/pusdata.oci.tar:pusdata:ci" >/dev/null

# Unpack what was committed — not the directory it was made from.
skopeo copy -q "oci-archive:$work/pusdata.oci.tar:pusdata:ci" "oci:$work/layout:ci"
umoci unpack --image "$work/layout:ci" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
cfg="$work/bundle/config.json"
[ "$(jq -r '.process.user.uid' "$cfg")" = 65532 ] || { say "image user is not 65532"; exit 1; }
[ "$(jq -r '.process.args[0]' "$cfg")" = /usr/bin/pusdata ] || { say "entrypoint is not pusdata"; exit 1; }
[ "$(stat -c %u "$rootfs/home/nonroot")" = 65532 ] || { say "home/nonroot not owned by 65532"; exit 1; }
# Nothing but the binary, glibc, libgcc and CA data: no shell, no package manager.
for f in bin/sh usr/bin/sh bin/bash usr/bin/apt usr/bin/dpkg; do
  [ ! -e "$rootfs/$f" ] || { say "unexpected $f in the image"; exit 1; }
done

# 3. Run from the unpacked root: uid 65532, root read-only, a tmpfs /tmp, /data writable
#    (a pod's volume), the host's loopback network.
data="$work/data"
mkdir -p "$data" "$rootfs/data" "$rootfs/dev" "$rootfs/proc"
chown -R 65532:65532 "$data"
in_image() {
  unshare --mount --fork -- sh -ec '
    r=$1; d=$2; shift 2
    mount --make-rprivate /
    mount --bind "$r" "$r"
    mount -o remount,bind,ro "$r"
    mount -t tmpfs -o size=64m,mode=1777 tmpfs "$r/tmp"
    mount --rbind /dev "$r/dev"
    mount --rbind /proc "$r/proc"
    mount --bind "$d" "$r/data"
    if touch "$r/usr/bin/written" 2>/dev/null; then echo "root is writable" >&2; exit 1; fi
    exec chroot --userspec=65532:65532 "$r" /usr/bin/pusdata "$@"
  ' in_image "$rootfs" "$data" "$@"
}

say "pusdata version (uid 65532, read-only root)"
out=$(in_image version)
echo "$out"
echo "$out" | grep -q "^pusdata $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) "

say "pusdata webhook answering /healthz over TLS"
tls="$data/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=pusdata-image-ca" -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout "$tls/tls.key" -out "$tls/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$tls/ext"
openssl x509 -req -in "$tls/tls.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 1 -extfile "$tls/ext" -out "$tls/tls.crt" 2>/dev/null
# The rules' context, as in the webhook's HTTPS tests.
mkdir -p "$data/context"
cp docs/examples/residency-policy.yaml docs/examples/approval.yaml docs/examples/agency.yaml "$data/context/"
chown -R 65532:65532 "$tls" "$data/context"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
in_image webhook --listen "127.0.0.1:$port" --cert /data/tls/tls.crt --key /data/tls/tls.key \
  --context /data/context >"$work/webhook.log" 2>&1 &
pids+=($!)
ok=
for _ in $(seq 1 100); do
  if curl -fsS --cacert "$tls/ca.crt" "https://localhost:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || { say "webhook did not answer /healthz"; cat "$work/webhook.log" >&2; exit 1; }
curl -fsS --cacert "$tls/ca.crt" "https://localhost:$port/healthz"
in_image probe --ca /data/tls/ca.crt "https://localhost:$port/healthz"
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

say "mover backup and restore round trip"
mkdir -p "$data/src/sub" "$data/out"
head -c 3000000 /dev/urandom > "$data/src/blob.bin"
seq 1 20000 > "$data/src/sub/lines.txt"
printf 'pusdata image check\n' > "$data/src/readme.txt"
printf 'image-check-password\n' > "$data/key"
chown -R 65532:65532 "$data"
in_image mover backup -r /data/repo --password-file /data/key --path /data/src \
  --tag agency=image-check > "$work/backup.json"
in_image mover restore -r /data/repo --password-file /data/key --target /data/out/restored \
  --verify > "$work/restore.json"
diff -r "$data/src" "$data/out/restored"
if command -v restic >/dev/null 2>&1; then
  restic -r "$data/repo" --password-file "$data/key" snapshots --no-lock >/dev/null
fi

bin_size=$(stat -c %s "$rootfs/usr/bin/pusdata")
oci_size=$(stat -c %s "$work/pusdata.oci.tar")
gz_size=$(gzip -c "$work/pusdata.oci.tar" | wc -c)
root_size=$(du -sb "$rootfs" | cut -f1)
say "binary $bin: $bin_size bytes; image: OCI archive $oci_size bytes (gzip $gz_size), unpacked $root_size bytes"
say "ok"
