package ec2token

import (
	"bufio"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dump writes v compactly: undef, "string", \ref, [array], Class{k:v}.
// A value met again on the current path prints as <cycle>.
func (v *plValue) dump(path []*plValue) string {
	if slices.Contains(path, v) {
		return "<cycle>"
	}
	path = append(path, v)
	var s string
	switch v.kind {
	case plUndef:
		s = "undef"
	case plString:
		s = strconv.Quote(v.str)
	case plRef:
		s = `\` + v.ref.dump(path)
	case plArray:
		items := make([]string, len(v.items))
		for i, it := range v.items {
			items[i] = it.val.dump(path)
		}
		s = "[" + strings.Join(items, ",") + "]"
	case plHash:
		var items []string
		for _, e := range v.items {
			if v.get(e.key) == e.val {
				items = append(items, strconv.Quote(e.key)+":"+e.val.dump(path))
			}
		}
		slices.Sort(items)
		s = "{" + strings.Join(items, ",") + "}"
	default:
		s = "other"
	}
	return v.class + s
}

// storableImages reads the images that Perl's Storable wrote into
// testdata/storable/images.txt.
func storableImages(t testing.TB) map[string][]byte {
	f, err := os.Open("testdata/storable/images.txt")
	require.NoError(t, err)
	defer f.Close()
	images := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, h, ok := strings.Cut(sc.Text(), "\t")
		require.True(t, ok, "images.txt line %q", sc.Text())
		b, err := hex.DecodeString(h)
		require.NoError(t, err, "images.txt %s", name)
		images[name] = b
	}
	require.NoError(t, sc.Err())
	return images
}

func TestReadStorablePerlImages(t *testing.T) {
	images := storableImages(t)
	for _, tc := range []struct{ name, want string }{
		{"shared", `[\{"k":"v"},\{"k":"v"},\\{"k":"v"}]`},
		{"cycle", `[\<cycle>]`},
		{"numbers native", `["1","-5","300","-1099511627776","1.5"]`},
		{"numbers net", `["1","-128","127","128","-129","2147483647","-2147483648","1099511627776","1.5"]`},
		{"utf8 hash", `{"café":"café","☺":"☺"}`},
		{"wasutf8 hash", `{"café":"1","☺":"2"}`},
		{"restricted", `{"a":"1"}`},
		{"long strings", `["` + strings.Repeat("L", 300) + `","` + strings.Repeat("☺", 100) + `"]`},
		{"blessed", `[\Foo{},\Foo[],\Bar"s",\` + strings.Repeat("C", 200) + `{}]`},
		{"weak", `[\{},\{}]`},
		{"overload", `[\Ov{}]`},
		{"regexp", `[\Regexpother,"after"]`},
		{"immortals", `[\undef,\"1",\"",undef]`},
		{"sparse", `[undef,undef,"x"]`},
		{"vstring", `["\x01\x02\x03"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, ok := images[tc.name]
			require.True(t, ok, "no image %q", tc.name)
			v, err := readStorable(string(img))
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.dump(nil), "readStorable(%s)", tc.name)
		})
	}
}

func TestReadStorableSharesValues(t *testing.T) {
	images := storableImages(t)
	v, err := readStorable(string(images["shared"]))
	require.NoError(t, err)
	assert.Same(t, v.items[0].val.ref, v.items[1].val.ref, "readStorable(shared): [$x,$x] refer to two hashes")
	assert.Same(t, v.items[0].val.ref, v.items[2].val.ref.ref, "readStorable(shared): \\$x refers to another hash")

	v, err = readStorable(string(images["weak"]))
	require.NoError(t, err)
	assert.Same(t, v.items[0].val.ref, v.items[1].val.ref, "readStorable(weak): weak ref to another hash")
}

