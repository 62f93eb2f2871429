package ec2token

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Validate reports the first problem that would make AWS reject the policy
// or make it useless, before any request is sent. It checks that:
//
//   - On and When were called after a statement, with arguments, and
//     AcceptEC2Actions with well-formed names;
//   - every statement has the effect Allow or Deny, actions or not-actions,
//     and resources or not-resources;
//   - every action has a service prefix, and every EC2 action is one the
//     catalog holds (see [EC2Actions]) or one p accepts (see
//     [Policy.AcceptEC2Actions]), ignoring case as IAM does; an unknown one
//     is reported with the closest known name, if one is close;
//   - every EC2 wildcard matches at least one of those actions;
//   - resources are "*" or ARNs, conditions have an operator, a key and
//     values, all text is valid UTF-8, and a Sid has only letters and
//     digits and is not repeated;
//   - the document is at most 2048 characters once white space outside
//     strings is removed, as STS counts it.
//
// Actions of services other than EC2 are not checked against any catalog.
// The error is an *[InputError] for the field "Policy" whose problem starts
// with the place in the document, as in
//
//	ec2token: invalid Policy: Statement[0].Action[0]: DescribeImage:
//	unknown EC2 action; did you mean DescribeImages?
//
// A nil Policy is invalid.
func (p *Policy) Validate() error {
	_, err := p.document("Policy")
	return err
}

// document validates p, reporting problems under field, and returns the
// document String writes. That document has no white space outside
// strings, so it is already what STS receives.
func (p *Policy) document(field string) (string, error) {
	if p == nil {
		return "", inputErrorf(field, "is a nil *Policy")
	}
	if p.misuse != "" {
		return "", inputErrorf(field, "%s", p.misuse)
	}
	if err := checkStatements(p.statements, p.accepted); err != nil {
		return "", &InputError{Field: field, Problem: err.Error()}
	}
	doc := p.String()
	return doc, checkPolicySize(field, utf8.RuneCountInString(doc))
}

// checkStatements checks each statement, and that no two share a Sid, as
// IAM requires. EC2 actions must be in the catalog or in extra.
func checkStatements(stmts []Statement, extra ec2ActionSet) error {
	sids := make(map[string]int)
	for i := range stmts {
		path := fmt.Sprintf("Statement[%d]", i)
		if err := stmts[i].check(path, extra); err != nil {
			return err
		}
		if sid := stmts[i].Sid; sid != "" {
			if j, dup := sids[sid]; dup {
				return problemf(path+".Sid", "repeats the Sid of Statement[%d]", j)
			}
			sids[sid] = i
		}
	}
	return nil
}

// problem is an error found at a place in a policy document, such as
// "Statement[0].Action[1]".
type problem struct{ path, msg string }

func (e *problem) Error() string { return e.path + ": " + e.msg }

func problemf(path, format string, args ...any) *problem {
	return &problem{path, fmt.Sprintf(format, args...)}
}

func (s *Statement) check(path string, extra ec2ActionSet) error {
	if s.Sid != "" && !isAlnum(s.Sid) {
		return problemf(path+".Sid", "must hold only letters and digits")
	}
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return problemf(path+".Effect", `must be "Allow" or "Deny"`)
	}
	if err := exactlyOne(path, "Action", s.Actions, "NotAction", s.NotActions); err != nil {
		return err
	}
	if err := exactlyOne(path, "Resource", s.Resources, "NotResource", s.NotResources); err != nil {
		return err
	}
	lists := [...]struct {
		name string
		list []string
	}{{"Action", s.Actions}, {"NotAction", s.NotActions},
		{"Resource", s.Resources}, {"NotResource", s.NotResources}}
	for k, l := range lists {
		for j, v := range l.list {
			var msg string
			if k < 2 {
				msg = checkAction(v, extra)
			} else if !isResource(v) {
				msg = `must be "*" or an ARN such as arn:aws:ec2:*:*:instance/*`
			} else if !utf8.ValidString(v) {
				msg = "is not valid UTF-8"
			}
			if msg != "" {
				return problemf(fmt.Sprintf("%s.%s[%d]", path, l.name, j), "%s", msg)
			}
		}
	}
	for _, c := range s.Conditions {
		if err := c.check(path + ".Condition"); err != nil {
			return err
		}
	}
	return nil
}

