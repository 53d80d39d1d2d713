// Package doctor is lanattach's read-only preflight: it gathers facts
// about this host and a parent interface (kernel support, the parent's
// state and stacking, its driver, network managers, sysctls, leftovers of
// killed runs) and judges them, one verdict per check, each with what to
// do. It never changes anything: kernel support is asked the way attach's
// preflight asks it, by a create request the kernel must refuse.
package doctor

// Verdict is the outcome of one check.
type Verdict string

// The verdicts, as the contract prints them.
const (
	OK   Verdict = "ok"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

// Check is one judged fact, as `lanattach doctor` prints it.
type Check struct {
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
	Fix     string  `json:"fix"`
}

// Options say what to check: the parent (empty for the host only) and the
// slave type that will be made off it ("macvlan" or "ipvlan").
type Options struct {
	Parent string
	Mode   string
}

// Run gathers the facts for o and judges them.
func Run(o Options) ([]Check, error) {
	f, err := Gather(o)
	if err != nil {
		return nil, err
	}
	return Judge(f), nil
}

// Judge runs every check over f, host checks after parent checks.
func Judge(f Facts) []Check {
	out := kernelChecks(f)
	if f.Parent != nil {
		out = append(out, parentChecks(f)...)
	}
	return append(out, managerCheck(f), rpFilterCheck(f), ipv6Check(f), leftoverCheck(f))
}

// Failed returns the names of the checks that failed.
func Failed(cs []Check) []string {
	var out []string
	for _, c := range cs {
		if c.Verdict == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

// ok, warn and fail build checks.
func ok(name, detail string) Check { return Check{Name: name, Verdict: OK, Detail: detail} }

func warn(name, detail, fix string) Check {
	return Check{Name: name, Verdict: Warn, Detail: detail, Fix: fix}
}

func fail(name, detail, fix string) Check {
	return Check{Name: name, Verdict: Fail, Detail: detail, Fix: fix}
}
