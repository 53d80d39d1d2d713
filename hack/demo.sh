#!/usr/bin/env bash
# hack/demo.sh: lanattach end to end, in a sandbox. Builds a LAN out of
# network namespaces (a bridge "switch", a "host" whose lan0 plugs into it,
# two peers 198.51.100.2 and .3), starts a podman container with no network,
# attaches it to the LAN with lanattach run inside the host netns (with
# --host-access), pings the peers from inside the container, the container
# from the host and back, shows `lanattach list`, detaches, and
# removes everything again (also on failure or Ctrl-C). Never touches this
# machine's own interfaces. Needs root; `make demo` installs the packages
# (hack/deps.sh) and builds bin/lanattach first.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${LANATTACH_BIN:-$ROOT/bin/lanattach}
ID=demo$$
SW=$ID-switch HOST=$ID-host PEER1=$ID-peer1 PEER2=$ID-peer2
CTR=lanattach-$ID IMAGE=localhost/lanattach-$ID:latest
TMP=$(mktemp -d)
NETNS=()
# Record directories (one per host netns lanattach ran in) that existed
# before: the demo's host netns gets its own, removed on exit once empty.
RECORDS_BEFORE=$(ls -d /run/lanattach/net-* 2>/dev/null || true)

bold='' off=''
if [[ -t 1 ]]; then bold=$(tput bold 2>/dev/null || true) off=$(tput sgr0 2>/dev/null || true); fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
run() { printf '$ %s\n' "$*"; "$@"; }
in_host() { run ip netns exec "$HOST" "$@"; }

cleanup() {
	local rc=$?
	step "Cleaning up"
	podman rm -f -t 0 "$CTR" >/dev/null 2>&1 || true
	podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$TMP"
	drop_record_dirs
	echo "removed the container, its image and namespaces ${NETNS[*]}"
	[[ $rc -eq 0 ]] && echo "${bold}demo done${off}" || echo "${bold}demo FAILED (exit $rc)${off}"
}
trap cleanup EXIT

# drop_record_dirs removes the record directories the demo's run made that
# hold nothing but their lock file (a record left would be kept).
drop_record_dirs() {
	local d
	for d in /run/lanattach/net-*; do
		[[ -d $d ]] || continue
		grep -qxF "$d" <<<"$RECORDS_BEFORE" && continue
		[[ $(ls -A "$d") == lanattach.lock ]] && rm -r "$d"
	done
	return 0
}

[[ $(id -u) -eq 0 ]] || { echo "demo: run as root (it makes network namespaces)" >&2; exit 1; }
[[ -x $BIN ]] || { echo "demo: $BIN is missing; run make build" >&2; exit 1; }

# netns NAME: a fresh netns with lo up, deleted on exit.
netns() { run ip netns add "$1"; NETNS+=("$1"); ip -n "$1" link set lo up; }
# plug NS IFACE PORT: a veth from IFACE in NS to PORT on the switch.
plug() {
	run ip -n "$SW" link add "$3" type veth peer name "$2" netns "$1"
	ip -n "$SW" link set "$3" master br0 up
	ip -n "$1" link set "$2" up
}

step "A switch: bridge br0 in netns $SW"
netns "$SW"
run ip -n "$SW" link add br0 type bridge
run ip -n "$SW" link set br0 up

step "The host: netns $HOST, its LAN interface lan0 on the switch, 198.51.100.1"
netns "$HOST"
plug "$HOST" lan0 p0
run ip -n "$HOST" addr add 198.51.100.1/24 dev lan0

step "Two machines on the LAN: 198.51.100.2 and 198.51.100.3"
netns "$PEER1"
plug "$PEER1" eth0 p1
run ip -n "$PEER1" addr add 198.51.100.2/24 dev eth0
netns "$PEER2"
plug "$PEER2" eth0 p2
run ip -n "$PEER2" addr add 198.51.100.3/24 dev eth0

step "A podman container with no network (busybox image made with podman import)"
mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/proc" "$TMP/rootfs/sys" "$TMP/rootfs/dev" "$TMP/rootfs/etc" "$TMP/rootfs/tmp"
cp "$(command -v busybox)" "$TMP/rootfs/bin/busybox"
for a in $(busybox --list); do [[ $a == busybox ]] || ln -s busybox "$TMP/rootfs/bin/$a"; done
tar -C "$TMP/rootfs" -cf "$TMP/rootfs.tar" .
run podman import -q "$TMP/rootfs.tar" "$IMAGE" >/dev/null
run podman run -d --name "$CTR" --runtime runc --network none \
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cap-add NET_RAW "$IMAGE" /bin/sleep 3600 >/dev/null
PID=$(podman inspect -f '{{.State.Pid}}' "$CTR")
echo "container $CTR runs as pid $PID; its interfaces:"
run podman exec "$CTR" ip addr

step "lanattach refuses an address a LAN machine already uses (exit 3)"
rc=0
in_host "$BIN" attach --pid "$PID" --parent lan0 --ip 198.51.100.2/24 || rc=$?
[[ $rc -eq 3 ]] || { echo "demo: expected exit 3 (address clash), got $rc" >&2; exit 1; }
echo "exit $rc: refused, nothing changed"

step "Attach the container to the LAN as 198.51.100.50, with host access (run inside the host netns)"
in_host "$BIN" attach --pid "$PID" --parent lan0 --ip 198.51.100.50/24 --host-access
run podman exec "$CTR" ip addr

step "The host and its own macvlan container reach each other (through the shim lan0-shim)"
in_host ping -c 2 198.51.100.50
run podman exec "$CTR" ping -c 2 198.51.100.1

step "Ping both LAN machines from inside the container"
run podman exec "$CTR" ping -c 2 198.51.100.2
run podman exec "$CTR" ping -c 2 198.51.100.3

step "What lanattach made"
in_host "$BIN" list

step "Detach: the container is back to lo only, the host as before (the shim is gone too)"
in_host "$BIN" detach --pid "$PID"
run podman exec "$CTR" ip link
in_host ip link
in_host "$BIN" list
