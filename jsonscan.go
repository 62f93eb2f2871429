package ec2token

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small, strict JSON reader for the flat objects that
// credentials come in, and the string encoder the writers share. It reads
// RFC 8259 JSON, rejects repeated member names, and does not decode nested
// values, only checks them. It avoids encoding/json's reflection, which
// cost most of the time of a parse.

// maxJSONDepth bounds the nesting of values inside the top-level object.
const maxJSONDepth = 32

// jsonObject holds the members of one JSON object, each value undecoded,
// in the order read. Objects with many members get an index.
type jsonObject struct {
	members []jsonMember
	index   map[string]int // nil until there are more than jsonScanLimit
}

type jsonMember struct {
	name, raw string
}

// jsonScanLimit is the member count up to which lookups scan the members.
const jsonScanLimit = 16

// lookup returns the raw value of member name.
func (o *jsonObject) lookup(name string) (string, bool) {
	if o.index != nil {
		i, ok := o.index[name]
		if !ok {
			return "", false
		}
		return o.members[i].raw, true
	}
	for _, m := range o.members {
		if m.name == name {
			return m.raw, true
		}
	}
	return "", false
}

func (o *jsonObject) has(name string) bool {
	_, ok := o.lookup(name)
	return ok
}

// add appends a member and reports false if the name is already there.
func (o *jsonObject) add(name, raw string) bool {
	if o.has(name) {
		return false
	}
	o.members = append(o.members, jsonMember{name, raw})
	if o.index != nil {
		o.index[name] = len(o.members) - 1
	} else if len(o.members) > jsonScanLimit {
		o.index = make(map[string]int, 2*len(o.members))
		for i, m := range o.members {
			o.index[m.name] = i
		}
	}
	return true
}

type jsonScanner struct {
	data  string
	pos   int
	f     Format
	depth int
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return parseErrorf(s.f, "", format, args...)
}

func (s *jsonScanner) syntax() error {
	return s.errorf("malformed JSON near byte %d", s.pos)
}

// readJSONObject reads data as exactly one JSON object, surrounded by
// nothing but white space, with unique member names and valid UTF-8. The
// errors are *ParseError values of format f.
func readJSONObject(data string, f Format) (*jsonObject, error) {
	if !utf8.ValidString(data) {
		return nil, parseErrorf(f, "", "JSON is not valid UTF-8")
	}
	s := &jsonScanner{data: data, f: f}
	s.space()
	if !s.eat('{') {
		return nil, s.errorf("JSON is not an object")
	}
	obj := &jsonObject{members: make([]jsonMember, 0, 8)}
	s.space()
	if !s.eat('}') {
		for {
			s.space()
			start := s.pos
			if err := s.str(); err != nil {
				return nil, err
			}
			name, err := jsonName(s.data[start:s.pos])
			if err != nil {
				return nil, s.syntax()
			}
			s.space()
			if !s.eat(':') {
				return nil, s.syntax()
			}
			s.space()
			start = s.pos
			if err := s.value(); err != nil {
				return nil, err
			}
			if !obj.add(name, s.data[start:s.pos]) {
				return nil, s.errorf("member name repeated near byte %d", start)
			}
			s.space()
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, s.syntax()
			}
		}
	}
	s.space()
	if s.pos != len(s.data) {
		return nil, s.errorf("data after the JSON object")
	}
	return obj, nil
}

