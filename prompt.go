package ec2token

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxCodeLine is the longest answer a prompt reads, in bytes. An MFA code
// has six digits; the rest is room for spaces and a line end.
const maxCodeLine = 64

var errNoCode = errors.New("ec2token: no MFA code was entered")

// TerminalPrompt returns a function to set as [SessionOptions].TokenProvider
// that asks a person for the MFA code on the controlling terminal: it
// writes prompt there, reads one line without echo, and returns it with
// spaces trimmed. It talks to the terminal itself (/dev/tty on Unix,
// CONIN$ and CONOUT$ on Windows), so it works when standard input and
// output are redirected, and it prints nothing to standard output. An
// empty prompt means "MFA code: ".
//
// The code is not echoed: it is short-lived, but hiding it costs nothing
// and keeps it off screen recordings and shared terminals. The returned
// function returns an error when there is no controlling terminal, as in
// a service or a CI job, or when the person enters nothing; no error
// quotes what was typed. It is safe for concurrent use, though two
// prompts at once confuse a person.
//
// Any func() (string, error) can serve as TokenProvider instead. A
// program that holds the TOTP secret of a virtual device can compute the
// code, as with the github.com/pquerna/otp/totp package:
//
//	o.TokenProvider = func() (string, error) {
//		return totp.GenerateCode(secret, time.Now())
//	}
//
// and one with a YubiKey can run its tool, as in
// exec.Command("ykman", "oath", "accounts", "code", "--single", "aws").
func TerminalPrompt(prompt string) func() (string, error) {
	if prompt == "" {
		prompt = "MFA code: "
	}
	return func() (string, error) {
		in, out, err := openTerminal()
		if err != nil {
			return "", fmt.Errorf("ec2token: no terminal to ask for the MFA code: %w", err)
		}
		defer in.Close()
		if out != in {
			defer out.Close()
		}
		return promptCode(in, out, prompt)
	}
}

// promptCode writes prompt to w and reads one line from r. When r is a
// terminal the line is read without echo, and a line end is written after
// it, as the person's Enter key was not shown.
func promptCode(r io.Reader, w io.Writer, prompt string) (string, error) {
	if _, err := io.WriteString(w, prompt); err != nil {
		return "", fmt.Errorf("ec2token: writing the MFA prompt: %w", err)
	}
	var line string
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		_, _ = io.WriteString(w, "\n")
		if err != nil {
			return "", fmt.Errorf("ec2token: reading the MFA code: %w", err)
		}
		line = string(b)
	} else {
		var err error
		if line, err = readLine(r); err != nil {
			return "", err
		}
	}
	code := strings.TrimSpace(line)
	if code == "" {
		return "", errNoCode
	}
	return code, nil
}

// readLine reads up to a line end or the end of r, one byte at a time so
// that nothing after the line is consumed.
func readLine(r io.Reader) (string, error) {
	var buf [maxCodeLine + 1]byte
	n := 0
	for n < len(buf) {
		_, err := r.Read(buf[n : n+1])
		switch {
		case err == io.EOF:
			return string(buf[:n]), nil
		case err != nil:
			return "", fmt.Errorf("ec2token: reading the MFA code: %w", err)
		case buf[n] == '\n':
			return string(buf[:n]), nil
		}
		n++
	}
	return "", fmt.Errorf("ec2token: the MFA answer is longer than %d bytes", maxCodeLine)
}
