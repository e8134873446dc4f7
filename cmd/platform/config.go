package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// stackConfig is what a Pulumi.<stack>.yaml holds for a Platform stack.
type stackConfig struct {
	// Stack is the stack name the file's name gives (Pulumi.<stack>.yaml).
	Stack string
	// Cluster is the spec under aks-cilium:cluster, as written (not
	// defaulted: the Engine defaults and validates it).
	Cluster spec.Cluster
	// Policies are aks-cilium:policies, when the file has them.
	Policies *components.PoliciesArgs
}

var stackFileRE = regexp.MustCompile(`^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$`)

// maxConfigFile caps what is read of a stack config file: a spec is
// kilobytes, so a megabyte is a mistake (or /dev/zero).
const maxConfigFile = 1 << 20

// loadStackConfig reads a stack config file (readBounded: a regular file of
// at most maxConfigFile, read with ctx) and parses it (parseStackConfig).
// Warnings are for what the file holds that platform does not use.
func loadStackConfig(ctx context.Context, path string) (*stackConfig, []string, error) {
	data, err := readBounded(ctx, path, maxConfigFile)
	if err != nil {
		return nil, nil, err
	}
	return parseStackConfig(path, data)
}

// parseStackConfig parses a stack config file: the cluster spec under
// spec.ConfigCluster (required, decoded strictly: an unknown field is an
// error) and the baseline policies under spec.ConfigPolicies (optional). A
// duplicate YAML key is an error (YAML would keep the last silently), and so
// is any other config key or a secure: value: platform passes only the spec
// and the policies to the stack, so such a key would be dropped, where
// `pulumi up` would use it. Other top-level settings (encryptionsalt,
// secretsprovider, ...) are warnings: platform keeps its own stack settings
// in --dir.
func parseStackConfig(path string, data []byte) (*stackConfig, []string, error) {
	// One YAML document, no key given twice (spec.YAMLToJSON): a second
	// aks-cilium:cluster would otherwise silently win.
	js, err := spec.YAMLToJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(js, &file); err != nil {
		return nil, nil, fmt.Errorf("%s: not a stack config (a YAML mapping with a config key): %w", path, err)
	}
	var warnings []string
	var config map[string]json.RawMessage
	for _, k := range slices.Sorted(maps.Keys(file)) {
		if k == "config" {
			if err := json.Unmarshal(file[k], &config); err != nil {
				return nil, nil, fmt.Errorf("%s: config: not a mapping of keys to values: %w", path, err)
			}
			continue
		}
		warnings = append(warnings, fmt.Sprintf("%s: %s is not used: platform keeps its own stack settings in --dir", path, k))
	}
	var unused []string
	for _, k := range slices.Sorted(maps.Keys(config)) {
		if k != spec.ConfigCluster && k != spec.ConfigPolicies {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		return nil, nil, fmt.Errorf("%s: config keys %s would be ignored: platform passes only %s and %s to the stack (the cluster's location is %s.location; provider settings come from the environment, e.g. ARM_SUBSCRIPTION_ID)",
			path, strings.Join(unused, ", "), spec.ConfigCluster, spec.ConfigPolicies, spec.ConfigCluster)
	}
	for _, k := range []string{spec.ConfigCluster, spec.ConfigPolicies} {
		if secure := secureValue(config[k]); secure != "" {
			return nil, nil, fmt.Errorf("%s: %s holds a secure: value at %s: platform does not decrypt stack config, and neither the spec nor the policies hold secrets", path, k, secure)
		}
	}
	raw, ok := config[spec.ConfigCluster]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no %q key under config: a stack config file holds the cluster spec there (see stacks/Pulumi.overlay.yaml)", path, spec.ConfigCluster)
	}
	c, err := spec.DecodeJSON(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", path, spec.ConfigCluster, err)
	}
	sc := &stackConfig{Cluster: c}
	if m := stackFileRE.FindStringSubmatch(filepath.Base(path)); m != nil {
		sc.Stack = m[1]
	}
	if raw, ok := config[spec.ConfigPolicies]; ok && string(raw) != "null" {
		p, err := components.DecodePolicies(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", path, spec.ConfigPolicies, err)
		}
		sc.Policies = p
	}
	return sc, warnings, nil
}

// secureValue returns the path of the first {secure: ...} value in a JSON
// document ("" when there is none): Pulumi's encrypted config values.
func secureValue(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var find func(v any, path string) string
	find = func(v any, path string) string {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["secure"]; ok && len(v) == 1 {
				return path
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				if p := find(v[k], path+"."+k); p != "" {
					return p
				}
			}
		case []any:
			for i, e := range v {
				if p := find(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p
				}
			}
		}
		return ""
	}
	if p := find(v, ""); p != "" {
		return strings.TrimPrefix(p, ".")
	}
	return ""
}

// readBounded reads a regular file of at most limit bytes, checking ctx
// between chunks. Anything else (a FIFO, a device such as /dev/zero, a
// folder) is refused before a byte is read: the file is opened
// non-blocking, so not even a FIFO without a writer holds it up.
func readBounded(ctx context.Context, path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, fileKind(info.Mode()))
	}
	tooBig := func(n int64) error {
		return fmt.Errorf("%s is %d bytes, more than the %d a stack config may have (it is kilobytes)", path, n, limit)
	}
	if info.Size() > limit {
		return nil, tooBig(info.Size())
	}
	var buf bytes.Buffer
	chunk := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if int64(buf.Len()) > limit {
			return nil, tooBig(int64(buf.Len()))
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// fileKind names a non-regular file's type for an error.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
