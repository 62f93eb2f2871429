package ec2token

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The catalog of EC2 actions is the list of operations of the
// aws-sdk-go-v2 EC2 client, generated into policy_ec2actions.go, plus the
// short list of IAM-only actions below. A policy may accept more names: see
// [Policy.AcceptEC2Actions].
//
// The list is generated rather than computed at run time by reflection over
// *ec2.Client, because reflecting over a type's methods makes the linker keep
// every exported method of every reachable type. Measured with Go 1.26.8 and
// ec2 v1.349.0 (830 operations) on a small program that builds an EC2 client
// and calls one operation, on linux/amd64:
//
//	                        binary size   stripped (-s -w)  building the catalog
//	no catalog               10,504,191       7,323,913       -
//	generated list           10,540,586       7,360,777     none: a sorted array
//	reflection at run time   51,398,014      39,543,049     1.27 ms, 4,179 allocs
//
// Run go generate after upgrading the SDK; a test fails while the list is
// out of date.
//go:generate go run ./internal/ec2catalog/generate -o policy_ec2actions.go

// iamOnlyEC2Actions are EC2 actions that IAM knows but that are not API
// operations: permissions checked when another service or feature acts on
// the caller's behalf. Sorted ignoring case.
var iamOnlyEC2Actions = []string{
	"AssociateVerifiedAccessInstanceWebAcl",
	"CreateCoipPoolPermission",
	"CreateLocalGatewayRouteTablePermission",
	"DeleteCoipPoolPermission",
	"DeleteLocalGatewayRouteTablePermission",
	"DescribeVerifiedAccessInstanceWebAclAssociations",
	"DisassociateVerifiedAccessInstanceWebAcl",
	"InjectApiError",
	"SendSpotInstanceInterruptions",
}

// EC2Actions returns the EC2 actions of the catalog, which [Policy.Validate]
// and [ParsePolicy] accept, without the "ec2:" prefix, sorted ignoring case:
// the operations of the EC2 API as the linked aws-sdk-go-v2 knows them, and a
// few actions that IAM knows but that are not API operations (such as
// CreateCoipPoolPermission). A policy accepts more names with
// [Policy.AcceptEC2Actions] or [ParseOptions]. EC2Actions returns a new
// slice on each call and is safe for concurrent use.
func EC2Actions() []string {
	names := slices.Collect(allEC2Actions)
	slices.SortFunc(names, compareFold)
	return slices.CompactFunc(names, strings.EqualFold)
}

// AcceptEC2Actions makes p's Validate accept the given EC2 action names
// although the catalog (see [EC2Actions]) lacks them, and returns p so that
// calls chain. It is the escape hatch for an action that IAM knows but this
// package does not, such as a permission-only action or one newer than the
// linked SDK. A wildcard among p's actions may match an accepted name, so
// that "ec2:DescribeFuture*" is valid once DescribeFutureWidgets is
// accepted. Names ignore case, as IAM does, and are written without a prefix
// or with "ec2:", as at most 128 letters and digits, without wildcards. A
// call with a malformed name accepts none of its names and records an error
// that Validate returns; a call without names does nothing.
//
// AcceptEC2Actions changes what Validate checks, not the document String
// writes. The names belong to p alone: another Policy, even one built from
// p.Statements() or read back with ParsePolicy(p.String()), which cannot
// know them, does not accept them; pass them again, to AcceptEC2Actions or
// in [ParseOptions].ExtraEC2Actions.
func (p *Policy) AcceptEC2Actions(names ...string) *Policy {
	accepted, bad := p.accepted.with(names)
	switch {
	case bad < 0:
		p.accepted = accepted
	case p.misuse == "":
		p.misuse = fmt.Sprintf("AcceptEC2Actions names[%d] %s", bad, badEC2ActionName)
	}
	return p
}

// badEC2ActionName is the problem of a malformed name given to
// AcceptEC2Actions or in ParseOptions.ExtraEC2Actions.
const badEC2ActionName = `must be an EC2 action name: at most 128 letters and digits, ` +
	`with or without "ec2:"`

