package ec2token

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Policy is an IAM policy document that limits what a federated user may
// do. Build one with [NewPolicy] and the Allow and Deny methods, refine the
// latest statement with On and When, or read a hand-written document with
// [ParsePolicy].
//
// Each call to Allow, Deny or Add appends statements in call order; the order
// of statements does not change what IAM allows, and keeping the caller's
// order keeps the document readable. Unlike the Perl module, which merged
// every allow into one statement and every deny into another, each call makes
// its own statement, so that On and When refine that call alone. Within a
// statement the actions are sorted and duplicates removed, so the same calls
// always give the same document, byte for byte.
//
// The zero Policy is empty and ready to use. A Policy is not safe for
// concurrent modification; concurrent calls to String and Validate are safe.
type Policy struct {
	statements []Statement
	// misuse is the problem of the first misuse of On or When, reported
	// by Validate; empty if none.
	misuse string
}

// Statement is one statement of a [Policy], in IAM's own terms. Its fields
// hold what the JSON document holds: actions carry their service prefix, as
// in "ec2:DescribeImages" or "s3:GetObject".
type Statement struct {
	// Sid is the optional statement identifier, letters and digits only.
	// Empty means none.
	Sid string
	// Effect is "Allow" or "Deny".
	Effect string
	// Actions lists the actions the statement applies to, "service:Name",
	// where the name may hold the wildcards * and ?. The lone action "*"
	// means every action of every service. Exactly one of Actions and
	// NotActions must be set.
	Actions []string
	// NotActions lists the actions the statement applies to all but.
	NotActions []string
	// Resources lists the ARNs the statement applies to, or "*" for all.
	// Exactly one of Resources and NotResources must be set; [Policy.Add]
	// sets Resources to "*" when both are empty.
	Resources []string
	// NotResources lists the ARNs the statement applies to all but.
	NotResources []string
	// Conditions must all hold for the statement to apply. Nil means the
	// statement applies unconditionally.
	Conditions []Condition
}

// Condition is one test of a [Statement]'s Condition block, such as
// IpAddress on aws:SourceIp. The test holds when the request's value for
// Key matches any one of Values under Operator.
type Condition struct {
	// Operator is the IAM condition operator, such as "StringEquals",
	// "IpAddress", "Bool" or "ForAnyValue:StringLike".
	Operator string
	// Key is the condition key, such as "aws:SourceIp" or "ec2:Region".
	Key string
	// Values are the values to compare with, at least one. IAM reads
	// booleans and numbers from strings, so "true" and "3600" serve.
	Values []string
}

// NewPolicy returns an empty policy. An empty policy allows nothing: its
// document is a single statement that denies every EC2 action.
func NewPolicy() *Policy { return &Policy{} }

// Allow adds a statement that allows the given actions on every resource,
// and returns p so that calls chain. With no actions it allows every EC2
// action.
//
// An action without a service prefix is an EC2 action, written as the API
// names it ("DescribeImages"), in the Perl module's underscore style
// ("describe_images"), or with its prefix ("ec2:DescribeImages"); a *
// matches any run of characters ("Describe*") and a ? any one character. Actions of other services
// keep their prefix and are passed through as written ("s3:GetObject").
// Allow does not check the names: [Policy.Validate] does.
func (p *Policy) Allow(actions ...string) *Policy { return p.add("Allow", actions) }

// Deny adds a statement that denies the given actions on every resource,
// and returns p. With no actions it denies every EC2 action. An explicit
// deny wins over any allow, in this policy and in the user's own. Actions
// are written as for [Policy.Allow].
func (p *Policy) Deny(actions ...string) *Policy { return p.add("Deny", actions) }

func (p *Policy) add(effect string, actions []string) *Policy {
	if len(actions) == 0 {
		actions = []string{"*"}
	}
	acts := make([]string, len(actions))
	for i, a := range actions {
		acts[i] = EC2Action(a)
	}
	p.statements = append(p.statements, Statement{
		Effect: effect, Actions: sortedSet(acts), Resources: []string{"*"},
	})
	return p
}

// On limits the latest statement to the given resources, ARNs such as
// "arn:aws:ec2:*:*:subnet/subnet-0123", replacing its Resource and
// NotResource lists, and returns p. Called before any statement, or with no resources, it records
// an error that [Policy.Validate] returns.
func (p *Policy) On(resources ...string) *Policy {
	s := p.last("On", len(resources), "resource")
	if s == nil {
		return p
	}
	s.Resources, s.NotResources = slices.Clone(resources), nil
	return p
}

