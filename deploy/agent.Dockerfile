# propwatch-agent: one vantage point. Dials out to the coordinator (no
# inbound port); probes DNS and pinned HTTP.
#
# Two ways to the same final image (deploy/build-images.sh does both):
#   full:     context = the source tree; the `build` stage compiles.
#             podman build --format docker -f deploy/agent.Dockerfile -t propwatch-agent .
#   prebuilt: context = a directory with bin/<binaries> (already built and
#             stripped) and deploy/docker/; --target prebuilt skips compiling.
# Stages a build does not need are skipped (buildah and BuildKit), so the
# full build never looks for bin/ and the prebuilt one never compiles.
# --format docker: OCI images drop HEALTHCHECK.

# ---- runtime: only the shared libraries the binaries link (no compiler,
# no headers), and a user. The first RUN is the same text in all three
# Dockerfiles: one layer, built once and shared by the three images (and
# pulled once by a host running several); it costs the coordinator and CLI
# images libcurl, the agent the RocksDB compression libraries (~10 MB).
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libgrpc++1.51 libprotobuf32 libabsl20220623 libc-ares2 \
      libssl3 libspdlog1.10 libyaml-cpp0.7 libcurl4 libsnappy1v5 liblz4-1 libzstd1 \
      libbz2-1.0 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 propwatch \
 && useradd --system --uid 10001 --gid propwatch --home-dir /nonexistent \
      --shell /usr/sbin/nologin propwatch
COPY deploy/docker/agent-entrypoint.sh deploy/docker/agent-healthcheck.sh /usr/local/bin/
# The outbox journal (unacked results survive restarts) when
# PROPWATCH_STATE_DIR points here.
RUN mkdir -p /var/lib/propwatch-agent && chown propwatch:propwatch /var/lib/propwatch-agent
VOLUME ["/var/lib/propwatch-agent"]
USER 10001:10001
# Healthy = the coordinator lists this agent as connected (the agent has no
# port of its own to ask). Uses the same address and CA as the agent.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/agent-healthcheck.sh"]
ENTRYPOINT ["/usr/local/bin/agent-entrypoint.sh"]

# ---- prebuilt: the runtime plus binaries from the context's bin/ (CI).
FROM runtime AS prebuilt
COPY bin/propwatch-agent /usr/local/bin/propwatch-agent
COPY bin/propwatchctl /usr/local/bin/propwatchctl

# ---- build: compiles the three binaries from the source tree (the context).
# This stage is the same text in agent/coordinator/cli.Dockerfile, so a
# second image reuses the first one's cached layers instead of compiling again.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libc-ares-dev libcurl4-openssl-dev libssl-dev librocksdb-dev libabsl-dev \
      libyaml-cpp-dev libcli11-dev libspdlog-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
ARG JOBS=2
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DPROPWATCH_BUILD_TESTS=OFF -DPROPWATCH_BUILD_BENCH=OFF \
 && ninja -C /build -j "$JOBS" propwatch-agent propwatch-coordinator propwatchctl \
 && mkdir -p /out \
 && cp /build/agent/propwatch-agent /build/coordinator/propwatch-coordinator \
       /build/cli/propwatchctl /out/ \
 && strip /out/*

# ---- final (default target): the runtime plus the binaries compiled above.
FROM runtime AS final
COPY --from=build /out/propwatch-agent /usr/local/bin/propwatch-agent
COPY --from=build /out/propwatchctl /usr/local/bin/propwatchctl
