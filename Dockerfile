# One image for every edimesh service: `edimesh run transfer|splitter|validator|acknowledger`.
# Built by compose/compose.yaml (context: the repository root) and pushed for k8s/.
#
#   docker build -t edimesh:0.1.0 .
#
# Stage 1 compiles the validation hot path with mypyc (python -m edimesh.native_build: gcc is
# needed here, and only here) and builds wheels for edimesh and every dependency (those all
# have manylinux wheels). Stage 2 is the runtime: the same slim Python, the wheels
# installed from a bind mount (they never land in a layer), pip/setuptools removed, and a
# non-root numeric user, so Kubernetes' runAsNonRoot can verify it.
#
# Needs BuildKit (RUN --mount, COPY --chmod): Docker 23+ and docker compose v2 use it.
# Refresh the base pin with `docker buildx imagetools inspect python:3.11.14-slim-bookworm`.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Debian bookworm's gcc 12 and libc headers (the base image pins the release).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md hatch_build.py ./
COPY schemas ./schemas
COPY services ./services
# The versions are pinned in pyproject.toml's `native` extra. PYTHONPATH: compile the sources
# in /src (which the wheel is built from), not the copy pip just installed.
# hadolint ignore=DL3013
RUN python -m pip install ".[native]" \
 && PYTHONPATH=services python -m edimesh.native_build \
 && python -m pip wheel --wheel-dir /wheels . \
 && test -n "$(ls /wheels/edimesh-*-cp311-cp311-linux_x86_64.whl)"

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The wheels come in through a bind mount and are gone after this step; then the installers go
# too: nothing in the runtime image can build or fetch code.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links=/wheels /wheels/edimesh-*.whl \
 && python -m pip uninstall --yes pip setuptools wheel \
 && groupadd --system --gid 10001 edimesh \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin edimesh \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/edimesh /var/lib/edimesh/staging \
 && install -d -o 10001 -g 10001 -m 0700 /run/edimesh /run/edimesh/keys
COPY --chmod=0755 deploy/image/entrypoint.sh /usr/local/bin/edimesh-entrypoint
USER 10001:10001
WORKDIR /var/lib/edimesh
# Health and metrics (assumed by compose and k8s): GET :8080/livez, /readyz, /metrics.
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/edimesh-entrypoint"]
CMD ["--help"]
