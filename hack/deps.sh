#!/bin/sh
# hack/deps.sh: install the Debian packages lanattach's tests, demo and VM
# runs need, and only those that are missing (idempotent; apt-get update
# runs at most once, and only when something has to be installed).
# Needs root. Add a package by adding it to PACKAGES.
set -eu

PACKAGES="iproute2 iputils-ping util-linux tar podman runc busybox-static arping arp-scan qemu-system-x86 cpio kmod man-db containernetworking-plugins containerd dnsmasq-base radvd time"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing; run as root to install them" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $missing
