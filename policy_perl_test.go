package ec2token

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ec2token/ec2token/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updatePolicyGolden = flag.Bool("update-policy", false, "rewrite testdata/policy golden files")

// perlCall is one call of allow or deny on a VM::EC2::Security::Policy, and
// the same call on a Policy.
type perlCall struct {
	deny    bool
	actions []string
}

// perlManualPolicies are the policies of the Perl module's manual pages.
var perlManualPolicies = []struct {
	name  string
	calls []perlCall
}{
	// VM::EC2::Security::Policy, SYNOPSIS.
	{"synopsis", []perlCall{{false, []string{"Describe*", "CreateVolume", "delete_volume"}},
		{true, []string{"DescribeVolumes"}}}},
	// VM::EC2::Security::Policy, METHODS: chained allow and deny.
	{"chained", []perlCall{{false, []string{"Describe*"}},
		{true, []string{"DescribeImages", "DescribeInstances"}}}},
	// VM::EC2::Security::Policy, allow(): all Describe operations.
	{"describe-all", []perlCall{{false, []string{"Describe*"}}}},
	// VM::EC2::Security::Policy, new(), and the Token manual's SYNOPSIS:
	// the default policy denies everything.
	{"empty", nil},
	// allow() and deny() with no argument mean every action.
	{"allow-everything", []perlCall{{false, nil}}},
	{"prefixed-and-underscored", []perlCall{{false, []string{"ec2:run_instances", "terminate_instances"}},
		{true, []string{"ec2:TerminateInstances"}}}},
}

func (c perlCall) apply(p *Policy) *Policy {
	if c.deny {
		return p.Deny(c.actions...)
	}
	return p.Allow(c.actions...)
}

// perlExpression returns the Perl expression that builds the same policy.
func perlExpression(calls []perlCall) string {
	var b strings.Builder
	b.WriteString("VM::EC2::Security::Policy->new")
	for _, c := range calls {
		if c.deny {
			b.WriteString("->deny(")
		} else {
			b.WriteString("->allow(")
		}
		for i, a := range c.actions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("'" + a + "'")
		}
		b.WriteByte(')')
	}
	return b.String()
}

func TestPolicyGolden(t *testing.T) {
	for _, tt := range perlManualPolicies {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPolicy()
			for _, c := range tt.calls {
				c.apply(p)
			}
			require.NoError(t, p.Validate(), "Validate()")
			got := p.String() + "\n"
			path := filepath.Join("testdata", "policy", tt.name+".json")
			if *updatePolicyGolden {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -run TestPolicyGolden -update-policy to create it")
			assert.Equal(t, string(want), got, "String() of %s", perlExpression(tt.calls))
		})
	}
}

// TestPolicyAgreesWithPerl builds each manual policy with the Perl module
// and with Policy, and checks that they allow and deny the same actions.
// Perl merges all allows into one statement and all denies into another,
// and writes no Version; ParsePolicy reads its document all the same.
func TestPolicyAgreesWithPerl(t *testing.T) {
	perl := testpeer.Perl(t)
	var script strings.Builder
	for _, tt := range perlManualPolicies {
		script.WriteString("print " + perlExpression(tt.calls) + `, "\n";` + "\n")
	}
	out, err := exec.Command(perl, "-MVM::EC2::Security::Policy", "-e", script.String()).Output()
	require.NoError(t, err, "perl")
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, lines, len(perlManualPolicies), "lines of perl output")

	for i, tt := range perlManualPolicies {
		t.Run(tt.name, func(t *testing.T) {
			fromPerl, err := ParsePolicy(lines[i])
			require.NoError(t, err, "ParsePolicy(perl's document)")
			p := NewPolicy()
			for _, c := range tt.calls {
				c.apply(p)
			}
			if len(tt.calls) == 0 { // the document of an empty policy
				p, err = ParsePolicy(p.String())
				require.NoError(t, err)
			}
			assert.Equal(t, effectActions(fromPerl), effectActions(p),
				"actions by effect of %s", perlExpression(tt.calls))
		})
	}
}

// effectActions returns the sorted actions of p's statements by effect.
func effectActions(p *Policy) map[string][]string {
	m := map[string][]string{}
	for _, s := range p.Statements() {
		m[s.Effect] = append(m[s.Effect], s.Actions...)
	}
	for k, v := range m {
		slices.Sort(v)
		m[k] = slices.Compact(v)
	}
	return m
}

// TestEC2ActionAgreesWithPerl converts names with EC2Action and with the
// Perl module's own rule, ucfirst(VM::EC2->uncanonicalize(name)) after
// removing an ec2: prefix.
func TestEC2ActionAgreesWithPerl(t *testing.T) {
	perl := testpeer.Perl(t)
	names := []string{"describe_images", "DescribeImages", "ec2:run_instances", "EC2:DescribeVolumes",
		"a_b_c", "a__b", "_2x", "describe_2x", "delete__volume", "_run_instances", "describe_*", "x_y_",
		"Describe*", "*", "describeImages"}
	script := `for (@ARGV) { s/^ec2://i; print "ec2:", ucfirst(VM::EC2->uncanonicalize($_)), "\n" }`
	out, err := exec.Command(perl, append([]string{"-MVM::EC2", "-e", script}, names...)...).Output()
	require.NoError(t, err, "perl")
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, want, len(names), "lines of perl output")
	for i, n := range names {
		assert.Equal(t, want[i], EC2Action(n), "EC2Action(%q)", n)
	}
}
