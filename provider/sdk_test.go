package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/internal/stackrepo"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
	"github.com/aks-cilium/aks-cilium/provider"
	"github.com/aks-cilium/aks-cilium/provider/schemagen"
)

// The SDKs are built, not committed: `pulumi package gen-sdk` writes them
// from the plugin in a second, they follow every spec change, and thousands
// of generated lines per language would be rewritten by every field added.
// These tests prove that what gen-sdk writes from the plugin matches the
// schema and compiles: the TypeScript SDK and examples/typescript with tsc
// against @pulumi/pulumi from npm (make tools: npm ci of the committed
// lockfile), the Python SDK and examples/python byte-compiled, the Go SDK
// built, and the C# SDK's inputs named as the schema names them (no .NET
// toolchain here).

// tool fails (under AKS_CILIUM_REQUIRE_TOOLS=1) or skips for a missing tool.
func tool(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	tooltest.Missing(t, err.Error())
}

// sdks builds the plugin and generates the four SDKs from it into a
// temporary folder, once for the tests of this file.
func sdks(t *testing.T) (dir string, cli string) {
	t.Helper()
	c := pulumitest.CLI(t)
	for _, lang := range []string{"nodejs", "python", "go", "dotnet"} {
		_, err := stackrepo.LanguageHost(c.Path, lang)
		tool(t, err)
	}
	dir = t.TempDir()
	root, err := schemagen.ModuleRoot()
	require.NoError(t, err)
	plugin := filepath.Join(dir, "bin", "pulumi-resource-"+provider.Name)
	run(t, root, nil, "go", "build", "-o", plugin, "./cmd/pulumi-resource-aks-cilium")

	env := []string{
		"PULUMI_HOME=" + filepath.Join(dir, "home"),
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS=true",
	}
	// The plugin serves the committed schema.
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(run(t, dir, env, c.Path, "package", "get-schema", plugin)), &got))
	if cfg, ok := got["config"].(map[string]any); ok && len(cfg) == 0 {
		delete(got, "config") // the CLI adds an empty package config section
	}
	served, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(provider.Schema()), string(served), "pulumi package get-schema of the plugin is provider/schema.json")
	for _, lang := range []string{"nodejs", "python", "go", "dotnet"} {
		run(t, dir, env, c.Path, "package", "gen-sdk", plugin, "--language", lang, "--out", filepath.Join(dir, "sdk"))
	}
	return dir, c.Path
}

// run runs a command in dir and returns its standard output; it fails the
// test with the whole output when the command fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	require.NoError(t, err, "%s %s\n%s%s", name, strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String()
}

// schema is the part of the schema the checks read.
type schema struct {
	Types map[string]struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Enum       []struct {
			Value string `json:"value"`
		} `json:"enum"`
	} `json:"types"`
	Resources map[string]struct {
		InputProperties map[string]json.RawMessage `json:"inputProperties"`
		Properties      map[string]json.RawMessage `json:"properties"`
	} `json:"resources"`
}

func loadSchema(t *testing.T) schema {
	var s schema
	require.NoError(t, json.Unmarshal(provider.Schema(), &s))
	return s
}

