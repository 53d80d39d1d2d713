package nsattach

import (
	"encoding/json"
	"testing"
)

// TestAttachmentJSON checks that record extras "GROUP.KEY" show grouped
// next to the fields, that keys without a group are left out and that a
// group never replaces a field.
func TestAttachmentJSON(t *testing.T) {
	a := Attachment{Interface: "eth0", State: "ok", Addresses: []string{},
		Extra: map[string]string{"cni.container_id": "c1", "cni.network": "lan", "plain": "x", "state.x": "y"}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	cni, _ := got["cni"].(map[string]any)
	if cni["container_id"] != "c1" || cni["network"] != "lan" || len(cni) != 2 {
		t.Errorf("cni = %v, want container_id c1 and network lan", got["cni"])
	}
	if got["state"] != "ok" || got["interface"] != "eth0" || got["plain"] != nil || got["Extra"] != nil {
		t.Errorf("fields changed or extras leaked: %s", data)
	}
	plain, err := json.Marshal(Attachment{Interface: "eth0"})
	var m map[string]any
	if err != nil || json.Unmarshal(plain, &m) != nil || m["cni"] != nil || m["interface"] != "eth0" {
		t.Errorf("without extras: %s (%v)", plain, err)
	}
}

// TestExtraMatches checks the record filter of Records.
func TestExtraMatches(t *testing.T) {
	extra := map[string]string{"cni.container_id": "c1", "cni.network": "lan"}
	tests := []struct {
		match map[string]string
		want  bool
	}{
		{nil, true},
		{map[string]string{"cni.network": "lan"}, true},
		{map[string]string{"cni.network": "lan", "cni.container_id": "c1"}, true},
		{map[string]string{"cni.network": "lan", "cni.container_id": "c2"}, false},
		{map[string]string{"cni.ifname": ""}, false},
	}
	for _, tt := range tests {
		if got := extraMatches(extra, tt.match); got != tt.want {
			t.Errorf("extraMatches(%v) = %v, want %v", tt.match, got, tt.want)
		}
	}
}
