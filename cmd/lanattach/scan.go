package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// scanCommand lists the addresses of a subnet in use on the LAN and by the
// host.
func scanCommand() *cli.Command {
	return &cli.Command{
		Name:  "scan",
		Usage: "list which addresses of a subnet are in use on the LAN (ARP) and by this host",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "parent", Usage: "scan from `IFACE` in this netns"},
			&cli.StringFlag{Name: "subnet", Usage: "IPv4 `CIDR` to scan, /16 or smaller"},
			&cli.StringFlag{Name: "bandwidth", Value: "2M", Usage: "sending rate in `BITS`/s like arp-scan --bandwidth; K and M suffixes allowed; " +
				"too low a rate for the subnet (a scan longer than " + arpcheck.MaxScanTime.String() + ") is refused"},
		},
		Before:       before("parent", "subnet"),
		OnUsageError: onUsageError,
		Action:       scan,
	}
}

// usedJSON is one used address in scan's output.
type usedJSON struct {
	IP    netip.Addr `json:"ip"`
	MAC   string     `json:"mac"`
	Where string     `json:"where"`
}

// scanJSON is scan's output.
type scanJSON struct {
	Subnet netip.Prefix `json:"subnet"`
	Used   []usedJSON   `json:"used"`
	Free   int          `json:"free"`
}

// parseBits parses a rate such as 256000, 256K or 2M.
func parseBits(s string) (int64, error) {
	num, mult := s, int64(1)
	switch {
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "k"):
		num, mult = s[:len(s)-1], 1000
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		num, mult = s[:len(s)-1], 1000_000
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > 10_000_000_000/mult {
		return 0, usageErr("--bandwidth", "%q is not a rate in bits/s (e.g. 256000, 256K, 2M; at most 10000M)", s)
	}
	return n * mult, nil
}

// parseScanSubnet checks --subnet.
func parseScanSubnet(s string) (netip.Prefix, error) {
	p, err := nsattach.ParsePrefix("--subnet", s)
	switch {
	case err != nil:
		return p, err
	case !p.Addr().Is4():
		return p, usageErr("--subnet", "%s: scan is by ARP, IPv4 only", p)
	case p.Bits() < arpcheck.MaxScanBits:
		return p, usageErr("--subnet", "%s is too large: scan a /%d or smaller", p, arpcheck.MaxScanBits)
	}
	return p.Masked(), nil
}

// parseScan reads and checks the scan flags.
func parseScan(c *cli.Context) (arpcheck.ScanConfig, error) {
	var cfg arpcheck.ScanConfig
	if err := link.CheckName("--parent", c.String("parent")); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Subnet, err = parseScanSubnet(c.String("subnet")); err != nil {
		return cfg, err
	}
	if cfg.Bandwidth, err = parseBits(c.String("bandwidth")); err != nil {
		return cfg, err
	}
	if d := cfg.Estimate(); d > arpcheck.MaxScanTime {
		return cfg, usageErr("--bandwidth", "at %d bit/s a scan of %s would take about %v, more than %v: raise --bandwidth or scan a smaller --subnet",
			cfg.Bandwidth, cfg.Subnet, d.Round(time.Second), arpcheck.MaxScanTime)
	}
	return cfg, nil
}

