package ec2token

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// This file reads and writes the binary format of Perl's Storable module,
// as far as serialized VM::EC2 credentials need it. A Storable image is a
// two-byte header (major version shifted left by one, plus 1 for network
// byte order; then the minor version), a byte-order description when not
// in network order, and one value. Each value starts with a type byte.
// Values that the reader does not understand (code, tied variables,
// objects frozen by hooks) end the read with an error naming the type.

// Storable type bytes.
const (
	sxObject       = 0  // back-reference: a 4-byte tag in network order
	sxLScalar      = 1  // byte string, 4-byte length
	sxArray        = 2  // 4-byte count, then the items
	sxHash         = 3  // 4-byte count, then value, 4-byte key length, key
	sxRef          = 4  // reference to the value that follows
	sxUndef        = 5  // undefined scalar
	sxInteger      = 6  // native integer (native byte order only)
	sxDouble       = 7  // native double (native byte order only)
	sxByte         = 8  // one byte, value plus 128
	sxNetInt       = 9  // 4-byte signed integer, network order
	sxScalar       = 10 // byte string, 1-byte length
	sxTiedArray    = 11
	sxTiedHash     = 12
	sxTiedScalar   = 13
	sxSVUndef      = 14 // Perl's immortal undef
	sxSVYes        = 15 // Perl's immortal true
	sxSVNo         = 16 // Perl's immortal false
	sxBless        = 17 // class name, then the blessed value
	sxIXBless      = 18 // index of a class name seen before, then the value
	sxHook         = 19
	sxOverload     = 20 // reference to an object with overloading
	sxTiedKey      = 21
	sxTiedIdx      = 22
	sxUTF8Str      = 23 // UTF-8 string, 1-byte length
	sxLUTF8Str     = 24 // UTF-8 string, 4-byte length
	sxFlagHash     = 25 // hash flags, count, then value, key flags, key
	sxCode         = 26
	sxWeakRef      = 27
	sxWeakOverload = 28
	sxVString      = 29 // v-string magic, 1-byte length, then the string
	sxLVString     = 30 // v-string magic, 4-byte length, then the string
	sxSVUndefElem  = 31 // array element set to the immortal undef
	sxRegexp       = 32
	sxLObject      = 33
	sxBooleanTrue  = 34
	sxBooleanFalse = 35
)

var storableTypeNames = map[byte]string{
	sxTiedArray: "tied array", sxTiedHash: "tied hash", sxTiedScalar: "tied scalar",
	sxHook: "object frozen by a hook", sxTiedKey: "tied hash element",
	sxTiedIdx: "tied array element", sxCode: "code reference",
	sxLObject: "object larger than 2 GiB",
}

// Flags of an SX_FLAG_HASH key.
const (
	shvKeyUTF8        = 0x01
	shvKeyIsSV        = 0x08
	shvKeyPlaceholder = 0x10
	shrU32RegexpLen   = 0x01
)

// Limits of the Storable reader. Every value needs at least one byte of
// input, so the input size also bounds the number of values.
const (
	maxStorableSize  = MaxSerializedSize
	maxStorableDepth = 64
)

// storableMajor is the only major version of the format since Storable
// 0.7 (1998). Minor versions only add types.
const storableMajor = 2

// plKind is the kind of a Perl value.
type plKind uint8

const (
	plUndef plKind = iota
	plString
	plRef
	plArray
	plHash
	plOther // a value that is read but not represented, such as a regexp
)

// plValue is a Perl value read from Storable. Values reached through more
// than one reference are shared, so the graph may have cycles.
type plValue struct {
	kind  plKind
	str   string // plString: the characters, as UTF-8
	class string // the package it is blessed into, or ""
	ref   *plValue
	items []plEntry // plArray: the elements, with no keys; plHash: the
	// entries in the order read (see [plValue.get])
}

// plEntry is one key and value of a Perl hash, or one element of an array.
type plEntry struct {
	key string
	val *plValue
}

