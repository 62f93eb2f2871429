package ec2token

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// maxPolicyInput bounds the documents ParsePolicy reads, in bytes, before it
// parses them. It is far above what compacts to 2048 characters, so that
// indentation never matters, and low enough to bound the work.
const maxPolicyInput = 64 << 10

// ParsePolicy reads an IAM policy document written by hand, such as the
// contents of a policy file, and checks it as [Policy.Validate] does. It
// also checks the structure IAM requires: a JSON object with an optional
// Version of "2012-10-17" or "2008-10-17", an optional Id, and a Statement
// that is one statement object or an array of them, each with Effect
// "Allow" or "Deny", exactly one of Action and NotAction, exactly one of
// Resource and NotResource (each a string or an array of strings), an
// optional Sid and an optional Condition block of operator, key and value
// or values. Principal and NotPrincipal are rejected: a session policy
// cannot name principals.
//
// Actions must carry their service prefix, as in "ec2:DescribeImages". The
// returned policy keeps the statements in order, with each statement's
// actions sorted and deduplicated; condition values that are JSON booleans
// or numbers become strings, which IAM reads the same way. Its String
// method writes "Version": "2012-10-17" and drops the Id, so ParsePolicy
// rejects a document with an older or no Version if it uses policy
// variables ("${...}"), whose meaning that would change.
//
// EC2 actions are checked against the catalog (see [EC2Actions]) and the
// names in [ParseOptions].ExtraEC2Actions, which optFns may set; the
// returned policy keeps accepting those names, as if given to
// [Policy.AcceptEC2Actions], so that its Validate passes too.
//
// ParsePolicy(p.String()) returns a policy equal to p, except that an empty
// p comes back holding the one statement that denies every EC2 action, which
// is the same document. The document does not hold the names p accepts with
// AcceptEC2Actions: ParsePolicy cannot know them, so a document that uses
// them is rejected unless they are given again in ExtraEC2Actions.
//
// The error is an *[InputError]. For a malformed name in ExtraEC2Actions its
// field is "ExtraEC2Actions[i]", without quoting the name. Otherwise its
// field is "Policy" and its problem starts with the place in the document,
// as in "Statement[1].Action[0]"; it repeats action names, keys and
// condition operators only when they are plain letters and digits, and
// nothing else from the document.
func ParsePolicy(doc string, optFns ...func(*ParseOptions)) (*Policy, error) {
	var opts ParseOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	extra, bad := ec2ActionSet(nil).with(opts.ExtraEC2Actions)
	if bad >= 0 {
		return nil, inputErrorf(fmt.Sprintf("ExtraEC2Actions[%d]", bad), "%s", badEC2ActionName)
	}
	p, _, err := parseAccepting("Policy", doc, extra)
	return p, err
}

// ParseOptions changes how [ParsePolicy] checks a document. The zero value
// checks against the catalog alone.
type ParseOptions struct {
	// ExtraEC2Actions lists EC2 action names to accept although the
	// catalog (see [EC2Actions]) lacks them, such as permission-only
	// actions or actions newer than the linked SDK, written as for
	// [Policy.AcceptEC2Actions]: at most 128 letters and digits, with or
	// without "ec2:", no wildcards, case ignored. A wildcard in the
	// document may match them. ParsePolicy rejects the options if a name
	// is malformed. Nil or empty accepts nothing more.
	ExtraEC2Actions []string
}

// parsePolicy is ParsePolicy for a document given as the named field,
// checked against the catalog alone. It also returns the document
// compacted, as STS receives it.
func parsePolicy(field, doc string) (*Policy, string, error) {
	return parseAccepting(field, doc, nil)
}

// parseAccepting is parsePolicy that also accepts the EC2 actions in extra,
// which the returned policy keeps.
func parseAccepting(field, doc string, extra ec2ActionSet) (*Policy, string, error) {
	if len(doc) > maxPolicyInput {
		return nil, "", inputErrorf(field, "is %d bytes, more than the %d this package reads",
			len(doc), maxPolicyInput)
	}
	p, err := decodePolicy(doc, extra)
	if err != nil {
		return nil, "", &InputError{Field: field, Problem: err.Error()}
	}
	packed, err := packPolicy(field, doc)
	if err != nil {
		return nil, "", err
	}
	return p, packed, nil
}

