#!/bin/sh
# Build the app image without Docker: a Debian 12 base made with debootstrap (Debian's own
# tool), imported with podman, then docker/Dockerfile built with buildah. Run as root from the
# repository root:   sh docker/build-image.sh [tag]      (default localhost/tijdlijn:dev)
# Needs: apt-get install debootstrap podman buildah.
#   --isolation chroot  RUN steps without an OCI runtime (crun cannot start containers on
#                       machines with hybrid cgroups, like our development machines)
#   --ulimit            limits at or below the caller's, which an unprivileged sandbox allows
#   PIP_CERT            if set (a TLS-intercepting proxy's CA bundle), mounted for the build
#                       only (a build argument: not in the image's environment)
set -eu
tag="${1:-localhost/tijdlijn:dev}"
base=localhost/debian:bookworm
work="${TMPDIR:-/tmp}/tijdlijn-base"
if ! podman image exists "$base"; then
  rm -rf "$work"
  debootstrap --variant=minbase bookworm "$work" http://deb.debian.org/debian
  tar -C "$work" -c . | podman import - "$base"
  rm -rf "$work"
fi
set -- --isolation chroot --layers --format docker \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  --build-arg BASE="$base" -f docker/Dockerfile -t "$tag"
if [ -n "${PIP_CERT:-}" ]; then
  set -- "$@" -v "$PIP_CERT:/run/build-ca.crt:ro" --build-arg PIP_CERT=/run/build-ca.crt
fi
buildah bud "$@" .