func (s *jsonScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

func (s *jsonScanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// value skips one JSON value, checking its syntax.
func (s *jsonScanner) value() error {
	if s.pos >= len(s.data) {
		return s.syntax()
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		return s.container(c)
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
			s.pos += len(lit)
			return nil
		}
	}
	return s.syntax()
}

func (s *jsonScanner) container(open byte) error {
	if s.depth >= maxJSONDepth {
		return s.errorf("JSON nested deeper than %d levels", maxJSONDepth)
	}
	s.depth++
	defer func() { s.depth-- }()
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	s.pos++
	s.space()
	if s.eat(closer) {
		return nil
	}
	for {
		s.space()
		if open == '{' {
			if err := s.str(); err != nil {
				return err
			}
			s.space()
			if !s.eat(':') {
				return s.syntax()
			}
			s.space()
		}
		if err := s.value(); err != nil {
			return err
		}
		s.space()
		if s.eat(closer) {
			return nil
		}
		if !s.eat(',') {
			return s.syntax()
		}
	}
}

// str skips a string, checking its escapes and that it holds no control
// characters.
func (s *jsonScanner) str() error {
	if !s.eat('"') {
		return s.syntax()
	}
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		s.pos++
		switch {
		case c == '"':
			return nil
		case c < 0x20:
			return s.syntax()
		case c == '\\':
			if s.pos >= len(s.data) {
				return s.syntax()
			}
			e := s.data[s.pos]
			s.pos++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(s.data)-s.pos < 4 {
					return s.syntax()
				}
				if _, err := strconv.ParseUint(s.data[s.pos:s.pos+4], 16, 16); err != nil {
					return s.syntax()
				}
				s.pos += 4
			default:
				return s.syntax()
			}
		}
	}
	return s.syntax()
}

// number skips a number of the JSON grammar.
func (s *jsonScanner) number() error {
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	s.eat('-')
	if s.eat('0') {
		if s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
			return s.syntax()
		}
	} else if digits() == 0 {
		return s.syntax()
	}
	if s.eat('.') && digits() == 0 {
		return s.syntax()
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if digits() == 0 {
			return s.syntax()
		}
	}
	return nil
}

// jsonNames are the member names the formats use, which jsonName returns
// without allocating.
var jsonNames = [...]string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Token",
	"Expiration", "Version", "Code", "LastUpdated", "Type"}

// jsonName decodes a member name, quotes included.
func jsonName(q string) (string, error) {
	if len(q) >= 2 {
		for _, n := range jsonNames {
			if len(n) == len(q)-2 && n == q[1:len(q)-1] {
				return n, nil
			}
		}
	}
	return decodeJSONString(q)
}

// decodeJSONString decodes a string that the scanner has checked, quotes
// included. Unpaired surrogates become U+FFFD, as in encoding/json.
func decodeJSONString(q string) (string, error) {
	if len(q) < 2 {
		return "", strconv.ErrSyntax
	}
	q = q[1 : len(q)-1]
	i := 0
	for i < len(q) && q[i] != '\\' {
		i++
	}
	if i == len(q) {
		return q, nil
	}
	b := make([]byte, i, len(q))
	copy(b, q)
	for i < len(q) {
		c := q[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(q) {
			return "", strconv.ErrSyntax
		}
		i += 2
		switch q[i-1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := decodeJSONRune(q[i-2:])
			if n == 0 {
				return "", strconv.ErrSyntax
			}
			b = utf8.AppendRune(b, r)
			i += n - 2
		default:
			b = append(b, q[i-1])
		}
	}
	return string(b), nil
}

// decodeJSONRune decodes \uXXXX, or a surrogate pair of them, at the start
// of q, and returns the rune and the bytes used, 0 when malformed.
func decodeJSONRune(q string) (rune, int) {
	hex := func(q string) rune {
		if len(q) < 6 || q[0] != '\\' || q[1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(q[2:6], 16, 16)
		if err != nil {
			return -1
		}
		return rune(v)
	}
	r := hex(q)
	if r < 0 {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if r2 := hex(q[6:]); r2 >= 0 {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}

// str returns member name as a string; an absent member gives "".
func (o *jsonObject) str(f Format, name string) (string, error) {
	raw, ok := o.lookup(name)
	if !ok {
		return "", nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", parseErrorf(f, name, "is not a JSON string")
	}
	s, err := decodeJSONString(raw)
	if err != nil {
		return "", parseErrorf(f, name, "is not a valid JSON string")
	}
	return s, nil
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 is written as
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// appendJSONMember appends "name":"value", preceded by a comma unless it
// is the first member, and skips an empty optional value.
func appendJSONMember(b []byte, name, value string, optional bool) []byte {
	if optional && value == "" {
		return b
	}
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendJSONString(b, name)
	b = append(b, ':')
	return appendJSONString(b, value)
}
