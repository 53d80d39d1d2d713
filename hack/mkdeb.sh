#!/bin/sh
# hack/mkdeb.sh BIN DOCS VERSION ARCH OUTDIR: build the Debian package
# OUTDIR/lanattach_VERSION_ARCH.deb with dpkg-deb alone (no debhelper) from
# the binary BIN and the man pages and completions `lanattach __gen-docs`
# wrote into DOCS; print its path. ARCH is Go's (amd64, arm64, 386, arm).
set -eu
[ $# -eq 5 ] || { echo "usage: $0 BIN DOCS VERSION ARCH OUTDIR" >&2; exit 2; }
bin=$1 docs=$2 version=$3 arch=$4 out=$5

# Debian versions start with a digit and have no '-' without a revision:
# v1.2.0-3-gabc1234 becomes 1.2.0+3+gabc1234, a bare commit 0~gitCOMMIT.
version=$(echo "$version" | sed 's/^v//; s/-/+/g')
case $version in
[0-9]*.*) ;;
*) version="0~git$version" ;;
esac
case $arch in
386) arch=i386 ;;
arm) arch=armhf ;;
esac

root=$out/deb-root
rm -rf "$root"
install -D -m 0755 "$bin" "$root/usr/bin/lanattach"
mkdir -p "$root/usr/share/man/man8"
for page in "$docs"/man8/*.8; do
	gzip -9n <"$page" >"$root/usr/share/man/man8/$(basename "$page").gz"
done
install -D -m 0644 "$docs/bash/lanattach" "$root/usr/share/bash-completion/completions/lanattach"
install -D -m 0644 "$docs/zsh/_lanattach" "$root/usr/share/zsh/vendor-completions/_lanattach"
install -D -m 0644 "$docs/fish/lanattach.fish" "$root/usr/share/fish/vendor_completions.d/lanattach.fish"
# The same binary is the CNI plugin when started as lanattach-cni, or by a
# runtime (CNI_COMMAND set) as "type": "lanattach".
mkdir -p "$root/usr/lib/cni"
ln -s ../../bin/lanattach "$root/usr/lib/cni/lanattach-cni"
ln -s ../../bin/lanattach "$root/usr/lib/cni/lanattach"

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: lanattach
Version: $version
Architecture: $arch
Maintainer: lanattach developers <lanattach@users.noreply.github.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Recommends: iproute2
Section: net
Priority: optional
Homepage: https://github.com/lanattach/lanattach
Description: give a container a leg on the host's LAN, clash-checked
 lanattach creates a macvlan or ipvlan slave off a parent interface (or an
 802.1q sub-interface it makes) directly inside a container's network
 namespace, assigns addresses and routes, and checks every address for
 clashes with ARP probes and IPv6 DAD first. lanattach doctor tells why
 macvlan will not work on a host. Also a CNI plugin (lanattach-cni).
CONTROL

deb=$out/lanattach_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