// get returns the value of key in a hash, or nil. A key that the data
// repeats keeps its last value, as in Perl. Lookups scan the entries,
// which is quicker than a map for the few keys of a VM::EC2 object.
func (v *plValue) get(key string) *plValue {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].key == key {
			return v.items[i].val
		}
	}
	return nil
}

// storableReader reads one image at a time. Its values and entries come
// from arenas that a pooled reader keeps between images, so that reading
// credentials allocates little beyond the image's text.
type storableReader struct {
	data    string    // the image; string values are cut from it
	vals    []plValue // arena of values; grows by new chunks, never in place
	ents    []plEntry // arena of array and hash entries, likewise
	pos     int
	little  bool // byte order of lengths, integers and doubles
	netOrd  bool
	ivSize  int
	nvSize  int
	seen    []*plValue // by tag, in the order values start
	classes []string
	depth   int
}

// storableError reports malformed Storable data. It never quotes the data.
func storableError(format string, args ...any) error {
	return parseErrorf(FormatPerl, "", "Storable data: "+format, args...)
}

// readStorable reads one Storable image, as written by Perl's freeze or
// nfreeze, and returns its top value. It returns a *ParseError for data
// that is malformed, uses a type it does not read, nests deeper than
// maxStorableDepth, is larger than maxStorableSize, or has bytes after the
// value.
func readStorable(data string) (*plValue, error) {
	return new(storableReader).read(data)
}

// storablePool holds readers whose arenas are no larger than a VM::EC2
// object needs, for [withStorable].
var storablePool = sync.Pool{New: func() any { return new(storableReader) }}

// withStorable reads data as readStorable does, with a pooled reader, and
// calls use with the top value. The values are valid only during use: the
// reader is then cleared, so that it holds no reference to the data, and
// pooled again.
func withStorable[T any](data string, use func(*plValue) (T, error)) (T, error) {
	r := storablePool.Get().(*storableReader)
	v, err := r.read(data)
	var out T
	if err == nil {
		out, err = use(v)
	}
	clear(r.vals)
	clear(r.ents)
	clear(r.seen)
	clear(r.classes)
	if cap(r.vals) <= 64 && cap(r.ents) <= 256 && cap(r.seen) <= 256 {
		*r = storableReader{vals: r.vals[:0], ents: r.ents[:0], seen: r.seen[:0],
			classes: r.classes[:0]}
		storablePool.Put(r)
	}
	return out, err
}