func decodePolicy(doc string, extra ec2ActionSet) (*Policy, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonProblem(err)
	}
	if end := dec.InputOffset(); !errors.Is(ignoreValue(dec), io.EOF) {
		return nil, fmt.Errorf("has data after the JSON object, which ends at byte %d", end)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	version := "2008-10-17"
	var rawStmts any
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || s != "2012-10-17" && s != "2008-10-17" {
				return nil, problemf(k, `must be "2012-10-17" or "2008-10-17"`)
			}
			version = s
		case "Id":
			if _, ok := v.(string); !ok {
				return nil, problemf(k, "must be a string")
			}
		case "Statement":
			rawStmts = v
		default:
			return nil, unknownKey("", k)
		}
	}
	if version != "2012-10-17" && strings.Contains(doc, "${") {
		return nil, problemf("Version",
			`must be "2012-10-17" for policy variables such as ${aws:username}`)
	}
	list, ok := rawStmts.([]any)
	switch {
	case rawStmts == nil:
		return nil, errors.New("needs a Statement")
	case !ok:
		list = []any{rawStmts}
	case len(list) == 0:
		return nil, problemf("Statement", "is an empty array")
	}
	stmts := make([]Statement, len(list))
	for i, v := range list {
		var err error
		if stmts[i], err = decodeStatement(fmt.Sprintf("Statement[%d]", i), v); err != nil {
			return nil, err
		}
	}
	// Check before normalizing, so that places are those of the document.
	if err := checkStatements(stmts, extra); err != nil {
		return nil, err
	}
	for i := range stmts {
		stmts[i] = stmts[i].normalize()
	}
	return &Policy{statements: stmts, accepted: extra}, nil
}

// ignoreValue reads the next token, if any, and returns io.EOF if there
// was none.
func ignoreValue(dec *json.Decoder) error {
	_, err := dec.Token()
	return err
}

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the bad one included.
		return fmt.Errorf("is not valid JSON (error at byte %d)", syn.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("is not valid JSON (it ends too early)")
	}
	return errors.New("is not valid JSON")
}

// unknownKey reports a key that IAM does not define at path. It names the
// key only when it is letters and digits.
func unknownKey(path, key string) error {
	what := "has a key that IAM does not define here"
	if isAlnum(key) && len(key) <= 32 {
		what = "has the key " + key + ", which IAM does not define here"
	}
	if path == "" {
		return errors.New(what)
	}
	return problemf(path, "%s", what)
}

func decodeStatement(path string, v any) (Statement, error) {
	var s Statement
	m, ok := v.(map[string]any)
	if !ok {
		return s, problemf(path, "must be a JSON object")
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "Sid":
			err = decodeString(path+".Sid", v, &s.Sid)
		case "Effect":
			err = decodeString(path+".Effect", v, &s.Effect)
		case "Action":
			s.Actions, err = decodeList(path+"."+k, v)
		case "NotAction":
			s.NotActions, err = decodeList(path+"."+k, v)
		case "Resource":
			s.Resources, err = decodeList(path+"."+k, v)
		case "NotResource":
			s.NotResources, err = decodeList(path+"."+k, v)
		case "Condition":
			s.Conditions, err = decodeConditions(path+"."+k, v)
		case "Principal", "NotPrincipal":
			err = problemf(path+"."+k, "is not allowed in a session policy")
		default:
			err = unknownKey(path, k)
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

func decodeString(path string, v any, dst *string) error {
	s, ok := v.(string)
	if !ok {
		return problemf(path, "must be a string")
	}
	*dst = s
	return nil
}

// decodeList reads a string or an array of strings.
func decodeList(path string, v any) ([]string, error) {
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, problemf(path, "must be a string or an array of strings")
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		if err := decodeString(fmt.Sprintf("%s[%d]", path, i), e, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeConditions reads a Condition block: operator to key to a value or
// an array of values, each a string, a boolean or a number.
func decodeConditions(path string, v any) ([]Condition, error) {
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, problemf(path, "must be an object of condition operators")
	}
	var conds []Condition
	for _, op := range sortedKeys(ops) {
		v := ops[op]
		keys, ok := v.(map[string]any)
		if !ok || len(keys) == 0 {
			return nil, problemf(path, "each operator must map to an object of condition keys")
		}
		for _, key := range sortedKeys(keys) {
			v := keys[key]
			arr, ok := v.([]any)
			if !ok {
				arr = []any{v}
			}
			c := Condition{Operator: op, Key: key, Values: make([]string, len(arr))}
			for i, e := range arr {
				switch e := e.(type) {
				case string:
					c.Values[i] = e
				case json.Number:
					c.Values[i] = e.String()
				case bool:
					c.Values[i] = fmt.Sprint(e)
				default:
					return nil, problemf(path, "values must be strings, booleans or numbers")
				}
			}
			conds = addCondition(conds, c)
		}
	}
	return conds, nil
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
