//go:build !race

package ec2token

// underRace reports that the race detector is on, which slows pure-Go
// key derivation by an order of magnitude.
const underRace = false