func TestReadStorableErrors(t *testing.T) {
	images := storableImages(t)
	h := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		require.NoError(t, err)
		return b
	}
	deep := []byte{0x05, 0x0b}
	for range maxStorableDepth {
		deep = append(deep, sxRef)
	}
	deep = append(deep, sxUndef)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "too short for a header"},
		{"major 1", h("03 0b 05"), "major version 1 is not supported; this build reads 2"},
		{"no value", h("05 0b"), "truncated at byte 2"},
		{"trailing", h("05 0b 05 05"), "1 bytes after the value"},
		{"code", images["code"], "type 26 (code reference) at byte 8 is not supported"},
		{"unknown type", h("05 0b 63"), "unknown type 99 at byte 2"},
		{"hook", h("05 0b 13 00"), "type 19 (object frozen by a hook)"},
		{"short string", h("05 0b 0a 05 41 42"), "length at byte 4 runs past the end"},
		{"long string", h("05 0b 01 7fffffff 41"), "length at byte 3 runs past the end"},
		{"negative length", h("05 0b 01 ffffffff"), "length at byte 3 runs past the end"},
		{"huge array", h("05 0b 02 00100000 05"), "length at byte 3 runs past the end"},
		{"huge hash", h("05 0b 03 00000002 05 00000000"), "length at byte 3 runs past the end"},
		{"back-reference ahead", h("05 0b 02 00000001 00 00000001"), "back-reference at byte 7 to an unknown value"},
		{"negative back-reference", h("05 0b 00 ffffffff"), "back-reference at byte 2 to an unknown value"},
		{"class index", h("05 0b 12 00 05"), "class index at byte 2 names no class"},
		{"key is a ref", h("05 0b 19 00 00000001 05 08 04 05"), "hash key at byte 10 is not a string"},
		{"integer in network order", h("05 0b 06 0000000000000001"), "native number at byte 2"},
		{"byte order", h("04 0b 04 41424344 04080808 05"), "byte order is not one this build reads"},
		{"too deep", deep, "nested deeper than 64 levels"},
		{"too large", make([]byte, maxStorableSize+1), "65537 bytes long; the limit is 65536"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := readStorable(string(tc.in))
			require.Error(t, err, "readStorable(%s) = %v, want error", tc.name, v)
			assert.Contains(t, err.Error(), tc.want)
			var pe *ParseError
			assert.True(t, errors.As(err, &pe), "readStorable error is %T, want *ParseError", err)
		})
	}
}

func TestParsePerlErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bad padding", "BQsR=A==", "ec2token: cannot read perl credentials: not valid base64"},
		{"not a hash", "BQsKA2FiYw==", "ec2token: cannot read perl credentials: frozen value is not a hash, as a VM::EC2 object is"},
		{"no data", "BQsDAAAAAA==", "ec2token: cannot read perl credentials: data: is missing"},
		{"data not a ref", "BQsDAAAAAQoBeAAAAARkYXRh", "ec2token: cannot read perl credentials: data: is not a reference to a hash"},
		{"truncated", "BQsDAAAA", "ec2token: cannot read perl credentials: Storable data: length at byte 3 runs past the end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCredentials(tc.in)
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestReadStorableRepeatedKey(t *testing.T) {
	// A hash whose key "k" comes twice, as no Perl writes but a forged
	// image may: the last value wins, as when Perl stores the pairs.
	b, err := hex.DecodeString(strings.ReplaceAll("050b 03 00000002 0a0131 00000001 6b 0a0132 00000001 6b", " ", ""))
	require.NoError(t, err)
	v, err := readStorable(string(b))
	require.NoError(t, err)
	assert.Equal(t, `{"k":"2"}`, v.dump(nil), "readStorable(repeated key)")
	assert.Equal(t, "2", v.get("k").str)
}

func TestReadStorableNativeSizes(t *testing.T) {
	for _, tc := range []struct {
		name, hex, want string
	}{
		{"32-bit little-endian", "04 0b 04 31323334 04040404 02 02000000 06 feffffff 07 0000c03f", `["-2","1.5"]`},
		{"64-bit big-endian", "04 0b 08 3837363534333231 04080808 02 00000001 06 fffffffffffffffd", `["-3"]`},
		{"minor 1 without sizes", "04 01 04 31323334 06 07000000", `"7"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(strings.ReplaceAll(tc.hex, " ", ""))
			require.NoError(t, err)
			v, err := readStorable(string(b))
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.dump(nil), "readStorable(%s)", tc.name)
		})
	}
}

func TestStorableWriterReadsBack(t *testing.T) {
	w := newStorableWriter(0)
	w.bless("Some::Class")
	w.hash(3)
	w.str(strings.Repeat("x", 255))
	w.key("short")
	w.str(strings.Repeat("y", 256))
	w.key("long")
	w.ref()
	w.undef()
	w.key("ref")
	v, err := readStorable(string(w.b))
	require.NoError(t, err)
	assert.Equal(t, `Some::Class{"long":"`+strings.Repeat("y", 256)+`","ref":\undef,"short":"`+
		strings.Repeat("x", 255)+`"}`, v.dump(nil))
	assert.Equal(t, []byte{sxScalar, 0xff}, w.b[20:22], "255-byte string uses SX_SCALAR")
}