func exactlyOne(path, name string, list []string, notName string, notList []string) error {
	switch {
	case len(list) == 0 && len(notList) == 0:
		return problemf(path, "needs %s or %s", name, notName)
	case len(list) > 0 && len(notList) > 0:
		return problemf(path, "has both %s and %s", name, notName)
	}
	return nil
}

func (c *Condition) check(path string) error {
	if c.Operator != "" && isConditionName(c.Operator, false) && len(c.Operator) <= 64 {
		path += "." + c.Operator
	}
	switch {
	case c.Operator == "" || !isConditionName(c.Operator, false):
		return problemf(path,
			"operator must be letters, with an optional qualifier such as ForAnyValue:")
	case c.Key == "" || !isConditionName(c.Key, true):
		return problemf(path, "key must be a condition key such as aws:SourceIp")
	case len(c.Values) == 0:
		return problemf(path, "needs at least one value")
	}
	for _, v := range c.Values {
		if !utf8.ValidString(v) {
			return problemf(path, "has a value that is not valid UTF-8")
		}
	}
	return nil
}

// isConditionName reports whether s looks like a condition operator
// ("StringEquals", "ForAnyValue:StringLike") or, if key, a condition key
// ("aws:SourceIp", "aws:RequestTag/Project", "ec2:ResourceTag/${aws:username}").
func isConditionName(s string, key bool) bool {
	return allBytes(s, func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == ':' ||
			key && c > ' ' && c < 0x7f && c != '"' && c != '\\'
	})
}

// isResource reports whether r is "*" or has the shape of an ARN:
// arn:partition:service:region:account:resource, where region and account
// may be empty or wildcards.
func isResource(r string) bool {
	return r == "*" || strings.HasPrefix(r, "arn:") && strings.Count(r, ":") >= 5
}

// checkAction checks one action in IAM's form, "service:Name", against the
// catalog and extra, and returns the problem, or "" if there is none.
func checkAction(a string, extra ec2ActionSet) string {
	if a == "*" {
		return ""
	}
	service, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		if isActionName(a) {
			return fmt.Sprintf("%s: has no service prefix; did you mean ec2:%s?", a, a)
		}
		return "has no service prefix such as ec2:"
	case service == "" || !isServiceName(service):
		return "service prefix must be letters, digits and hyphens"
	case name == "" || !isActionName(name):
		return "action name must be letters and digits, with * and ? wildcards"
	case !strings.EqualFold(service, "ec2"):
		return ""
	case strings.ContainsAny(name, "*?"):
		if !matchesSomeEC2Action(name, extra) {
			return fmt.Sprintf("%s: matches no EC2 action", name)
		}
		return ""
	case isKnownEC2Action(name, extra):
		return ""
	}
	if s, ok := suggestEC2Action(name, extra); ok {
		return fmt.Sprintf("%s: unknown EC2 action; did you mean %s?", name, s)
	}
	return fmt.Sprintf("%s: unknown EC2 action (if IAM knows it, "+
		"accept it with Policy.AcceptEC2Actions or ParseOptions.ExtraEC2Actions)", name)
}

// isActionName reports whether s is at most 128 letters, digits and
// wildcards: safe to repeat in an error message, since it cannot hold a
// secret's syntax.
func isActionName(s string) bool {
	return s != "" && len(s) <= 128 && allBytes(s, func(c byte) bool {
		return isAlnumByte(c) || c == '*' || c == '?'
	})
}

func isServiceName(s string) bool {
	return allBytes(s, func(c byte) bool { return isAlnumByte(c) || c == '-' })
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isAlnumByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
