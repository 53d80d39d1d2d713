package arpcheck

import "time"

// MaxScanTime bounds how long a scan may take by Estimate: a rate so low
// that the scan would outlast it is refused (scan --bandwidth).
const MaxScanTime = 5 * time.Minute

// withDefaults returns cfg with its zero fields set to the defaults.
func (cfg ScanConfig) withDefaults() ScanConfig {
	if cfg.Bandwidth <= 0 {
		cfg.Bandwidth = DefaultBandwidth
	}
	if cfg.Wait <= 0 {
		cfg.Wait = DefaultScanWait
	}
	if cfg.Tries <= 0 {
		cfg.Tries = DefaultTries
	}
	return cfg
}

// targets is the number of host addresses of the subnet.
func (cfg ScanConfig) targets() int {
	first, last := Hosts(cfg.Subnet.Masked())
	return int(ipOffset(first, last)) + 1
}

// interval is the time between two requests at cfg.Bandwidth.
func (cfg ScanConfig) interval() time.Duration {
	return max(time.Duration(frameBits*int64(time.Second)/cfg.Bandwidth), 1)
}

// Estimate is how long Scan takes with cfg at most: every pass asks every
// host address of an IPv4 subnet at cfg.Bandwidth, then Scan listens for
// cfg.Wait.
func (cfg ScanConfig) Estimate() time.Duration {
	cfg = cfg.withDefaults()
	return time.Duration(cfg.targets()*cfg.Tries)*cfg.interval() + cfg.Wait
}
