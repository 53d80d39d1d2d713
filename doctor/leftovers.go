package doctor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lanattach/lanattach/nsattach"
)

// leftovers reads what killed runs and dead containers left behind: the
// record's interrupted and gone attachments, and the kernel's temp-named
// links and unused marked VLANs (nsattach.Strays).
func leftovers() ([]nsattach.Stray, error) {
	return nsattach.Strays()
}

// leftoverCheck judges the leftovers of killed runs.
func leftoverCheck(f Facts) Check {
	const name = "leftovers"
	if f.LeftoversErr != nil {
		return warn(name, fmt.Sprintf("could not look for leftovers of killed runs: %v", f.LeftoversErr),
			"run lanattach doctor as root")
	}
	var vlans, slaves, fixes []string
	for _, s := range f.Leftovers {
		if s.VLAN {
			vlans = append(vlans, s.Interface)
			continue
		}
		if s.Record != "" {
			slaves = append(slaves, fmt.Sprintf("record %s (%s: %s in %s)", s.Record, s.State, s.Interface, whereOf(s.Target)))
			fixes = append(fixes, "lanattach gc")
			continue
		}
		where := whereOf(s.Target)
		slaves = append(slaves, s.Interface+" in "+where)
		fixes = append(fixes, delCommand(s))
	}
	if len(vlans)+len(slaves) == 0 {
		return ok(name, "no leftovers of killed runs")
	}
	var detail []string
	if len(slaves) > 0 {
		detail = append(detail, "slaves a killed attach left under their temporary name: "+strings.Join(slaves, ", "))
	}
	if len(vlans) > 0 {
		detail = append(detail, "VLANs lanattach made that nothing uses: "+strings.Join(vlans, ", "))
		fixes = append([]string{"lanattach gc"}, fixes...)
	}
	return warn(name, strings.Join(detail, "; "), strings.Join(fixes, "; "))
}

// whereOf names a namespace for people.
func whereOf(t nsattach.TargetInfo) string {
	switch {
	case t.Name != "":
		return "netns " + t.Name
	case t.PID != 0:
		return "pid " + strconv.Itoa(t.PID)
	}
	return t.Path
}

// delCommand is the ip(8) command that deletes the stray slave s.
func delCommand(s nsattach.Stray) string {
	switch {
	case s.Target.Name != "":
		return "ip -n " + s.Target.Name + " link del " + s.Interface
	case s.Target.PID != 0:
		return "nsenter -t " + strconv.Itoa(s.Target.PID) + " -n ip link del " + s.Interface
	}
	return "nsenter --net=" + s.Target.Path + " ip link del " + s.Interface
}
