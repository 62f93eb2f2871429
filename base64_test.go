package ec2token

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendBase64MatchesEncoding(t *testing.T) {
	data := []byte(strings.Repeat("\x00\xff\x10ec2token\x80", 20))
	for n := 0; n <= len(data); n += 7 {
		in := data[:n]
		got, _, ok := appendBase64(nil, base64.RawURLEncoding.EncodeToString(in), base64URL, false)
		require.True(t, ok, "appendBase64(url, %d bytes)", n)
		assert.Equal(t, string(in), string(got), "appendBase64(url, %d bytes)", n)

		mime := string(perlBase64(in))
		got, _, ok = appendBase64([]byte("x"), strings.ReplaceAll(mime, "\n", "\r\n"), base64Std, true)
		require.True(t, ok, "appendBase64(mime, %d bytes)", n)
		assert.Equal(t, append([]byte("x"), in...), got, "appendBase64(mime, %d bytes)", n)
	}
}

func TestAppendBase64Errors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		mime     bool
		bad      int
	}{
		{"url padding", "QQ==", false, 2},
		{"url line break", "QUJD\nREVG", false, 4},
		{"url std alphabet", "ab+/", false, 2},
		{"url one char", "QUJDR", false, 5},
		{"url trailing bits", "QR", false, 1},
		{"mime no padding", "QQ", true, 2},
		{"mime short padding", "QQ=", true, 3},
		{"mime long padding", "QQ===", true, 4},
		{"mime data after padding", "QQ==QUJD", true, 4},
		{"mime space", "QUJD REVG", true, 4},
		{"mime trailing bits", "QR==", true, 1},
		{"mime url alphabet", "ab-_", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := base64URL
			if tc.mime {
				a = base64Std
			}
			_, bad, ok := appendBase64(nil, tc.in, a, tc.mime)
			assert.False(t, ok, "appendBase64(%q) succeeded, want failure", tc.in)
			assert.Equal(t, tc.bad, bad, "appendBase64(%q) bad offset", tc.in)
		})
	}
}
