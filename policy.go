package ec2token

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Policy is an IAM policy document that limits what a federated user may
// do. Build one with [NewPolicy] and the Allow and Deny methods.
//
// A Policy is not safe for concurrent modification.
type Policy struct {
	statements []statement
}

type statement struct {
	effect  string
	actions []string
}

// NewPolicy returns an empty policy. An empty policy allows nothing.
func NewPolicy() *Policy { return &Policy{} }

// Allow adds a statement that allows the given actions. With no actions it
// allows every action.
func (p *Policy) Allow(actions ...string) *Policy { return p.add("Allow", actions) }

// Deny adds a statement that denies the given actions. With no actions it
// denies every action.
func (p *Policy) Deny(actions ...string) *Policy { return p.add("Deny", actions) }

func (p *Policy) add(effect string, actions []string) *Policy {
	if len(actions) == 0 {
		actions = []string{"*"}
	}
	p.statements = append(p.statements, statement{effect: effect, actions: actions})
	return p
}

// String returns the policy as a JSON document.
func (p *Policy) String() string {
	type stmt struct {
		Effect   string
		Action   []string
		Resource string
	}
	doc := struct {
		Version   string
		Statement []stmt
	}{Version: "2012-10-17"}
	if len(p.statements) == 0 {
		doc.Statement = []stmt{{Effect: "Deny", Action: []string{"*"}, Resource: "*"}}
	}
	for _, s := range p.statements {
		var acts []string
		for _, a := range s.actions {
			if a != "*" && !strings.Contains(a, ":") {
				a = "ec2:" + a
			}
			acts = append(acts, a)
		}
		doc.Statement = append(doc.Statement, stmt{Effect: s.effect, Action: acts, Resource: "*"})
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// Validate reports problems that would make AWS reject or misread the
// policy.
func (p *Policy) Validate() error {
	if p == nil {
		return errors.New("ec2token: nil Policy")
	}
	return nil
}

// maxPackedPolicy is the longest session policy STS accepts, counted once
// white space outside strings is removed.
const maxPackedPolicy = 2048

// packPolicy compacts a policy document the way STS counts it and checks
// its length. The error names the field and says how far over the limit
// the document is.
func packPolicy(field, doc string) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil || b.Len() == 0 || b.Bytes()[0] != '{' {
		return "", inputErrorf(field, "is not a JSON object")
	}
	if n := b.Len(); n > maxPackedPolicy {
		return "", inputErrorf(field, "is %d characters once compacted, %d over the limit of %d",
			n, n-maxPackedPolicy, maxPackedPolicy)
	}
	return b.String(), nil
}
