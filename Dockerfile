# syntax=docker/dockerfile:1
# Pusdata's one image: operator, admission webhook, site agent and every mover, mirror,
# verify, retention and restore Job run `pusdata` from it (the chart's `image` value).
#
#   docker build -t registry.example.id/pusdata:0.1.0 .        (or podman / buildah bud)
#
# The final stage is distroless-style: glibc, libgcc and the CA certificates from Debian's
# packages (.ci/distroless-root.sh), the binary, user 65532 — no shell, no package manager.
# CI builds the same root with the same script and runs the binary from it (.ci/image.sh).

ARG RUST_VERSION=1.95.0
# bookworm or later: the binary's relative relocations are packed (DT_RELR, operator/build.rs),
# which needs glibc 2.36 where it runs.
ARG DEBIAN_RELEASE=bookworm

# --- build: the pinned toolchain (rust-toolchain.toml), release profile ---
# Keep this exact command: operator/link/symbol-order.txt (the operator's functions laid out
# first, operator/build.rs) names the symbols it produces; other features, profile settings
# or another Rust version change Rust's symbol hashes and lose that layout.
FROM docker.io/library/rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --release -p pusdata --bin pusdata \
 && install -D -m 0755 target/release/pusdata /out/usr/bin/pusdata

# --- root: glibc, libgcc, CA certificates, passwd — from the same Debian release ---
FROM docker.io/library/debian:${DEBIAN_RELEASE}-slim AS root
COPY .ci/distroless-root.sh /distroless-root.sh
RUN apt-get update \
 && sh /distroless-root.sh /rootfs \
 && rm -rf /var/lib/apt/lists/*

# --- final ---
FROM scratch
ARG VERSION=0.1.0
COPY --from=root /rootfs/ /
COPY --from=build /out/ /
ENV HOME=/home/nonroot \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
LABEL org.opencontainers.image.title="pusdata" \
      org.opencontainers.image.description="Pusdata: placement, in-country cloud rules and DRP-driven backup and failover for a city data centre" \
      org.opencontainers.image.source="https://github.com/pusdata/pusdata" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENTRYPOINT ["/usr/bin/pusdata"]
CMD ["version"]