// When adds a condition to the latest statement and returns p: the
// statement applies only when the request's value for key matches one of
// values under operator. For example
//
//	p.Allow("RunInstances").When("StringEquals", "ec2:Region", "eu-west-1")
//
// Several calls must all hold. A call with an operator and key already
// present adds its values to theirs, which then match if any one does.
// Called before any statement, or with no values, it records an error that
// [Policy.Validate] returns.
func (p *Policy) When(operator, key string, values ...string) *Policy {
	s := p.last("When", len(values), "value")
	if s == nil {
		return p
	}
	s.Conditions = addCondition(s.Conditions, Condition{operator, key, slices.Clone(values)})
	return p
}

// Add appends copies of the given statements, for what Allow and Deny
// cannot say (NotAction, NotResource, Sid), and returns p. It sorts each
// statement's actions, removes duplicates, merges conditions with the same
// operator and key, and sets Resources to "*" when neither Resources nor
// NotResources is set. Actions must carry their service prefix; Add does not
// convert names as [Policy.Allow] does.
func (p *Policy) Add(statements ...Statement) *Policy {
	for _, s := range statements {
		p.statements = append(p.statements, s.normalize())
	}
	return p
}

// Statements returns a copy of p's statements, in order. An empty policy
// has none.
func (p *Policy) Statements() []Statement {
	out := make([]Statement, len(p.statements))
	for i, s := range p.statements {
		out[i] = s.clone()
	}
	return out
}

// last returns the latest statement for method, which was given n
// arguments of the kind noun, or records the misuse and returns nil.
func (p *Policy) last(method string, n int, noun string) *Statement {
	var problem string
	switch {
	case len(p.statements) == 0:
		problem = method + " called before Allow, Deny or Add"
	case n == 0:
		problem = method + " needs at least one " + noun
	default:
		return &p.statements[len(p.statements)-1]
	}
	if p.misuse == "" {
		p.misuse = problem
	}
	return nil
}

// EC2Action converts an action name as [Policy.Allow] accepts it to IAM's
// form: "describe_images", "DescribeImages" and "ec2:DescribeImages" all
// become "ec2:DescribeImages", and "*" becomes "ec2:*". Following the Perl
// module VM::EC2::Security::Policy, an underscore followed by a lower-case
// letter is dropped and the letter upper-cased, and the first letter is
// upper-cased. A name with another service prefix is returned unchanged.
func EC2Action(name string) string {
	name, ok := cutEC2Prefix(name)
	if !ok && strings.Contains(name, ":") {
		return name
	}
	var b strings.Builder
	b.Grow(len("ec2:") + len(name))
	b.WriteString("ec2:")
	upper := true // the first letter, and a letter after a dropped underscore
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' && i+1 < len(name) && isLower(name[i+1]) {
			upper = true
			continue
		}
		if upper && isLower(c) {
			c -= 'a' - 'A'
		}
		upper = false
		b.WriteByte(c)
	}
	return b.String()
}