func TestGeneratedSDKs(t *testing.T) {
	dir, _ := sdks(t)
	s := loadSchema(t)
	sdk := filepath.Join(dir, "sdk")

	t.Run("every SDK has every component", func(t *testing.T) {
		for token := range s.Resources {
			module, name := tokenParts(token)
			files := map[string]string{
				"nodejs": filepath.Join("nodejs", dirOf(module), lowerFirst(name)+".ts"),
				"python": filepath.Join("python", "pulumi_aks_cilium", dirOf(module), snake(name)+".py"),
				"go":     filepath.Join("go", "akscilium", dirOf(module), lowerFirst(name)+".go"),
				"dotnet": filepath.Join("dotnet", upperFirst(dirOf(module)), name+".cs"),
			}
			for lang, f := range files {
				data, err := os.ReadFile(filepath.Join(sdk, f))
				if assert.NoError(t, err, "%s SDK has %s for %s", lang, f, token) {
					assert.Contains(t, string(data), token, "%s registers %s", f, token)
				}
			}
		}
	})

	t.Run("the C# inputs are the schema's properties", func(t *testing.T) {
		inputs := readAll(t, filepath.Join(sdk, "dotnet"), ".cs")
		for token, typ := range s.Types {
			for name := range typ.Properties {
				assert.Contains(t, inputs, fmt.Sprintf("[Input(%q", name), "C# has input %s of %s", name, token)
			}
		}
		for token, r := range s.Resources {
			for name := range r.Properties {
				assert.Contains(t, inputs, fmt.Sprintf("[Output(%q)]", name), "C# has output %s of %s", name, token)
			}
		}
	})

	t.Run("typescript SDK and program compile", func(t *testing.T) {
		modules := os.Getenv("AKS_CILIUM_NODE_MODULES")
		if modules == "" {
			modules = filepath.Join(toolsCache(), "node-modules-*", "node_modules")
		}
		matches, _ := filepath.Glob(modules)
		if len(matches) == 0 || !exists(filepath.Join(matches[len(matches)-1], "typescript", "bin", "tsc")) {
			tool(t, fmt.Errorf("no node_modules with typescript at %s: run `make tools` (npm ci of examples/typescript/package-lock.json)", modules))
		}
		_, err := exec.LookPath("node")
		tool(t, err)
		prog := filepath.Join(dir, "typescript")
		copyDir(t, filepath.Join(repoRoot(t), "examples", "typescript"), prog)
		require.NoError(t, os.Symlink(matches[len(matches)-1], filepath.Join(prog, "node_modules")))
		require.NoError(t, os.Rename(filepath.Join(sdk, "nodejs"), filepath.Join(prog, "sdk", "nodejs")))
		tsc := filepath.Join(prog, "node_modules", "typescript", "bin", "tsc")
		run(t, filepath.Join(prog, "sdk", "nodejs"), nil, "node", tsc, "-p", ".")
		run(t, prog, nil, "node", tsc, "-p", ".")
		assert.FileExists(t, filepath.Join(prog, "bin", "index.js"))
		assert.FileExists(t, filepath.Join(prog, "sdk", "nodejs", "bin", "platform.d.ts"))
	})

	t.Run("python SDK and program byte-compile", func(t *testing.T) {
		python, err := exec.LookPath("python3")
		tool(t, err)
		prog := filepath.Join(dir, "python")
		copyDir(t, filepath.Join(repoRoot(t), "examples", "python"), prog)
		run(t, dir, nil, python, "-m", "compileall", "-q", filepath.Join(sdk, "python"), prog)
		assert.FileExists(t, filepath.Join(sdk, "python", "pulumi_aks_cilium", "__pycache__", "platform.cpython-"+pyVersion(t, python)+".pyc"))

		// Byte-compiling checks syntax only (the pulumi package is not
		// installed here), so check the names the program uses against the
		// SDK: every class it calls, in its module, and every keyword.
		main, err := os.ReadFile(filepath.Join(prog, "__main__.py"))
		require.NoError(t, err)
		pkg := filepath.Join(sdk, "python", "pulumi_aks_cilium")
		for _, m := range regexp.MustCompile(`akscilium\.(?:([a-z]\w*)\.)?([A-Z]\w*)`).FindAllStringSubmatch(string(main), -1) {
			class := regexp.MustCompile(`(?m)^class ` + m[2] + `[(:]`)
			assert.True(t, class.MatchString(readAll(t, filepath.Join(pkg, m[1]), ".py")),
				"the python SDK has %s in module %q", m[2], m[1])
		}
		all := readAll(t, pkg, ".py")
		for _, m := range regexp.MustCompile(`\b([a-z_]+)=`).FindAllStringSubmatch(string(main), -1) {
			assert.True(t, strings.Contains(all, " "+m[1]+": "), "the python SDK takes the keyword %s", m[1])
		}
	})

	t.Run("go SDK builds", func(t *testing.T) {
		// The SDK's own module, on this module's requirements (so the module
		// cache already holds everything it needs).
		gosdk := filepath.Join(sdk, "go", "akscilium")
		root := repoRoot(t)
		mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		require.NoError(t, err)
		mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module github.com/aks-cilium/aks-cilium/sdk/go/akscilium"))
		require.NoError(t, os.WriteFile(filepath.Join(gosdk, "go.mod"), mod, 0o644))
		sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(gosdk, "go.sum"), sum, 0o644))
		run(t, gosdk, []string{"GOFLAGS=-mod=mod"}, "go", "vet", "./...")
	})
}

func tokenParts(token string) (module, name string) {
	parts := strings.Split(token, ":")
	return parts[1], parts[2]
}

// dirOf is the SDK folder of a schema module ("" for index).
func dirOf(module string) string {
	if module == "index" {
		return ""
	}
	return module
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func upperFirst(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// snake is Python's file name of a type name: BaselinePolicies ->
// baseline_policies.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

func readAll(t *testing.T, dir, ext string) string {
	var b strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ext {
			return err
		}
		data, err := os.ReadFile(path)
		b.Write(data)
		return err
	}))
	return b.String()
}

func copyDir(t *testing.T, src, dst string) {
	require.NoError(t, filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if slices.Contains([]string{"node_modules", "sdk", "bin", "__pycache__"}, d.Name()) && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	}))
	require.NoError(t, os.MkdirAll(filepath.Join(dst, "sdk"), 0o755))
}

func repoRoot(t *testing.T) string {
	root, err := schemagen.ModuleRoot()
	require.NoError(t, err)
	return root
}

func toolsCache() string {
	if c := os.Getenv("TOOLS_CACHE"); c != "" {
		return c
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "aks-cilium", "tools")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// pyVersion is "311" for Python 3.11: the tag of compiled files.
func pyVersion(t *testing.T, python string) string {
	out, err := exec.Command(python, "-c", "import sys; print(f'{sys.version_info[0]}{sys.version_info[1]}')").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}