// ec2ActionSet holds EC2 action names that a policy accepts beyond the
// catalog, without their prefix, keyed by their lower-case form. A nil set
// is empty.
type ec2ActionSet map[string]string

// with returns a copy of set to which names are added, and -1; or, if a
// name is malformed, nil and that name's index.
func (set ec2ActionSet) with(names []string) (ec2ActionSet, int) {
	if len(names) == 0 {
		return set, -1
	}
	out := maps.Clone(set)
	if out == nil {
		out = make(ec2ActionSet, len(names))
	}
	for i, n := range names {
		n, _ = cutEC2Prefix(n)
		if n == "" || len(n) > 128 || !isAlnum(n) {
			return nil, i
		}
		out[strings.ToLower(n)] = n
	}
	return out, -1
}

// isKnownEC2Action reports whether name, without its prefix, is in the
// catalog or in extra, ignoring case as IAM does.
func isKnownEC2Action(name string, extra ec2ActionSet) bool {
	if _, ok := slices.BinarySearchFunc(ec2APIActions[:], name, compareFold); ok {
		return true
	}
	if _, ok := slices.BinarySearchFunc(iamOnlyEC2Actions, name, compareFold); ok {
		return true
	}
	_, ok := extra[strings.ToLower(name)]
	return ok
}

// matchesSomeEC2Action reports whether the wildcard pattern, without its
// prefix, matches at least one action of the catalog or of extra.
func matchesSomeEC2Action(pattern string, extra ec2ActionSet) bool {
	// Only API actions that start with the pattern's literal prefix can
	// match, and they are adjacent in the sorted list.
	prefix := pattern[:strings.IndexAny(pattern+"*", "*?")]
	i, _ := slices.BinarySearchFunc(ec2APIActions[:], prefix, compareFold)
	for _, n := range ec2APIActions[i:] {
		if len(n) < len(prefix) || !strings.EqualFold(n[:len(prefix)], prefix) {
			break
		}
		if globFold(pattern, n) {
			return true
		}
	}
	for _, n := range iamOnlyEC2Actions {
		if globFold(pattern, n) {
			return true
		}
	}
	for _, n := range extra {
		if globFold(pattern, n) {
			return true
		}
	}
	return false
}

// allEC2Actions yields the actions of the catalog in no particular order.
func allEC2Actions(yield func(string) bool) {
	for _, n := range ec2APIActions {
		if !yield(n) {
			return
		}
	}
	for _, n := range iamOnlyEC2Actions {
		if !yield(n) {
			return
		}
	}
}

// suggestEC2Action returns the action of the catalog or of extra closest
// to name by edit distance ignoring case, if it is close enough to be a
// likely typo: at most a third of name's length away, and at most 3 edits.
// It reports false when no action is that close.
func suggestEC2Action(name string, extra ec2ActionSet) (string, bool) {
	limit := min(3, max(1, len(name)/3))
	best, bestD := "", limit+1
	consider := func(n string) bool {
		if d := editDistance(name, n, bestD); d < bestD {
			best, bestD = n, d
		}
		return true
	}
	allEC2Actions(consider)
	// Sorted, so that a tie goes to the same name on every run.
	for _, n := range slices.SortedFunc(maps.Values(extra), compareFold) {
		consider(n)
	}
	return best, best != ""
}

// editDistance returns the Levenshtein distance between a and b, ignoring
// ASCII case, or limit once the distance is known to reach limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if foldEq(a[i-1], b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// globFold reports whether s matches pattern, where * matches any run of
// characters and ? any one character, ignoring ASCII case as IAM does for
// action names.
func globFold(pattern, s string) bool {
	// Backtrack to the last star on a mismatch: linear enough for names.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || foldEq(pattern[p], s[i])):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func foldEq(a, b byte) bool { return toLower(a) == toLower(b) }

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// compareFold compares a and b ignoring ASCII case.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if x, y := toLower(a[i]), toLower(b[i]); x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

func isAlnum(s string) bool { return allBytes(s, isAlnumByte) }
