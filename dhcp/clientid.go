package dhcp

import (
	"crypto/sha256"
	"encoding/binary"
)

// ClientID derives an RFC 4361 client identifier from seed: type 255, an
// IAID and a DUID-UUID (RFC 6355), both taken from a hash of seed. The
// same seed gives the same identifier, so the server gives the same lease
// back; slaves that share a MAC (ipvlan) still get one lease each.
func ClientID(seed string) []byte {
	h := sha256.Sum256([]byte("lanattach client-id\x00" + seed))
	id := []byte{255}
	id = binary.BigEndian.AppendUint32(id, binary.BigEndian.Uint32(h[:4]))
	id = binary.BigEndian.AppendUint16(id, 4) // DUID-UUID
	return append(id, h[4:20]...)
}
