package ec2token

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a new pseudo-terminal pair, or skips the test when the
// system has none to give.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Skipf("cannot unlock a pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Skipf("cannot name a pseudo-terminal: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skipf("cannot open a pseudo-terminal: %v", err)
	}
	return master, slave
}

// waitFor reads from r until it has seen want, and returns what it read.
func waitFor(r *bufio.Reader, want string) (string, error) {
	var seen strings.Builder
	for !strings.Contains(seen.String(), want) {
		b, err := r.ReadByte()
		if err != nil {
			return seen.String(), err
		}
		seen.WriteByte(b)
	}
	return seen.String(), nil
}

// TestTerminalPromptReadsControllingTerminal runs a child process whose
// standard input and output are not the terminal but whose controlling
// terminal is a pseudo-terminal that the test types into.
func TestTerminalPromptReadsControllingTerminal(t *testing.T) {
	if os.Getenv("EC2TOKEN_PROMPT_CHILD") == "1" {
		code, err := TerminalPrompt("Code for test: ")()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("code=" + code)
		os.Exit(0)
	}
	master, slave := openPTY(t)
	defer master.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestTerminalPromptReadsControllingTerminal$")
	cmd.Env = append(os.Environ(), "EC2TOKEN_PROMPT_CHILD=1")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.ExtraFiles = []*os.File{slave} // fd 3 in the child
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	require.NoError(t, cmd.Start())
	slave.Close()

	code, err := totp.GenerateCode("JBSWY3DPEHPK3PXP", time.Now())
	require.NoError(t, err)
	r := bufio.NewReader(master)
	seen, err := waitFor(r, "Code for test: ")
	require.NoError(t, err, "terminal showed %q", seen)
	_, err = master.WriteString(code + "\n")
	require.NoError(t, err)

	require.NoError(t, cmd.Wait(), "child output %q", stdout.String())
	assert.Contains(t, stdout.String(), "code="+code+"\n")
	assert.NotContains(t, stdout.String(), "Code for test", "the prompt went to standard output")
}

func TestPromptCodeOnTerminal(t *testing.T) {
	master, slave := openPTY(t)
	defer master.Close()
	defer slave.Close()

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		c, err := promptCode(slave, slave, "Code: ")
		done <- result{c, err}
	}()
	r := bufio.NewReader(master)
	_, err := waitFor(r, "Code: ")
	require.NoError(t, err)
	_, err = master.WriteString(" 975310\n")
	require.NoError(t, err)
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, "975310", res.code)
}
