package ec2token

import (
	"slices"
	"strconv"
	"strings"
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

// jsonObject holds the members of one JSON object, each value undecoded.
// Members with the names the formats use have slots; others are only
// counted, and their names kept to catch repeats.
type jsonObject struct {
	known   [len(jsonNames)]string
	present [len(jsonNames)]bool
	others  map[string]bool // names of the other members; nil when none
}

// jsonNames are the member names that get a slot in a jsonObject.
var jsonNames = [...]string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Token",
	"Expiration", "Version", "Code", "LastUpdated", "Type"}

// jsonNameIndex returns the slot of name, quoted when quoted is set, or -1.
func jsonNameIndex(name string, quoted bool) int {
	if quoted {
		if len(name) < 2 {
			return -1
		}
		name = name[1 : len(name)-1]
	}
	for i, n := range jsonNames {
		if n == name {
			return i
		}
	}
	return -1
}

// lookup returns the raw value of member name.
func (o *jsonObject) lookup(name string) (string, bool) {
	if i := jsonNameIndex(name, false); i >= 0 {
		return o.known[i], o.present[i]
	}
	return "", false
}

func (o *jsonObject) has(name string) bool {
	_, ok := o.lookup(name)
	return ok
}

// only reports whether every member has one of the names.
func (o *jsonObject) only(names ...string) bool {
	if len(o.others) > 0 {
		return false
	}
	for i, n := range jsonNames {
		if o.present[i] && !slices.Contains(names, n) {
			return false
		}
	}
	return true
}

// add records a member, with its name as written (quoted, maybe escaped),
// and reports false if the name is already there.
func (o *jsonObject) add(quoted, raw string) (bool, error) {
	i := jsonNameIndex(quoted, true)
	var name string
	if i < 0 {
		var err error
		if name, err = decodeJSONString(quoted); err != nil {
			return false, err
		}
		i = jsonNameIndex(name, false)
	}
	switch {
	case i >= 0 && o.present[i], i < 0 && o.others[name]:
		return false, nil
	case i >= 0:
		o.known[i], o.present[i] = raw, true
	default:
		if o.others == nil {
			o.others = map[string]bool{}
		}
		o.others[name] = true
	}
	return true, nil
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
	obj := new(jsonObject)
	return obj, obj.read(data, f)
}

// read reads data into o, which must be empty; see [readJSONObject].
func (o *jsonObject) read(data string, f Format) error {
	if !utf8.ValidString(data) {
		return parseErrorf(f, "", "JSON is not valid UTF-8")
	}
	s := &jsonScanner{data: data, f: f}
	s.space()
	if !s.eat('{') {
		return s.errorf("JSON is not an object")
	}
	s.space()
	if !s.eat('}') {
		for {
			s.space()
			start := s.pos
			if err := s.str(); err != nil {
				return err
			}
			name := s.data[start:s.pos]
			s.space()
			if !s.eat(':') {
				return s.syntax()
			}
			s.space()
			start = s.pos
			if err := s.value(); err != nil {
				return err
			}
			if ok, err := o.add(name, s.data[start:s.pos]); err != nil {
				return s.syntax()
			} else if !ok {
				return s.errorf("member name repeated near byte %d", start)
			}
			s.space()
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return s.syntax()
			}
		}
	}
	s.space()
	if s.pos != len(s.data) {
		return s.errorf("data after the JSON object")
	}
	return nil
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
		for s.pos < len(s.data) && jsonPlain[s.data[s.pos]] {
			s.pos++
		}
		if s.pos == len(s.data) {
			break
		}
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

// jsonPlain marks the bytes that stand for themselves inside a string: all
// but the quote, the backslash and control characters.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

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

// decodeJSONString decodes a string that the scanner has checked, quotes
// included. Unpaired surrogates become U+FFFD, as in encoding/json.
func decodeJSONString(q string) (string, error) {
	if len(q) < 2 {
		return "", strconv.ErrSyntax
	}
	q = q[1 : len(q)-1]
	i := strings.IndexByte(q, '\\')
	if i < 0 {
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
