package ststest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
)

// The policy language the server understands is documented on Server. A
// Principal is refused, as STS refuses it in a session policy; Version may
// be "2012-10-17" or "2008-10-17".

type policyDoc struct{ stmts []statement }

type statement struct {
	allow       bool
	notAction   bool
	actions     []string
	notResource bool
	resources   []string
	conds       []condition
}

type condition struct {
	op       string // lower case, without IfExists
	ifExists bool
	key      string // lower case
	values   []string
}

var supportedOps = map[string]bool{
	"stringequals": true, "stringnotequals": true, "stringequalsignorecase": true,
	"stringnotequalsignorecase": true, "stringlike": true, "stringnotlike": true,
	"ipaddress": true, "notipaddress": true, "bool": true,
}

func malformed(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "MalformedPolicyDocument", msg}
}

var errPolicySyntax = malformed("Syntax errors in policy.")

// parsePolicy parses and checks a policy document.
func parsePolicy(doc string) (*policyDoc, *apiError) {
	var raw map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(doc))
	if err := d.Decode(&raw); err != nil || d.More() {
		return nil, errPolicySyntax
	}
	p := &policyDoc{}
	for k, v := range raw {
		switch k {
		case "Version":
			var ver string
			if json.Unmarshal(v, &ver) != nil || ver != "2012-10-17" && ver != "2008-10-17" {
				return nil, malformed("The policy must contain a valid version string")
			}
		case "Id":
		case "Statement":
			var list []json.RawMessage
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) {
				list = []json.RawMessage{v}
			} else if json.Unmarshal(v, &list) != nil {
				return nil, errPolicySyntax
			}
			for _, r := range list {
				st, e := parseStatement(r)
				if e != nil {
					return nil, e
				}
				p.stmts = append(p.stmts, st)
			}
		default:
			return nil, errPolicySyntax
		}
	}
	if len(p.stmts) == 0 {
		return nil, malformed("Policy must contain at least one statement.")
	}
	return p, nil
}

func mustParsePolicy(doc string) *policyDoc {
	p, e := parsePolicy(doc)
	if e != nil {
		panic("ststest: " + e.Message)
	}
	return p
}

func parseStatement(raw json.RawMessage) (statement, *apiError) {
	var st statement
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return st, errPolicySyntax
	}
	var haveAction, haveResource, haveEffect bool
	for k, v := range fields {
		var err *apiError
		switch k {
		case "Sid":
		case "Effect":
			var eff string
			_ = json.Unmarshal(v, &eff)
			if eff != "Allow" && eff != "Deny" {
				return st, malformed("Invalid effect.")
			}
			st.allow, haveEffect = eff == "Allow", true
		case "Action", "NotAction":
			if haveAction {
				return st, errPolicySyntax
			}
			haveAction, st.notAction = true, k == "NotAction"
			st.actions, err = checkedList(v, func(a string) bool {
				return a == "*" || strings.Count(a, ":") == 1
			}, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		case "Resource", "NotResource":
			if haveResource {
				return st, errPolicySyntax
			}
			haveResource, st.notResource = true, k == "NotResource"
			st.resources, err = checkedList(v, func(r string) bool {
				return r == "*" || strings.HasPrefix(r, "arn:")
			}, `Resource must be in ARN format or "*".`)
		case "Condition":
			st.conds, err = parseConditions(v)
		case "Principal", "NotPrincipal":
			return st, malformed("Policy document should not specify a principal.")
		default:
			return st, errPolicySyntax
		}
		if err != nil {
			return st, err
		}
	}
	switch {
	case !haveEffect:
		return st, malformed("Missing required field Effect")
	case !haveAction:
		return st, malformed("Policy statement must contain actions.")
	case !haveResource:
		return st, malformed("Policy statement must contain resources.")
	}
	return st, nil
}

// checkedList reads a string or a list of strings and checks each with ok.
func checkedList(v json.RawMessage, ok func(string) bool, problem string) ([]string, *apiError) {
	list, e := stringList(v)
	for _, item := range list {
		if !ok(item) {
			return nil, malformed(problem)
		}
	}
	return list, e
}

// stringList reads a JSON string or list of strings; in conditions, bools
// and numbers are taken as their text.
func stringList(v json.RawMessage) ([]string, *apiError) {
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		items = []json.RawMessage{v}
	}
	var out []string
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) != nil {
			var b bool
			var n json.Number
			switch {
			case json.Unmarshal(it, &b) == nil:
				s = string(it)
			case json.Unmarshal(it, &n) == nil:
				s = n.String()
			default:
				return nil, errPolicySyntax
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errPolicySyntax
	}
	return out, nil
}

func parseConditions(v json.RawMessage) ([]condition, *apiError) {
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(v, &ops) != nil {
		return nil, errPolicySyntax
	}
	var out []condition
	for op, keys := range ops {
		lop := strings.ToLower(op)
		base, ifExists := strings.CutSuffix(lop, "ifexists")
		if !supportedOps[base] {
			return nil, malformed("ststest does not support the condition operator " + op)
		}
		for key, vals := range keys {
			list, e := stringList(vals)
			if e != nil {
				return nil, e
			}
			if strings.HasSuffix(base, "ipaddress") {
				for _, ip := range list {
					if _, err := parsePrefix(ip); err != nil {
						return nil, malformed("Invalid IP address in condition.")
					}
				}
			}
			out = append(out, condition{op: base, ifExists: ifExists,
				key: strings.ToLower(key), values: list})
		}
	}
	return out, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// authorize reports whether action on every one of resources is allowed by
// each layer and denied by none. A layer is a set of policies of which one
// must allow; an empty layer allows nothing. ctx holds the condition keys
// in lower case.
func authorize(layers [][]*policyDoc, action string, resources []string,
	ctx map[string]string) bool {
	for _, res := range resources {
		for _, layer := range layers {
			allowed := false
			for _, p := range layer {
				for _, st := range p.stmts {
					if !st.matches(action, res, ctx) {
						continue
					}
					if !st.allow {
						return false
					}
					allowed = true
				}
			}
			if !allowed {
				return false
			}
		}
	}
	return true
}

func (st statement) matches(action, resource string, ctx map[string]string) bool {
	if anyMatch(st.actions, action, true) == st.notAction {
		return false
	}
	if anyMatch(st.resources, resource, false) == st.notResource {
		return false
	}
	for _, c := range st.conds {
		if !c.holds(ctx) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

func (c condition) holds(ctx map[string]string) bool {
	v, ok := ctx[c.key]
	negated := strings.Contains(c.op, "not")
	if !ok {
		return c.ifExists || negated
	}
	match := false
	for _, want := range c.values {
		switch c.op {
		case "stringequals", "stringnotequals":
			match = v == want
		case "stringequalsignorecase", "stringnotequalsignorecase", "bool":
			match = strings.EqualFold(v, want)
		case "stringlike", "stringnotlike":
			match = wildcardMatch(want, v)
		case "ipaddress", "notipaddress":
			pre, _ := parsePrefix(want)
			addr, err := netip.ParseAddr(v)
			match = err == nil && pre.Contains(addr.Unmap())
		}
		if match {
			break
		}
	}
	return match != negated
}

// wildcardMatch matches s against pattern, where * stands for any run of
// characters and ? for any one character.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
