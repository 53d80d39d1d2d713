package doctor

// virtualNIC is a hypervisor's or cloud's NIC and what lets macvlan
// slaves, each with its own MAC, through it.
type virtualNIC struct {
	platform string
	// fix names the setting that must allow extra MACs.
	fix string
	// cloud says no setting allows extra MACs: only ipvlan works.
	cloud bool
}

// virtualNICs are known virtual NIC drivers.
var virtualNICs = map[string]virtualNIC{
	"virtio_net": {platform: "KVM/QEMU (virtio)",
		fix: "the host's bridge passes extra MACs; with macvtap set trustGuestRxFilters='yes' on the libvirt <interface>; on OpenStack disable port security or add allowed-address-pairs; or use --mode ipvlan"},
	"vmxnet3": {platform: "VMware",
		fix: "set Promiscuous mode, MAC address changes and Forged transmits to Accept on the port group (or enable MAC learning); or use --mode ipvlan"},
	"hv_netvsc": {platform: "Hyper-V or Azure",
		fix: "Hyper-V: Set-VMNetworkAdapter -VMName VM -MacAddressSpoofing On; Azure drops unknown MACs: use --mode ipvlan and add the addresses as secondary IP configurations of the NIC"},
	"xen-netfront": {platform: "Xen",
		fix: "the dom0 bridge must accept the guest's extra MACs (vif-bridge does; on EC2 Xen instances use --mode ipvlan and secondary private IPs)"},
	"ena": {platform: "AWS (ENA)", cloud: true,
		fix: "use --mode ipvlan and add the addresses as secondary private IPs of the ENI"},
	"gve": {platform: "Google Cloud (gVNIC)", cloud: true,
		fix: "use --mode ipvlan and give the NIC alias IP ranges holding the addresses"},
}

// nicCheck judges a virtual NIC parent: hypervisors and clouds drop
// frames from MACs they did not assign unless told otherwise.
func nicCheck(f Facts) Check {
	const name = "parent-nic"
	p := f.Parent
	nic, virtual := virtualNICs[p.Driver]
	switch {
	case p.Driver == "":
		return ok(name, p.Name+" has no NIC driver ("+p.Kind+")")
	case !virtual:
		return ok(name, p.Name+" uses driver "+p.Driver)
	case f.Mode == "ipvlan":
		return ok(name, p.Name+" is a "+nic.platform+" NIC; ipvlan slaves use its MAC, which the platform knows")
	}
	detail := p.Name + " is a " + nic.platform + " NIC (" + p.Driver + "), which drops frames from MACs it did not assign"
	if nic.cloud {
		return fail(name, detail+"; no setting changes that", nic.fix)
	}
	return warn(name, detail+" unless the hypervisor allows them", nic.fix)
}
