#!/bin/sh
# Builds the root filesystem of Pusdata's image: glibc, libgcc and the CA certificates from
# Debian's own packages, a passwd/group naming the nonroot user 65532, and nothing else (no
# shell, no package manager). The Dockerfile's `root` stage and .ci/image.sh both run it, so
# the image CI runs is the image users build.
#
#   distroless-root.sh ROOTFS        (needs apt-get with package lists, and dpkg)
set -eu
root=$1
mkdir -p "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chown _apt "$work" 2>/dev/null || true   # apt downloads as _apt when it can
# `pusdata` needs libc, libm and libgcc_s (ldd); aws-sdk-s3 and kube verify servers against
# the system CA bundle.
(cd "$work" && apt-get download libc6 libgcc-s1 ca-certificates >/dev/null)
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$root"
done
# dpkg-deb -x runs no maintainer scripts: build the bundle that ca-certificates' postinst
# (update-ca-certificates) would.
mkdir -p "$root/etc/ssl/certs"
cat "$root"/usr/share/ca-certificates/*/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
# What no process of the image runs or reads: the CA update script and its config,
# documentation, glibc's helper programs, locale data.
rm -rf "$root/usr/sbin" "$root/usr/bin" "$root/sbin" "$root/etc/ca-certificates" \
  "$root/etc/ca-certificates.conf" "$root/usr/share/doc" "$root/usr/share/lintian" \
  "$root/usr/share/man" "$root/usr/share/locale" "$root/usr/share/i18n" \
  "$root/usr/lib/x86_64-linux-gnu/gconv" "$root/usr/lib/aarch64-linux-gnu/gconv" \
  "$root/usr/libexec"
mkdir -p "$root/usr/bin" "$root/tmp" "$root/home/nonroot"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
# Name lookup as glibc expects it; container runtimes mount their own hosts and
# resolv.conf over these.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
: > "$root/etc/resolv.conf"
chown 65532:65532 "$root/home/nonroot"