func (r *storableReader) read(data string) (*plValue, error) {
	if len(data) > maxStorableSize {
		return nil, storableError("%d bytes long; the limit is %d", len(data), maxStorableSize)
	}
	r.data, r.netOrd = data, true
	if err := r.header(); err != nil {
		return nil, err
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	if r.pos != len(r.data) {
		return nil, storableError("%d bytes after the value", len(r.data)-r.pos)
	}
	return v, nil
}

func (r *storableReader) header() error {
	if len(r.data) < 2 {
		return storableError("too short for a header")
	}
	major, minor := int(r.data[0]>>1), int(r.data[1])
	if major != storableMajor {
		return storableError("major version %d is not supported; this build reads %d",
			major, storableMajor)
	}
	r.pos = 2
	if r.data[0]&1 == 1 {
		return nil
	}

	// Native byte order: a byte-order string such as "12345678", then the
	// sizes of int, long, pointer and NV.
	r.netOrd = false
	n, err := r.byte()
	if err != nil {
		return err
	}
	bo, err := r.bytes(int(n))
	if err != nil {
		return err
	}
	switch string(bo) {
	case "1234", "12345678":
		r.little = true
	case "4321", "87654321":
	default:
		return storableError("byte order is not one this build reads")
	}
	r.ivSize, r.nvSize = len(bo), 8
	if minor >= 2 {
		sizes, err := r.bytes(4)
		if err != nil {
			return err
		}
		r.nvSize = int(sizes[3])
	}
	return nil
}

func (r *storableReader) byte() (byte, error) {
	if r.pos >= len(r.data) {
		return 0, storableError("truncated at byte %d", r.pos)
	}
	r.pos++
	return r.data[r.pos-1], nil
}

func (r *storableReader) bytes(n int) (string, error) {
	if n < 0 || n > len(r.data)-r.pos {
		return "", storableError("length at byte %d runs past the end", r.pos)
	}
	r.pos += n
	return r.data[r.pos-n : r.pos], nil
}

// uint decodes 4 or 8 bytes as an unsigned integer, in network order or,
// unless net is set, in the image's byte order.
func (r *storableReader) uint(b string, net bool) uint64 {
	var u uint64
	for i := range len(b) {
		if r.little && !net {
			u |= uint64(b[i]) << (8 * i)
		} else {
			u = u<<8 | uint64(b[i])
		}
	}
	return u
}

// length reads a 4-byte length or count, in the image's byte order, and
// checks that at least min bytes per unit remain.
func (r *storableReader) length(min int) (int, error) {
	b, err := r.bytes(4)
	if err != nil {
		return 0, err
	}
	n := int64(int32(r.uint(b, false)))
	if n < 0 || n*int64(min) > int64(len(r.data)-r.pos) {
		return 0, storableError("length at byte %d runs past the end", r.pos-4)
	}
	return int(n), nil
}

// shortOrLong reads a 1-byte length, or a 4-byte one when the first byte
// has its high bit set, as class names and class indexes are written.
func (r *storableReader) shortOrLong() (int, error) {
	n, err := r.byte()
	if err != nil || n&0x80 == 0 {
		return int(n), err
	}
	return r.length(1)
}

// newValue registers a value under the next tag before its contents are
// read, as Storable numbers them.
func (r *storableReader) newValue(k plKind) *plValue {
	n := len(r.vals)
	if n == cap(r.vals) {
		r.vals, n = make([]plValue, 0, max(16, 2*n)), 0
	}
	r.vals = r.vals[:n+1]
	v := &r.vals[n]
	*v = plValue{kind: k}
	r.seen = append(r.seen, v)
	return v
}

// entries returns an empty slice with room for n entries, from the arena.
func (r *storableReader) entries(n int) []plEntry {
	l := len(r.ents)
	if cap(r.ents)-l < n {
		r.ents, l = make([]plEntry, 0, max(32, n, 2*cap(r.ents))), 0
	}
	r.ents = r.ents[:l+n]
	return r.ents[l : l : l+n]
}

func (r *storableReader) str(s string) *plValue {
	v := r.newValue(plString)
	v.str = s
	return v
}

func (r *storableReader) value() (*plValue, error) {
	if r.depth >= maxStorableDepth {
		return nil, storableError("nested deeper than %d levels", maxStorableDepth)
	}
	r.depth++
	v, err := r.valueAt(r.pos)
	r.depth--
	return v, err
}

// valueAt reads a value that starts at byte at, one level deeper.
func (r *storableReader) valueAt(at int) (*plValue, error) {
	t, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch t {
	case sxObject:
		b, err := r.bytes(4)
		if err != nil {
			return nil, err
		}
		tag := int64(int32(r.uint(b, true)))
		if tag < 0 || tag >= int64(len(r.seen)) {
			return nil, storableError("back-reference at byte %d to an unknown value", at)
		}
		return r.seen[tag], nil
	case sxScalar, sxLScalar, sxUTF8Str, sxLUTF8Str:
		n, err := r.strLen(t == sxLScalar || t == sxLUTF8Str)
		if err != nil {
			return nil, err
		}
		b, err := r.bytes(n)
		if err != nil {
			return nil, err
		}
		if t == sxUTF8Str || t == sxLUTF8Str {
			return r.str(b), nil
		}
		return r.str(latin1(b)), nil
	case sxUndef, sxSVUndef, sxSVUndefElem:
		return r.newValue(plUndef), nil
	case sxSVYes, sxBooleanTrue:
		return r.str("1"), nil
	case sxSVNo, sxBooleanFalse:
		return r.str(""), nil
	case sxByte:
		b, err := r.byte()
		return r.str(strconv.Itoa(int(b) - 128)), err
	case sxNetInt:
		b, err := r.bytes(4)
		if err != nil {
			return nil, err
		}
		return r.str(strconv.Itoa(int(int32(r.uint(b, true))))), nil
	case sxInteger, sxDouble:
		return r.number(t, at)
	case sxRef, sxWeakRef, sxOverload, sxWeakOverload:
		v := r.newValue(plRef)
		v.ref, err = r.value()
		return v, err
	case sxArray:
		return r.array()
	case sxHash, sxFlagHash:
		return r.hash(t == sxFlagHash)
	case sxBless, sxIXBless:
		return r.blessed(t == sxBless, at)
	case sxVString, sxLVString:
		// The v-string magic is dropped; the string follows as a value.
		n, err := r.strLen(t == sxLVString)
		if err == nil {
			_, err = r.bytes(n)
		}
		if err != nil {
			return nil, err
		}
		return r.value()
	case sxRegexp:
		return r.regexp()
	}
	if name, ok := storableTypeNames[t]; ok {
		return nil, storableError("type %d (%s) at byte %d is not supported", t, name, at)
	}
	return nil, storableError("unknown type %d at byte %d", t, at)
}

func (r *storableReader) strLen(long bool) (int, error) {
	if long {
		return r.length(1)
	}
	n, err := r.byte()
	return int(n), err
}

// latin1 returns Perl's byte string b as UTF-8: each byte is one character.
func latin1(b string) string {
	i := 0
	for ; len(b)-i >= 8; i += 8 { // eight bytes at a time while all ASCII
		w := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
			uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			rs := make([]rune, len(b))
			for i := 0; i < len(b); i++ {
				rs[i] = rune(b[i])
			}
			return string(rs)
		}
	}
	return b
}