// scan runs `lanattach scan`.
func scan(c *cli.Context) error {
	cfg, err := parseScan(c)
	if err != nil {
		return err
	}
	if err := needRoot("scan"); err != nil {
		return err
	}
	subnet, parent := cfg.Subnet, c.String("parent")
	h, err := nsattach.HostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	pl, err := h.LinkByName(parent)
	if err != nil {
		return usageErr("--parent", "no interface %s in this netns: %v", parent, err)
	}
	src, err := senderIP(h, pl, subnet)
	if err != nil {
		return err
	}
	p := printerOf(c)
	cfg.Progress = progressLine(p.stderr, subnet)
	conn, ifi, err := arpcheck.Open(nil, parent)
	if err != nil {
		return err
	}
	defer conn.Close()
	lan, err := arpcheck.Scan(c.Context, conn, ifi.HardwareAddr, src, cfg)
	if cfg.Progress != nil {
		fmt.Fprint(p.stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("scanning from %s: %w", parent, err)
	}
	host, err := hostUsed(h, pl, subnet)
	if err != nil {
		return err
	}
	return reportScan(p, subnet, merge(lan, host))
}

// senderIP is the parent's first IPv4 address in subnet, else 0.0.0.0
// (ARP probes).
func senderIP(h netlinksafe.Handle, link netlink.Link, subnet netip.Prefix) (netip.Addr, error) {
	addrs, err := h.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("listing addresses of %s: %w", link.Attrs().Name, err)
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && subnet.Contains(ip.Unmap()) {
			return ip.Unmap(), nil
		}
	}
	return netip.IPv4Unspecified(), nil
}

// hostUsed lists the addresses of subnet held by this netns's interfaces
// and by slaves of parent (which the parent cannot reach by ARP).
func hostUsed(h netlinksafe.Handle, parent netlink.Link, subnet netip.Prefix) ([]arpcheck.Used, error) {
	held, err := arpcheck.HostHeld(h)
	if err != nil {
		return nil, err
	}
	sib, err := nsattach.Siblings(parent.Attrs().Index)
	if err != nil {
		return nil, fmt.Errorf("listing slaves of %s: %w", parent.Attrs().Name, err)
	}
	var out []arpcheck.Used
	for _, hh := range append(held, sib...) {
		if subnet.Contains(hh.IP) {
			out = append(out, arpcheck.Used{IP: hh.IP, MAC: hh.MAC, Where: arpcheck.WhereHost})
		}
	}
	return out, nil
}

// merge joins LAN and host findings, one per address, the host's first,
// sorted by address.
func merge(lan, host []arpcheck.Used) []arpcheck.Used {
	seen := map[netip.Addr]bool{}
	var out []arpcheck.Used
	for _, u := range append(host, lan...) {
		if !seen[u.IP] {
			seen[u.IP] = true
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b arpcheck.Used) int { return a.IP.Compare(b.IP) })
	return out
}

// reportScan prints the used addresses and the free count.
func reportScan(p *printer, subnet netip.Prefix, used []arpcheck.Used) error {
	first, last := arpcheck.Hosts(subnet)
	f4, l4 := first.As4(), last.As4()
	res := scanJSON{Subnet: subnet, Used: make([]usedJSON, 0, len(used)),
		Free: int(binary.BigEndian.Uint32(l4[:])-binary.BigEndian.Uint32(f4[:])) + 1}
	for _, u := range used {
		res.Used = append(res.Used, usedJSON{IP: u.IP, MAC: u.MAC.String(), Where: string(u.Where)})
		if !u.IP.Less(first) && !last.Less(u.IP) {
			res.Free--
		}
	}
	return p.result(res, func(w io.Writer) {
		for _, u := range res.Used {
			fmt.Fprintf(w, "%-15s  %-17s  %s\n", u.IP, u.MAC, u.Where)
		}
		fmt.Fprintf(w, "%d used, %d free in %s\n", len(res.Used), res.Free, subnet)
	})
}

// progressLine returns a progress callback that redraws one line on w, or
// nil when w is not a terminal.
func progressLine(w io.Writer, subnet netip.Prefix) func(arpcheck.ScanProgress) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return nil
	}
	var last time.Time
	return func(s arpcheck.ScanProgress) {
		if now := time.Now(); now.Sub(last) >= 50*time.Millisecond {
			last = now
			fmt.Fprintf(w, "\rscanning %s: pass %d/%d, %d/%d asked, %d in use", subnet, s.Try, s.Tries, s.Sent, s.Targets, s.Found)
		}
	}
}
