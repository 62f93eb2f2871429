package ec2token

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// The catalog of EC2 actions is the list of operations of the
// aws-sdk-go-v2 EC2 client, generated into policy_ec2actions.go, plus the
// short list of IAM-only actions below and whatever [AddEC2Actions] adds.
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

// addedEC2Actions holds the names given to AddEC2Actions, keyed by their
// lower-case form.
var addedEC2Actions struct {
	sync.RWMutex
	names map[string]string
}

// EC2Actions returns the EC2 actions that [Policy.Validate] and
// [ParsePolicy] accept, without the "ec2:" prefix, sorted ignoring case: the
// operations of the EC2 API as the linked aws-sdk-go-v2 knows them, a few
// actions that IAM knows but that are not API operations (such as
// CreateCoipPoolPermission), and those added with [AddEC2Actions]. It is safe
// for concurrent use.
func EC2Actions() []string {
	names := slices.Collect(allEC2Actions)
	slices.SortFunc(names, compareFold)
	return slices.CompactFunc(names, strings.EqualFold)
}

// AddEC2Actions makes [Policy.Validate] and [ParsePolicy] accept the given
// EC2 action names for the rest of the program: the escape hatch for an
// action that IAM knows but this package does not, such as a permission-only
// action or one newer than the linked SDK. Names are written without a
// prefix or with "ec2:", as letters and digits, without wildcards. It
// returns an *[InputError] and adds nothing if a name is malformed. It is
// safe for concurrent use.
func AddEC2Actions(names ...string) error {
	clean := make([]string, len(names))
	for i, n := range names {
		n, _ = cutEC2Prefix(n)
		if n == "" || !isAlnum(n) {
			return inputErrorf("AddEC2Actions",
				"name %d is not an action name of letters and digits", i)
		}
		clean[i] = n
	}
	addedEC2Actions.Lock()
	defer addedEC2Actions.Unlock()
	if addedEC2Actions.names == nil {
		addedEC2Actions.names = make(map[string]string)
	}
	for _, n := range clean {
		addedEC2Actions.names[strings.ToLower(n)] = n
	}
	return nil
}

// isKnownEC2Action reports whether name, without its prefix, is in the
// catalog, ignoring case as IAM does.
func isKnownEC2Action(name string) bool {
	if _, ok := slices.BinarySearchFunc(ec2APIActions[:], name, compareFold); ok {
		return true
	}
	if _, ok := slices.BinarySearchFunc(iamOnlyEC2Actions, name, compareFold); ok {
		return true
	}
	addedEC2Actions.RLock()
	_, ok := addedEC2Actions.names[strings.ToLower(name)]
	addedEC2Actions.RUnlock()
	return ok
}

// matchesSomeEC2Action reports whether the wildcard pattern, without its
// prefix, matches at least one action of the catalog.
func matchesSomeEC2Action(pattern string) bool {
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
	for n := range otherEC2Actions {
		if globFold(pattern, n) {
			return true
		}
	}
	return false
}

// allEC2Actions yields the actions of the catalog in no particular order,
// perhaps some twice.
func allEC2Actions(yield func(string) bool) {
	for _, n := range ec2APIActions {
		if !yield(n) {
			return
		}
	}
	otherEC2Actions(yield)
}

// otherEC2Actions yields the actions of the catalog that are not API
// operations.
func otherEC2Actions(yield func(string) bool) {
	for _, n := range iamOnlyEC2Actions {
		if !yield(n) {
			return
		}
	}
	addedEC2Actions.RLock()
	added := slices.Collect(maps.Values(addedEC2Actions.names))
	addedEC2Actions.RUnlock()
	for _, n := range added {
		if !yield(n) {
			return
		}
	}
}

// suggestEC2Action returns the catalog action closest to name by edit
// distance ignoring case, if it is close enough to be a likely typo: at most
// a third of name's length away, and at most 3 edits. It reports false
// when no action is that close.
func suggestEC2Action(name string) (string, bool) {
	limit := min(3, max(1, len(name)/3))
	best, bestD := "", limit+1
	for n := range allEC2Actions {
		if d := editDistance(name, n, bestD); d < bestD {
			best, bestD = n, d
		}
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
