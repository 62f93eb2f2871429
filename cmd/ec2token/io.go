package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxInput bounds what is read from a file or standard input, in bytes.
// Credentials, sealed or not, and policies are far smaller.
const maxInput = 1 << 20

// readInput reads the named file, or standard input for "-".
func (c *cli) readInput(name string) ([]byte, error) {
	r := c.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", inputName(name), err)
	case len(data) > maxInput:
		return nil, fmt.Errorf("%s is larger than %d bytes", inputName(name), maxInput)
	}
	return data, nil
}

func inputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// outputFlags are the flags of a subcommand that writes credentials or
// another secret.
type outputFlags struct {
	file        string
	force       bool
	showSecrets bool
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.file, "o", "", "write to `FILE`, created with mode 0600, instead of standard output")
	fs.BoolVar(&o.force, "force", false, "replace the -o file if it exists")
	fs.BoolVar(&o.showSecrets, "show-secrets", false, "print secrets even when standard output is a terminal")
}

func (o *outputFlags) toStdout() bool { return o.file == "" || o.file == "-" }

// checkOutput reports, before any work is done, an output that write would
// refuse: secrets for a terminal without --show-secrets, or an existing
// file without --force.
func (c *cli) checkOutput(o *outputFlags, secret bool) error {
	if o.toStdout() {
		if secret && !o.showSecrets && c.isTerminal(c.stdout) {
			return errors.New("refusing to print secrets to a terminal; " +
				"redirect standard output, use -o FILE, or add --show-secrets")
		}
		return nil
	}
	if _, err := os.Lstat(o.file); err == nil && !o.force {
		return existsError(o.file)
	}
	return nil
}

func existsError(name string) error {
	return fmt.Errorf("%s already exists; add --force to replace it", name)
}

// write writes data where o says, after the checks of checkOutput.
func (c *cli) write(o *outputFlags, data []byte, secret bool) error {
	if err := c.checkOutput(o, secret); err != nil {
		return err
	}
	if o.toStdout() {
		_, err := c.stdout.Write(data)
		return err
	}
	return writeFileAtomic(o.file, data, o.force)
}

// writeFileAtomic writes data to a new file of mode 0600 next to name and
// renames it into place, so that readers see the old contents or the new,
// never a part. Without force it fails if name exists, even if it appears
// meanwhile.
func writeFileAtomic(name string, data []byte, force bool) error {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}

	if force {
		return os.Rename(tmp, name)
	}
	// A hard link fails when name exists, which a rename would not.
	switch err := os.Link(tmp, name); {
	case errors.Is(err, fs.ErrExist):
		return existsError(name)
	case err != nil:
		// Some file systems have no hard links; check, then rename.
		if _, lerr := os.Lstat(name); lerr == nil {
			return existsError(name)
		}
		return os.Rename(tmp, name)
	}
	return nil
}
