package ledger

import (
	"encoding/binary"
	"reflect"
	"testing"
	"time"
)

// fullRecord is a record with every field set, found by reflection, so
// that a field added to Record without the codec fails
// TestCodecEveryField.
func fullRecord(t *testing.T) Record {
	t.Helper()
	var r Record
	fill(t, reflect.ValueOf(&r).Elem(), 1)
	return r
}

// fill sets every exported field of v to a value that is not zero.
func fill(t *testing.T, v reflect.Value, n int) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(1700000000, int64(n)).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), n+i)
			}
		}
	case reflect.String:
		v.SetString("s" + string(rune('a'+n%26)) + "é,\x00\"")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(-n * 1000003))
	case reflect.Uint64:
		v.SetUint(uint64(n) << 40)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.ValueOf([]string{"198.51.100.1/24", "", "2001:db8::1/64"}))
	case reflect.Map:
		v.Set(reflect.ValueOf(map[string]string{"a": "1", "": "", "cni.network": "lan"}))
	default:
		t.Fatalf("Record has a field of kind %s the codec test cannot fill", v.Kind())
	}
}

// TestCodecEveryField: every field of Record survives the index.
func TestCodecEveryField(t *testing.T) {
	empty := Record{ID: "0a", Addresses: []string{}}
	ents := []indexEntry{{Name: "0b.json", Ino: 1 << 62, Rec: fullRecord(t)}, {Name: "0a.json", Rec: empty}}
	got, err := decodeIndex(encodeIndex(ents))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ents) {
		t.Fatalf("through the codec:\n%+v\nwant\n%+v", got, ents)
	}
}

// TestCodecDamage: a truncated or foreign index is an error, never a
// wrong record.
func TestCodecDamage(t *testing.T) {
	data := encodeIndex([]indexEntry{{Name: "0b.json", Ino: 7, Rec: fullRecord(t)}})
	for _, bad := range [][]byte{nil, []byte("lanattach-index-1\n"), data[:len(data)-1], append(append([]byte{}, data...), 5)} {
		if got, err := decodeIndex(bad); err == nil {
			t.Errorf("decodeIndex(%q) = %+v, want an error", bad, got)
		}
	}
}

// FuzzDecodeIndex: no input makes the decoder panic, and what it accepts
// encodes back to the same bytes it decodes from.
func FuzzDecodeIndex(f *testing.F) {
	f.Add(encodeIndex([]indexEntry{{Name: "0b.json", Ino: 7, Rec: Record{ID: "0b", Addresses: []string{"a"}, Extra: map[string]string{"k": "v"}}}}))
	f.Add([]byte(indexMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		ents, err := decodeIndex(data)
		if err != nil {
			return
		}
		again, err := decodeIndex(encodeIndex(ents))
		if err != nil || !reflect.DeepEqual(again, ents) {
			t.Fatalf("re-encoded index decodes to %+v (%v), want %+v", again, err, ents)
		}
	})
}

// TestCodecCountBound: a count the file cannot hold is refused before
// anything is allocated for it, and the smallest entry fits minEntryLen.
func TestCodecCountBound(t *testing.T) {
	one := encodeIndex([]indexEntry{{Rec: Record{Created: time.Unix(0, 0)}}}) // every number one byte
	if got := len(one) - len(indexMagic) - 1; got != minEntryLen {
		t.Errorf("an empty entry takes %d bytes, minEntryLen says %d", got, minEntryLen)
	}
	huge := binary.AppendUvarint([]byte(indexMagic), 1<<40)
	huge = append(huge, make([]byte, 64)...)
	if _, err := decodeIndex(huge); err == nil {
		t.Error("an index counting 2^40 entries in 64 bytes decodes")
	}
}
