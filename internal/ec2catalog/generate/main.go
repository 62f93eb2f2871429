// Command generate writes the EC2 action catalog of package ec2token from
// the operations of the aws-sdk-go-v2 EC2 client linked into it. Run it
// with go generate in the repository root after upgrading the SDK.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/ec2token/ec2token/internal/ec2catalog"
)

func main() {
	out := flag.String("o", "policy_ec2actions.go", "output `file`")
	flag.Parse()
	src, err := ec2catalog.Source()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