// number reads a native integer or double, which Storable writes only in
// native byte order, and returns it as Perl would print it.
func (r *storableReader) number(t byte, at int) (*plValue, error) {
	size := r.ivSize
	if t == sxDouble {
		size = r.nvSize
	}
	if r.netOrd || size != 4 && size != 8 {
		return nil, storableError("native number at byte %d in an image "+
			"without a native size for it", at)
	}
	b, err := r.bytes(size)
	if err != nil {
		return nil, err
	}
	u := r.uint(b, false)
	switch {
	case t == sxInteger && size == 4:
		return r.str(strconv.FormatInt(int64(int32(u)), 10)), nil
	case t == sxInteger:
		return r.str(strconv.FormatInt(int64(u), 10)), nil
	case size == 8:
		return r.str(strconv.FormatFloat(math.Float64frombits(u), 'g', 15, 64)), nil
	}
	return r.str(strconv.FormatFloat(float64(math.Float32frombits(uint32(u))), 'g', 15, 64)), nil
}

func (r *storableReader) array() (*plValue, error) {
	n, err := r.length(1)
	if err != nil {
		return nil, err
	}
	v := r.newValue(plArray)
	v.items = r.entries(n)
	for range n {
		item, err := r.value()
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, plEntry{val: item})
	}
	return v, nil
}

// hash reads an SX_HASH or, with flags, an SX_FLAG_HASH. Placeholders of
// restricted hashes are dropped.
func (r *storableReader) hash(flags bool) (*plValue, error) {
	if flags {
		if _, err := r.byte(); err != nil { // restricted-hash flag
			return nil, err
		}
	}
	// An entry takes at least a value byte and a 4-byte key length, or a
	// value byte, a flag byte and a key value.
	minEntry := 5
	if flags {
		minEntry = 3
	}
	n, err := r.length(minEntry)
	if err != nil {
		return nil, err
	}
	v := r.newValue(plHash)
	v.items = r.entries(n)
	for range n {
		item, err := r.value()
		if err != nil {
			return nil, err
		}
		key, keep, err := r.hashKey(flags)
		if err != nil {
			return nil, err
		}
		if keep {
			v.items = append(v.items, plEntry{key, item})
		}
	}
	return v, nil
}

