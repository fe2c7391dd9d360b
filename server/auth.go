package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// A User is who sent a request. An administrator may read and cancel every
// job; other users only their own.
type User struct {
	Name  string
	Admin bool
}

// An Authenticator tells who sent a request. It returns ErrNoCredentials
// when the request carries none and ErrInvalidToken (or an error wrapping
// it) when they are wrong; the server answers both with 401. Library users
// plug in their own (OIDC, mTLS, a session cookie …).
type Authenticator interface {
	Authenticate(r *http.Request) (User, error)
}

// AuthenticatorFunc adapts a function to an Authenticator.
type AuthenticatorFunc func(r *http.Request) (User, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (User, error) { return f(r) }

// Errors of an Authenticator.
var (
	ErrNoCredentials = errors.New("server: no bearer token")
	ErrInvalidToken  = errors.New("server: invalid token")
)

// Tokens is an Authenticator of static bearer tokens, each naming a user.
// Tokens are compared in constant time: a request's token is hashed and
// compared with the hash of every configured token, so the time taken
// tells nothing about how close a guess was. The zero value accepts no
// token.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	sum  [sha256.Size]byte
	user User
}

// ParseTokens reads tokens in the form of the FOLIO_TOKENS variable and the
// --tokens-file file: entries TOKEN=USER or TOKEN=USER:admin, separated by
// commas or line breaks, with blank lines and lines starting with # ignored.
// A token may contain '=' (base64 padding): the user is what follows the
// last '='. It fails on a malformed entry or a token given twice.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	seen := map[[sha256.Size]byte]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		for entry := range strings.SplitSeq(text, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			i := strings.LastIndexByte(entry, '=')
			if i <= 0 || i == len(entry)-1 {
				return nil, fmt.Errorf("tokens: line %d: an entry is not TOKEN=USER[:admin]", line)
			}
			token, name := strings.TrimSpace(entry[:i]), strings.TrimSpace(entry[i+1:])
			u := User{Name: name}
			if n, ok := strings.CutSuffix(name, ":admin"); ok {
				u = User{Name: n, Admin: true}
			}
			if u.Name == "" || strings.ContainsAny(token, " \t") || token == "" {
				return nil, fmt.Errorf("tokens: line %d: an entry is not TOKEN=USER[:admin]", line)
			}
			sum := sha256.Sum256([]byte(token))
			if seen[sum] {
				return nil, fmt.Errorf("tokens: line %d: a token is given twice", line)
			}
			seen[sum] = true
			t.entries = append(t.entries, tokenEntry{sum: sum, user: u})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// Len returns how many tokens t holds.
func (t *Tokens) Len() int { return len(t.entries) }

// Authenticate implements Authenticator for the header
// "Authorization: Bearer TOKEN".
func (t *Tokens) Authenticate(r *http.Request) (User, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return User{}, ErrNoCredentials
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return User{}, ErrNoCredentials
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var found User
	match := 0
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 {
			found = e.user
			match = 1
		}
	}
	if match == 0 {
		return User{}, ErrInvalidToken
	}
	return found, nil
}
