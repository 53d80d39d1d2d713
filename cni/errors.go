package cni

import (
	"cmp"
	"errors"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/nsattach"
)

// lanattach's CNI error codes (the spec leaves 100 and up to plugins).
const (
	// CodeClash: an address is held by the host, a sibling or the LAN.
	CodeClash = 100
	// CodeBadConfig: the configuration or the runtime's arguments are bad.
	CodeBadConfig = 101
	// CodeFailed: the attach failed at run time (kernel refused, target
	// gone); everything was undone.
	CodeFailed = 102
)

// flagKeys names, for each CLI flag an nsattach error may name, the
// configuration key or variable that gave it.
var flagKeys = map[string]string{
	"--parent": "master", "--vlan": "master", "--mode": "mode", "--macvlan-mode": "submode",
	"--ipvlan-mode": "submode", "--ipvlan-flag": "ipvlanFlag", "--name": "CNI_IFNAME",
	"--ip": "addresses", "--subnet": "subnet", "--gateway": "gateways", "--route": "routes",
	"--mac": "mac", "--mtu": "mtu", "--probe": "probe", "--probe-timeout": "probeTimeout",
	"--netns-path": "CNI_NETNS", "--exclude": "subnet", "--ip-range": "subnet",
}

// cniError turns an error of the attach flow into a CNI error with
// lanattach's code and a message naming the configuration key.
func cniError(err error) error {
	var te *types.Error
	var ce *arpcheck.ConflictError
	var ie *nsattach.InputError
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &ce):
		return types.NewError(CodeClash, err.Error(), "")
	case errors.As(err, &ie) && !errors.As(err, new(*nsattach.RollbackError)):
		return types.NewError(CodeBadConfig, keyed(ie), "")
	}
	return types.NewError(CodeFailed, err.Error(), "")
}

// keyed is ie's message naming the configuration key instead of the flag,
// also where the flag starts the message itself ("--parent is required").
func keyed(ie *nsattach.InputError) string {
	msg := ie.Err.Error()
	if ie.Flag != "" {
		return cmp.Or(flagKeys[ie.Flag], ie.Flag) + ": " + msg
	}
	for flag, key := range flagKeys {
		if rest, ok := strings.CutPrefix(msg, flag); ok && (strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, " ")) {
			return key + rest
		}
	}
	return msg
}
