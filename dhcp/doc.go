// Package dhcp owns lanattach's DHCPv4 leases: a client whose socket is
// opened inside the target netns (on a locked thread, like arpcheck's),
// obtaining a lease with a clash check and DHCPDECLINE, renewing,
// rebinding and releasing it, and the Keeper loop that keeps a lease for
// the life of an attachment. It never changes addresses or routes itself:
// callers apply a lease (nsattach) and tell the Keeper how.
package dhcp
