package link

import (
	"crypto/sha256"
	"net"
)

// StableMAC derives a MAC from the parent's MAC and seed: the same pair
// always gives the same address, so a container that is attached again
// (after a restart) keeps its MAC and with it its DHCP reservation. The
// result is locally administered and unicast.
func StableMAC(parent net.HardwareAddr, seed string) net.HardwareAddr {
	h := sha256.Sum256(append(append([]byte("lanattach stable-mac\x00"), parent...), seed...))
	mac := net.HardwareAddr(h[:6])
	mac[0] = mac[0]&^0x01 | 0x02
	return mac
}
