package ec2token_test

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/ec2token/ec2token"
)

// The admin seals credentials to a user's public key, so that they can
// travel by e-mail or chat; only that user can open them.
func ExampleCredentials_Seal() {
	// The user, once: make a key pair ("age-keygen -o key.txt" does the
	// same) and send the public key to the admin. An SSH public key, the
	// line in ~/.ssh/id_ed25519.pub, works as well.
	userKey, err := age.GenerateX25519Identity()
	if err != nil {
		log.Fatal(err)
	}
	publicKey := userKey.Recipient().String()
	keyFile := userKey.String() + "\n"

	// The admin: seal the user's credentials to that public key.
	creds := ec2token.Credentials{
		AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken:    "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
		Expiration:      time.Now().Add(12 * time.Hour),
	}
	recipient, err := ec2token.ParseRecipient(publicKey)
	if err != nil {
		log.Fatal(err)
	}
	sealed, err := creds.Seal(recipient)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.SplitN(sealed, "\n", 2)[0])

	// The user: open the sealed string with the secret key file.
	identities, err := ec2token.ParseIdentities(strings.NewReader(keyFile))
	if err != nil {
		log.Fatal(err)
	}
	opened, err := ec2token.OpenSealed(sealed, identities...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opened.AccessKeyID, opened.Expired())

	// Anyone else gets ErrWrongIdentity.
	stranger, err := age.GenerateX25519Identity()
	if err != nil {
		log.Fatal(err)
	}
	_, err = ec2token.OpenSealed(sealed, stranger)
	fmt.Println(errors.Is(err, ec2token.ErrWrongIdentity))
	// Output:
	// -----BEGIN AGE ENCRYPTED FILE-----
	// ASIAIOSFODNN7EXAMPLE false
	// true
}
