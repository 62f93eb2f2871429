// Package testpeer finds and starts the real programs that this module's
// tests talk to: the AWS CLI, moto, Perl's VM::EC2 and the age tool.
//
// A test that needs a missing peer is skipped with a hint that says how to
// install it, unless the environment variable EC2TOKEN_REQUIRE_PEERS is
// "1", in which case it fails: CI sets it so that no peer test is skipped
// silently.
package testpeer

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Missing skips or fails t, as the package documentation says, because
// the peer what is not available; hint says how to install it.
func Missing(t testing.TB, what, hint string) {
	t.Helper()
	if os.Getenv("EC2TOKEN_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s is required (EC2TOKEN_REQUIRE_PEERS=1) but not available; %s", what, hint)
	}
	t.Skipf("%s is not available; %s", what, hint)
}

// Command returns the path of the program name, or skips or fails t with
// hint when it is not on PATH.
func Command(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, hint)
	}
	return path
}

// AWSCLI returns the path of the AWS CLI.
func AWSCLI(t testing.TB) string {
	t.Helper()
	return Command(t, "aws", "install the AWS CLI: apt-get install -y awscli")
}

// Age returns the path of the age command-line tool.
func Age(t testing.TB) string {
	t.Helper()
	return Command(t, "age", "install it: apt-get install -y age")
}

// Perl returns the path of perl after checking that the VM::EC2 modules,
// and JSON::PP that the test scripts use, load.
func Perl(t testing.TB) string {
	t.Helper()
	hint := "install the Perl module: apt-get install -y libvm-ec2-perl"
	perl := Command(t, "perl", hint)
	err := exec.Command(perl, "-MVM::EC2", "-MVM::EC2::Security::Credentials", "-MJSON::PP", "-e1").Run()
	if err != nil {
		Missing(t, "Perl module VM::EC2", hint)
	}
	return perl
}

// AWSEnv returns an environment for running the AWS CLI or another AWS
// client against a local endpoint: the given keys, region us-east-1, and
// no shared files, profiles or instance metadata of this machine.
func AWSEnv(t testing.TB, accessKeyID, secret, sessionToken string) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_ACCESS_KEY_ID=" + accessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE=" + dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	if sessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+sessionToken)
	}
	return env
}

// Moto starts a moto server on a free loopback port and returns its URL.
// The server is stopped when t ends.
func Moto(t testing.TB) string {
	t.Helper()
	bin := Command(t, "moto_server", "install moto's server: pip install 'moto[server]'")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("moto_server did not answer on %s within 30s", url)
	return ""
}
