package nsattach

import (
	"errors"
	"fmt"
	"os"
	"strconv"
)

// kernelDAD reports whether the kernel will run duplicate address
// detection on the slave's IPv6 addresses. It will not on ipvlan l3/l3s
// (no neighbour discovery), nor when the target turned it off: accept_dad
// below 1 both for "all" and for the slave (which copied "default" when it
// was made), or dad_transmits 0 on the slave. A target without IPv6 has no
// DAD either.
func (r *attachRun) kernelDAD() (bool, error) {
	if r.spec.Type.NoARP() {
		return false, nil
	}
	var on bool
	err := r.target.Do(func() error {
		s, err := r.sysDir.wait()
		if err != nil {
			return err
		}
		vals := map[string]int{}
		for _, key := range []string{"all/accept_dad", r.name + "/accept_dad", r.name + "/dad_transmits"} {
			v, err := sysctlInt(s, "ipv6/conf/"+key)
			if err != nil {
				return err
			}
			vals[key] = v
		}
		on = (vals["all/accept_dad"] > 0 || vals[r.name+"/accept_dad"] > 0) && vals[r.name+"/dad_transmits"] > 0
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the IPv6 DAD settings in %s: %w", r.target, err)
	}
	return on, nil
}

// sysctlInt reads an integer sysctl of s.
func sysctlInt(s netSysctls, key string) (int, error) {
	v, err := s.get(key)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}
