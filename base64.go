package ec2token

import "slices"

// This file decodes the base64 of the native and Perl formats straight from
// the input string, which encoding/base64 would first copy into a []byte.

// base64Alphabet maps each byte to its 6-bit value, or -1 outside the
// alphabet.
type base64Alphabet [256]int8

func newBase64Alphabet(chars string) *base64Alphabet {
	var a base64Alphabet
	for i := range a {
		a[i] = -1
	}
	for i := 0; i < len(chars); i++ {
		a[chars[i]] = int8(i)
	}
	return &a
}

var (
	base64Std = newBase64Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
	base64URL = newBase64Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
)

// appendBase64 decodes s in alphabet a and appends the bytes to dst. With
// mime, s is padded with '=' to a multiple of four characters and CR and
// LF are skipped anywhere; without it, s has no padding and no line
// breaks. Unused bits of the last character must be zero. On failure it
// returns the offset in s of the first byte at fault and false.
func appendBase64(dst []byte, s string, a *base64Alphabet, mime bool) ([]byte, int, bool) {
	// Write by index into room for the longest result, then cut to size.
	o := len(dst)
	dst = slices.Grow(dst, len(s)/4*3+3)
	dst = dst[:cap(dst)]
	var q [4]byte
	n := 0
	i := 0
	for ; i < len(s); i++ {
		// Fast path: four characters of the alphabet in a row.
		for n == 0 && len(s)-i >= 4 {
			v0, v1, v2, v3 := a[s[i]], a[s[i+1]], a[s[i+2]], a[s[i+3]]
			if v0|v1|v2|v3 < 0 {
				break
			}
			dst[o], dst[o+1], dst[o+2] = byte(v0)<<2|byte(v1)>>4, byte(v1)<<4|byte(v2)>>2, byte(v2)<<6|byte(v3)
			o += 3
			i += 4
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if mime && (c == '\r' || c == '\n') {
			continue
		}
		v := a[c]
		if v < 0 {
			break
		}
		q[n] = byte(v)
		if n++; n == 4 {
			dst[o], dst[o+1], dst[o+2] = q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3]
			o += 3
			n = 0
		}
	}
	end := i
	if mime && n > 0 {
		// n characters need 4-n padding characters, then only line breaks.
		for pad := 4 - n; pad > 0; i++ {
			if i >= len(s) {
				return dst[:o], len(s), false
			}
			switch s[i] {
			case '=':
				pad--
			case '\r', '\n':
			default:
				return dst[:o], i, false
			}
		}
	}
	for ; i < len(s) && mime; i++ {
		if s[i] != '\r' && s[i] != '\n' {
			return dst[:o], i, false
		}
	}
	if i < len(s) {
		return dst[:o], i, false
	}
	switch n {
	case 1:
		return dst[:o], end, false
	case 2:
		if q[1]&0x0f != 0 {
			return dst[:o], end - 1, false
		}
		dst[o] = q[0]<<2 | q[1]>>4
		o++
	case 3:
		if q[2]&0x03 != 0 {
			return dst[:o], end - 1, false
		}
		dst[o], dst[o+1] = q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2
		o += 2
	}
	return dst[:o], 0, true
}
