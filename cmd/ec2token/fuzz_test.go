package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FuzzRun feeds command lines and standard input to the subcommands that
// need no network and write no file, and checks that every run ends with
// a known exit status, one error line, and, for credentials, nothing of
// the input on standard error.
func FuzzRun(f *testing.F) {
	creds := testCreds(time.Now().Add(time.Hour))
	f.Add("inspect", creds.Serialize())
	f.Add("inspect -", `{"Version":1,"AccessKeyId":"AKIA1","SecretAccessKey":"s3cr3t"}`)
	f.Add("export --format perl", creds.Serialize())
	f.Add("export --format=imds -", `{"AccessKeyId":"a","SecretAccessKey":"b","Token":"c","Code":"Success"}`)
	f.Add("credential-process -", creds.Serialize())
	f.Add("policy --allow DescribeImages,Run* --deny TerminateInstances --compact", "")
	f.Add("policy --policy-file -", `{"Version":"2012-10-17","Statement":[]}`)
	f.Add("help export", "")
	f.Add("version", "")
	f.Add("inspect --check --identity x -", "-----BEGIN AGE ENCRYPTED FILE-----\n")

	safe := map[string]bool{"inspect": true, "export": true, "credential-process": true,
		"policy": true, "help": true, "version": true}
	f.Fuzz(func(t *testing.T, line, stdin string) {
		args := strings.Fields(line)
		if len(args) == 0 || !safe[args[0]] {
			return
		}
		for _, a := range args[1:] {
			// No output files, no requests, no files but standard input.
			if strings.HasPrefix(strings.TrimLeft(a, "-"), "o") || strings.Contains(a, "whoami") ||
				strings.Contains(a, "/") || !strings.HasPrefix(a, "-") && strings.Contains(a, ".") {
				return
			}
		}
		var stdout, stderr bytes.Buffer
		c := &cli{
			stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr,
			environ:    func() []string { return nil },
			isTerminal: func(io.Writer) bool { return false },
			loadConfig: func(context.Context) (aws.Config, error) {
				return aws.Config{}, errors.New("no configuration while fuzzing")
			},
		}
		code := c.run(context.Background(), args)
		if code < 0 || code > 2 {
			t.Fatalf("run(%q) = %d, want 0, 1 or 2", args, code)
		}
		msg := stderr.String()
		if code != 0 && msg != "" {
			lines := strings.Split(strings.TrimSuffix(msg, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "ec2token: ") {
				t.Fatalf("run(%q) stderr = %q, want an ec2token: line last", args, msg)
			}
		}
		if code == 1 && msg == "" && args[0] != "inspect" {
			t.Fatalf("run(%q) = 1 with nothing on stderr", args)
		}
		if args[0] == "policy" {
			// A policy document holds no secret, and its errors name the
			// action or key at fault on purpose ("DescribeImage: unknown
			// EC2 action; did you mean DescribeImages?").
			return
		}
		for _, field := range strings.FieldsFunc(stdin, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) {
			if len(field) >= 16 && strings.Contains(msg, field) && !strings.Contains(line, field) {
				t.Fatalf("run(%q) stderr %q quotes the input", args, msg)
			}
		}
	})
}