// cutEC2Prefix returns name without a leading "ec2:", in any case, and
// whether there was one.
func cutEC2Prefix(name string) (string, bool) {
	if len(name) >= 4 && strings.EqualFold(name[:4], "ec2:") {
		return name[4:], true
	}
	return name, false
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// String returns the policy as a compact JSON document with
// "Version": "2012-10-17". A list of one value is written as a plain
// string, which IAM reads the same way and which keeps the document short.
// The document of an empty policy denies every EC2 action.
func (p *Policy) String() string {
	stmts := p.statements
	if len(stmts) == 0 {
		stmts = []Statement{denyAll}
	}
	var b bytes.Buffer
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i, s := range stmts {
		if i > 0 {
			b.WriteByte(',')
		}
		s.writeJSON(&b)
	}
	b.WriteString("]}")
	return b.String()
}

// denyAll is the statement String writes for an empty policy.
var denyAll = Statement{Effect: "Deny", Actions: []string{"ec2:*"}, Resources: []string{"*"}}

func (s *Statement) writeJSON(b *bytes.Buffer) {
	b.WriteByte('{')
	if s.Sid != "" {
		b.WriteString(`"Sid":`)
		writeJSONString(b, s.Sid)
		b.WriteByte(',')
	}
	b.WriteString(`"Effect":`)
	writeJSONString(b, s.Effect)
	writeList(b, "Action", s.Actions)
	writeList(b, "NotAction", s.NotActions)
	writeList(b, "Resource", s.Resources)
	writeList(b, "NotResource", s.NotResources)
	if len(s.Conditions) > 0 {
		b.WriteString(`,"Condition":{`)
		for i, c := range s.Conditions {
			if i == 0 || c.Operator != s.Conditions[i-1].Operator {
				if i > 0 {
					b.WriteString("},")
				}
				writeJSONString(b, c.Operator)
				b.WriteString(":{")
			} else {
				b.WriteByte(',')
			}
			writeJSONString(b, c.Key)
			b.WriteByte(':')
			writeValues(b, c.Values)
		}
		b.WriteString("}}")
	}
	b.WriteByte('}')
}

// writeList writes ,"name":values unless values is empty.
func writeList(b *bytes.Buffer, name string, values []string) {
	if len(values) == 0 {
		return
	}
	b.WriteString(`,"`)
	b.WriteString(name)
	b.WriteString(`":`)
	writeValues(b, values)
}

func writeValues(b *bytes.Buffer, values []string) {
	if len(values) == 1 {
		writeJSONString(b, values[0])
		return
	}
	b.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, v)
	}
	b.WriteByte(']')
}

// writeJSONString writes s as a JSON string. It escapes only what JSON
// requires, so that STS counts no more characters than needed; invalid
// UTF-8 becomes U+FFFD, as encoding/json does.
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// sortedSet sorts values and removes duplicates, in place.
func sortedSet(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}

// addCondition adds c to conds, which stays sorted by operator and key,
// merging c's values into an entry with the same operator and key.
func addCondition(conds []Condition, c Condition) []Condition {
	i, found := slices.BinarySearchFunc(conds, c, compareConditions)
	if found {
		conds[i].Values = append(conds[i].Values, c.Values...)
		return conds
	}
	return slices.Insert(conds, i, c)
}

func compareConditions(a, b Condition) int {
	if n := strings.Compare(a.Operator, b.Operator); n != 0 {
		return n
	}
	return strings.Compare(a.Key, b.Key)
}

func (s Statement) normalize() Statement {
	s = s.clone()
	s.Actions = nilIfEmpty(sortedSet(s.Actions))
	s.NotActions = nilIfEmpty(sortedSet(s.NotActions))
	s.Resources, s.NotResources = nilIfEmpty(s.Resources), nilIfEmpty(s.NotResources)
	if s.Resources == nil && s.NotResources == nil {
		s.Resources = []string{"*"}
	}
	conds := s.Conditions
	s.Conditions = nil
	for _, c := range conds {
		s.Conditions = addCondition(s.Conditions, c)
	}
	return s
}

func (s Statement) clone() Statement {
	s.Actions = slices.Clone(s.Actions)
	s.NotActions = slices.Clone(s.NotActions)
	s.Resources = slices.Clone(s.Resources)
	s.NotResources = slices.Clone(s.NotResources)
	s.Conditions = slices.Clone(s.Conditions)
	for i := range s.Conditions {
		s.Conditions[i].Values = slices.Clone(s.Conditions[i].Values)
	}
	return s
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// maxPackedPolicy is the longest session policy STS accepts, in
// characters, counted once white space outside strings is removed.
const maxPackedPolicy = 2048

// errNotObject is the problem packPolicy reports for a document that is
// not a JSON object.
var errNotObject = errors.New("is not a JSON object")

// packPolicy compacts a policy document the way STS counts it and checks
// its length in characters. The error names the field and says how far over
// the limit the document is.
func packPolicy(field, doc string) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil || b.Len() == 0 || b.Bytes()[0] != '{' {
		return "", inputErrorf(field, "%v", errNotObject)
	}
	if err := checkPolicySize(field, utf8.RuneCount(b.Bytes())); err != nil {
		return "", err
	}
	return b.String(), nil
}

// checkPolicySize reports a compacted document of n characters that is
// over the limit, and by how much.
func checkPolicySize(field string, n int) error {
	if n > maxPackedPolicy {
		return inputErrorf(field, "is %d characters once compacted, %d over the limit of %d",
			n, n-maxPackedPolicy, maxPackedPolicy)
	}
	return nil
}