func (r *storableReader) hashKey(flags bool) (key string, keep bool, err error) {
	var kf byte
	if flags {
		if kf, err = r.byte(); err != nil {
			return "", false, err
		}
	}
	if kf&shvKeyIsSV != 0 {
		at := r.pos
		k, err := r.value()
		if err != nil {
			return "", false, err
		}
		if k.kind != plString {
			return "", false, storableError("hash key at byte %d is not a string", at)
		}
		return k.str, kf&shvKeyPlaceholder == 0, nil
	}
	n, err := r.length(1)
	if err != nil {
		return "", false, err
	}
	b, err := r.bytes(n)
	if err != nil {
		return "", false, err
	}
	key = latin1(b)
	if kf&shvKeyUTF8 != 0 {
		key = b
	}
	return key, kf&shvKeyPlaceholder == 0, nil
}

func (r *storableReader) blessed(named bool, at int) (*plValue, error) {
	n, err := r.shortOrLong()
	if err != nil {
		return nil, err
	}
	var class string
	if named {
		b, err := r.bytes(n)
		if err != nil {
			return nil, err
		}
		class = latin1(b)
		r.classes = append(r.classes, class)
	} else {
		if n >= len(r.classes) {
			return nil, storableError("class index at byte %d names no class", at)
		}
		class = r.classes[n]
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	v.class = class
	return v, nil
}

// regexp skips a compiled pattern: flags, pattern and modifiers.
func (r *storableReader) regexp() (*plValue, error) {
	f, err := r.byte()
	if err != nil {
		return nil, err
	}
	n, err := r.strLen(f&shrU32RegexpLen != 0)
	if err == nil {
		_, err = r.bytes(n)
	}
	if err == nil {
		n, err = r.strLen(false)
	}
	if err == nil {
		_, err = r.bytes(n)
	}
	if err != nil {
		return nil, err
	}
	return r.newValue(plOther), nil
}

// storableWriter writes Storable images in network order, the form Perl's
// nfreeze writes.
type storableWriter struct{ b []byte }

// storableMinor is the minor version written; Storable 2.x and 3.x read
// images of their own minor version and older.
const storableMinor = 11

// newStorableWriter starts an image; size is the expected length in bytes,
// a hint only.
func newStorableWriter(size int) *storableWriter {
	b := make([]byte, 0, size)
	return &storableWriter{b: append(b, storableMajor<<1|1, storableMinor)}
}

func (w *storableWriter) u32(n int) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(n))
}

// bless starts a value blessed into class, which must be shorter than 128
// bytes; the value follows.
func (w *storableWriter) bless(class string) {
	if len(class) >= 0x80 {
		panic(fmt.Sprintf("ec2token: class name of %d bytes", len(class)))
	}
	w.b = append(w.b, sxBless, byte(len(class)))
	w.b = append(w.b, class...)
}

// hash starts a hash of n entries. Each entry is its value, then key.
func (w *storableWriter) hash(n int) { w.b = append(w.b, sxHash); w.u32(n) }

func (w *storableWriter) key(k string) { w.u32(len(k)); w.b = append(w.b, k...) }

func (w *storableWriter) ref() { w.b = append(w.b, sxRef) }

func (w *storableWriter) undef() { w.b = append(w.b, sxUndef) }

// str writes a byte string; s must hold only ASCII for Perl to read back
// the same characters.
func (w *storableWriter) str(s string) {
	w.strHeader(len(s))
	w.b = append(w.b, s...)
}

// strHeader starts a byte string of n bytes, which the caller appends.
func (w *storableWriter) strHeader(n int) {
	if n <= 0xff {
		w.b = append(w.b, sxScalar, byte(n))
	} else {
		w.b = append(w.b, sxLScalar)
		w.u32(n)
	}
}
