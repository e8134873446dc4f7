package automation

import (
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// addSecret remembers a secret value (the passphrase, a secret output) so
// that mask hides it. Values shorter than 4 bytes are not tracked: masking
// them would garble unrelated text, and no real secret is that short.
func (e *Engine) addSecret(s string) {
	if len(s) < 4 {
		return
	}
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	for _, have := range e.secrets {
		if have == s {
			return
		}
	}
	e.secrets = append(e.secrets, s)
	// Longest first, so a secret containing another is masked whole; one
	// Replacer pass, so a mask is never masked again.
	sort.Slice(e.secrets, func(i, j int) bool { return len(e.secrets[i]) > len(e.secrets[j]) })
	pairs := make([]string, 0, 2*len(e.secrets))
	for _, secret := range e.secrets {
		pairs = append(pairs, secret, result.SecretMask)
	}
	e.masker = strings.NewReplacer(pairs...)
}

// mask replaces every known secret value in s with [secret]. The engine
// already masks secrets in its events (ShowSecrets is never on); this is
// the second line, for errors, diagnostics and CLI output.
func (e *Engine) mask(s string) string {
	e.secretsMu.Lock()
	masker := e.masker
	e.secretsMu.Unlock()
	if masker == nil {
		return s
	}
	return masker.Replace(s)
}
