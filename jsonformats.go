package ec2token

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

var (
	credentialProcessFields = [3]string{"AccessKeyId", "SecretAccessKey", "SessionToken"}
	imdsFields              = [3]string{"AccessKeyId", "SecretAccessKey", "Token"}
)

// jsonFormat tells credential_process JSON from IMDS JSON by the member
// names of obj, which may be nil; see [DetectFormat].
func jsonFormat(obj *jsonObject) Format {
	if obj == nil {
		return FormatIMDS
	}
	if obj.has("Version") || obj.has("SessionToken") && !obj.has("Token") {
		return FormatCredentialProcess
	}
	return FormatIMDS
}

// parseJSON reads the JSON object once, then as the format it is in.
func parseJSON(s string) (Credentials, error) {
	obj, err := readJSONObject(s, FormatIMDS)
	if err != nil {
		return Credentials{}, err
	}
	if jsonFormat(obj) == FormatCredentialProcess {
		return credentialsFromCredentialProcess(obj)
	}
	return credentialsFromIMDS(obj)
}

func credentialsFromCredentialProcess(obj *jsonObject) (Credentials, error) {
	const f = FormatCredentialProcess
	raw, ok := obj.lookup("Version")
	if !ok {
		return Credentials{}, parseErrorf(f, "Version", "is missing; it must be 1")
	}
	if v, err := strconv.ParseFloat(raw, 64); err != nil || v != 1 {
		return Credentials{}, parseErrorf(f, "Version", "is not the number 1, "+
			"the only version there is")
	}
	return credentialsFromJSON(obj, f, credentialProcessFields)
}

func credentialsFromIMDS(obj *jsonObject) (Credentials, error) {
	const f = FormatIMDS
	if obj.has("Code") {
		code, err := obj.str(f, "Code")
		if err != nil {
			return Credentials{}, err
		}
		if code != "Success" {
			return Credentials{}, parseErrorf(f, "Code", "is not Success: the endpoint "+
				"answered with an error instead of credentials")
		}
	}
	return credentialsFromJSON(obj, f, imdsFields)
}

func (c Credentials) marshalCredentialProcess() []byte {
	return encodeJSON(struct {
		Version         int
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string `json:",omitempty"`
		Expiration      string `json:",omitempty"`
	}{1, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, formatExpiration(c.Expiration)})
}

// marshalIMDS writes the answer of an instance metadata service, with
// LastUpdated set to the current time.
func (c Credentials) marshalIMDS() []byte {
	return encodeJSON(struct {
		Code            string
		LastUpdated     string
		Type            string
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		Token           string `json:",omitempty"`
		Expiration      string `json:",omitempty"`
	}{
		"Success", formatExpiration(timeNow().Truncate(time.Second)), "AWS-HMAC",
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, formatExpiration(c.Expiration),
	})
}

// marshalEnv writes export lines for a POSIX shell. Values hold only
// visible ASCII, checked by [Credentials.Marshal]; single quotes keep the
// shell from expanding any of it, and a quote inside a value is written as
// '\”.
func (c Credentials) marshalEnv() []byte {
	var b strings.Builder
	for _, kv := range [...][2]string{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
		{"AWS_SESSION_TOKEN", c.SessionToken},
		{"AWS_CREDENTIAL_EXPIRATION", formatExpiration(c.Expiration)},
	} {
		if kv[1] == "" {
			b.WriteString("unset " + kv[0] + "\n")
			continue
		}
		b.WriteString("export " + kv[0] + "='" +
			strings.ReplaceAll(kv[1], "'", `'\''`) + "'\n")
	}
	return []byte(b.String())
}

// encodeJSON writes v indented by two spaces, without escaping HTML
// characters, and with a final newline.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// The values this package encodes are structs of strings and ints.
		panic("ec2token: " + err.Error())
	}
	return b.Bytes()
}
