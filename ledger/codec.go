package ledger

import (
	"encoding/binary"
	"errors"
	"time"
)

// The index file is a count of entries and the entries, each a file name, an inode and a
// record, in a plain binary form: strings as a length and bytes, numbers
// as varints. Decoding takes every string from one copy of the file, so a
// busy ledger's 200 records cost one allocation per record, not one per
// field (encoding/gob took most of a list's time at that scale). The
// format starts with indexMagic; a new field in Record needs a new magic
// (TestCodecEveryField fails until the codec carries it).

// indexMagic starts an index file in this format.
const indexMagic = "lanattach-index-2\n"

// minEntryLen is the fewest bytes an entry takes: a length byte for each
// string and list and the map, one byte for each number and flag.
const minEntryLen = 26

// errIndex says an index file is damaged or in another format.
var errIndex = errors.New("damaged record index")

// encodeIndex writes ents in the index format.
func encodeIndex(ents []indexEntry) []byte {
	b := binary.AppendUvarint([]byte(indexMagic), uint64(len(ents)))
	for _, e := range ents {
		b = putString(b, e.Name)
		b = binary.AppendUvarint(b, e.Ino)
		b = encodeRecord(b, &e.Rec)
	}
	return b
}

// encodeRecord appends r to b.
func encodeRecord(b []byte, r *Record) []byte {
	for _, s := range []string{r.ID, string(r.State), r.Target.Path, r.Target.Name, r.Parent, r.VLANTemp,
		r.TempName, r.Name, r.Kind, r.Mode, r.Flag, r.MAC} {
		b = putString(b, s)
	}
	for _, n := range []int64{int64(r.PID), r.Created.Unix(), int64(r.Created.Nanosecond()), int64(r.Target.PID),
		int64(r.Target.NSID), int64(r.ParentIndex)} {
		b = binary.AppendVarint(b, n)
	}
	b = binary.AppendUvarint(b, r.Target.Inode)
	b = append(b, boolByte(r.VLANCreated), boolByte(r.LoUp))
	b = putStrings(b, r.Addresses)
	b = putStrings(b, r.Planned)
	b = binary.AppendUvarint(b, uint64(len(r.Extra)))
	for k, v := range r.Extra {
		b = putString(putString(b, k), v)
	}
	return b
}

// decodeIndex reads what encodeIndex wrote.
func decodeIndex(data []byte) ([]indexEntry, error) {
	s := string(data) // every string of the index points into this copy
	if len(s) < len(indexMagic) || s[:len(indexMagic)] != indexMagic {
		return nil, errIndex
	}
	d := &decoder{s: s[len(indexMagic):]}
	n := d.count()
	if n > len(d.s)/minEntryLen {
		return nil, errIndex // more entries than the file can hold
	}
	out := make([]indexEntry, 0, n)
	for len(d.s) > 0 && d.err == nil {
		e := indexEntry{Name: d.str(), Ino: d.uvarint()}
		d.record(&e.Rec)
		out = append(out, e)
	}
	if d.err != nil || len(out) != cap(out) {
		return nil, errIndex
	}
	return out, nil
}

// decoder reads the index format from s, remembering its first error.
type decoder struct {
	s   string
	err error
}

// record reads a record into r.
func (d *decoder) record(r *Record) {
	var state string
	for _, p := range []*string{&r.ID, &state, &r.Target.Path, &r.Target.Name, &r.Parent, &r.VLANTemp,
		&r.TempName, &r.Name, &r.Kind, &r.Mode, &r.Flag, &r.MAC} {
		*p = d.str()
	}
	r.State = State(state)
	r.PID = int(d.varint())
	sec, nsec := d.varint(), d.varint()
	r.Created = time.Unix(sec, nsec).UTC()
	for _, p := range []*int{&r.Target.PID, &r.Target.NSID, &r.ParentIndex} {
		*p = int(d.varint())
	}
	r.Target.Inode = d.uvarint()
	r.VLANCreated, r.LoUp = d.bool(), d.bool()
	r.Addresses = d.strs()
	if r.Addresses == nil {
		r.Addresses = []string{} // as the file has it: []
	}
	r.Planned = d.strs()
	if n := d.count(); n > 0 {
		r.Extra = make(map[string]string, n)
		for range n {
			k := d.str()
			r.Extra[k] = d.str()
		}
	}
}

// uvarint reads an unsigned varint.
func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }

// varint reads a signed varint.
func (d *decoder) varint() int64 { return readVarint(d, binary.Varint) }

// readVarint reads a varint of d with read (binary.Uvarint or Varint).
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	v, n := read([]byte(d.head(binary.MaxVarintLen64)))
	if n <= 0 {
		d.fail()
		return 0
	}
	d.s = d.s[n:]
	return v
}

// count reads a length, which cannot exceed what is left to read.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		d.fail()
		return 0
	}
	return int(n)
}

// str reads a string.
func (d *decoder) str() string {
	n := d.count()
	v := d.s[:n]
	d.s = d.s[n:]
	return v
}

// strs reads a list of strings; nil for an empty one.
func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// bool reads a byte 0 or 1.
func (d *decoder) bool() bool {
	if len(d.s) == 0 || d.s[0] > 1 {
		d.fail()
		return false
	}
	v := d.s[0] == 1
	d.s = d.s[1:]
	return v
}

// head returns up to n bytes of what is left, without consuming them.
func (d *decoder) head(n int) string { return d.s[:min(n, len(d.s))] }

// fail notes a damaged index and stops the reading.
func (d *decoder) fail() {
	if d.err == nil {
		d.err = errIndex
	}
	d.s = ""
}

// putString appends s with its length.
func putString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// putStrings appends a list of strings with its length.
func putStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = putString(b, s)
	}
	return b
}

// boolByte is 1 for true, 0 for false.
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
