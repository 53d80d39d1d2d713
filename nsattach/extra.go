package nsattach

import (
	"encoding/json"
	"strings"
)

// MarshalJSON writes a as list's JSON, with its Extra keys "GROUP.KEY"
// as "GROUP": {"KEY": value} next to the other fields (e.g. "cni":
// {"container_id": ..., "network": ...}). A group never replaces a field.
func (a Attachment) MarshalJSON() ([]byte, error) {
	type plain Attachment // without this method
	data, err := json.Marshal(plain(a))
	if err != nil || len(a.Extra) == 0 {
		return data, err
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	for k, v := range a.Extra {
		group, key, ok := strings.Cut(k, ".")
		if !ok {
			continue
		}
		g, isGroup := obj[group].(map[string]string)
		if _, taken := obj[group]; taken && !isGroup {
			continue
		}
		if g == nil {
			g = map[string]string{}
			obj[group] = g
		}
		g[key] = v
	}
	return json.Marshal(obj)
}
