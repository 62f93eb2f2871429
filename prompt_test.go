package ec2token

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPromptCodeFromPipe(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    string
		wantErr string
	}{
		{"line", "123456\n", "123456", ""},
		{"spaces and CRLF", "  123456 \r\n", "123456", ""},
		{"no line end", "123456", "123456", ""},
		{"only the first line", "123456\n654321\n", "123456", ""},
		{"empty line", "\n", "", "no MFA code"},
		{"nothing", "", "", "no MFA code"},
		{"too long", strings.Repeat("7", maxCodeLine+1), "", "longer than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			defer r.Close()
			_, err = w.WriteString(tt.input)
			require.NoError(t, err)
			require.NoError(t, w.Close())

			var out bytes.Buffer
			got, err := promptCode(r, &out, "Code: ")
			assert.Equal(t, "Code: ", out.String(), "prompt written")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.True(t, strings.HasPrefix(err.Error(), "ec2token: "), "error %q lacks the package prefix", err)
				assert.NotContains(t, err.Error(), "777", "error quotes the input")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "promptCode(%q)", tt.input)
		})
	}
}

func TestPromptCodeLeavesTheRest(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.WriteString("123456\nrest")
	require.NoError(t, err)
	require.NoError(t, w.Close())

	_, err = promptCode(r, &bytes.Buffer{}, "")
	require.NoError(t, err)
	rest := make([]byte, 10)
	n, _ := r.Read(rest)
	assert.Equal(t, "rest", string(rest[:n]), "input left after the code")
}

func TestTerminalPromptWithoutTerminal(t *testing.T) {
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		f.Close()
		t.Skip("this process has a controlling terminal; the pty test covers it")
	}
	code, err := TerminalPrompt("")()
	require.ErrorContains(t, err, "ec2token: no terminal to ask for the MFA code")
	assert.Empty(t, code)
}
