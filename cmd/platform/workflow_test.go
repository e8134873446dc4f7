package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// Every stack is in exactly one shard, its shard depends on its name and
// the shard count only, and the shards are not far from even.
func TestShards(t *testing.T) {
	var names []string
	for i := range 200 {
		names = append(names, fmt.Sprintf("stack-%03d", i))
	}
	for n := 1; n <= 6; n++ {
		sizes := map[int]int{}
		for _, name := range names {
			s := shardOf(name, n)
			require.True(t, s >= 1 && s <= n, "%s in shard %d of %d", name, s, n)
			assert.Equal(t, s, shardOf(name, n), "stable")
			sizes[s]++
		}
		for i := 1; i <= n; i++ {
			assert.Greater(t, sizes[i], 200/n/2, "shard %d/%d has %d of 200", i, n, sizes[i])
		}
	}
	for _, bad := range []string{"", "1", "0/2", "3/2", "a/b", "1/0", "-1/2"} {
		_, err := parseShard(bad)
		assert.Error(t, err, bad)
	}
	s, err := parseShard("2/4")
	require.NoError(t, err)
	assert.Equal(t, shard{2, 4}, s)

	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		writeConfig(t, dir, name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a stack"), 0o600))
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		stacks, err := loadFleet(context.Background(), dir, shard{i, 3}, io.Discard)
		require.NoError(t, err)
		for _, st := range stacks {
			seen[st.Name]++
			assert.Equal(t, i, shardOf(st.Name, 3))
			assert.Equal(t, filepath.Join(dir, "Pulumi."+st.Name+".yaml"), st.File)
		}
	}
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}, seen, "every stack in exactly one shard")

	writeConfig(t, dir, "broken", "kubernetesVersion: \"1.35\"", "kubernetesVersion: [oops")
	_, err = loadFleet(context.Background(), dir, shard{1, 1}, io.Discard)
	require.Error(t, err, "a broken file fails every shard")
	assert.Contains(t, err.Error(), "Pulumi.broken.yaml")
}

// fakeGitHub is a stand-in for the GitHub REST API's issue comments, for
// tests: it serves a PR's comments in pages of two (with Link headers),
// records every call, and applies creates and updates.
type fakeGitHub struct {
	mu       sync.Mutex
	calls    []ghCall
	comments []issueComment
	status   int // answer every write with this status when set
	srv      *httptest.Server
}

type ghCall struct {
	Method, Path, Query, Auth, Version, Accept string
	Body                                       map[string]string
}

func newFakeGitHub(t *testing.T, existing ...issueComment) *fakeGitHub {
	f := &fakeGitHub{comments: existing}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := ghCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"),
		Version: r.Header.Get("X-GitHub-Api-Version"), Accept: r.Header.Get("Accept")}
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &call.Body)
	}
	f.calls = append(f.calls, call)
	if f.status != 0 && r.Method != http.MethodGet {
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/repos/acme/stacks/issues/7/comments":
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		from, to := (page-1)*2, min(page*2, len(f.comments))
		if to < len(f.comments) {
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=100&page=%d>; rel="next", <%s%s?page=9>; rel="last"`, f.srv.URL, r.URL.Path, page+1, f.srv.URL, r.URL.Path))
		}
		_ = json.NewEncoder(w).Encode(f.comments[from:to])
	case r.Method == http.MethodPost && r.URL.Path == "/repos/acme/stacks/issues/7/comments":
		c := issueComment{ID: int64(1000 + len(f.comments)), Body: call.Body["body"]}
		c.User.Login = "github-actions[bot]"
		f.comments = append(f.comments, c)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(c)
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/repos/acme/stacks/issues/comments/"):
		var id int64
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/repos/acme/stacks/issues/comments/"), &id)
		for i := range f.comments {
			if f.comments[i].ID == id {
				f.comments[i].Body = call.Body["body"]
				_ = json.NewEncoder(w).Encode(f.comments[i])
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func comment(id int64, login, body string) issueComment {
	c := issueComment{ID: id, Body: body}
	c.User.Login = login
	return c
}

// platform comment updates the stack's own earlier comment (found by its
// marker, by the bot, across pages) and creates the ones that have none,
// with the token only in the Authorization header.
func TestCommentPostsAndUpdates(t *testing.T) {
	const token = "ghs_canary0123456789"
	t.Setenv("GITHUB_TOKEN", token)
	prod := "<!-- aks-cilium:preview project=aks-cilium stack=prod -->"
	gh := newFakeGitHub(t,
		comment(1, "octocat", "LGTM"),
		comment(2, "octocat", prod+"\nquoted by a human"),
		comment(3, "someone", "another"),
		comment(4, "github-actions[bot]", prod+"\nthe old preview"),
	)
	dir := t.TempDir()
	prodFile := filepath.Join(dir, "prod.md")
	devFile := filepath.Join(dir, "dev.md")
	require.NoError(t, os.WriteFile(prodFile, []byte(prod+"\nthe new preview\n"), 0o600))
	require.NoError(t, os.WriteFile(devFile, []byte("<!-- aks-cilium:preview project=aks-cilium stack=dev -->\nfirst preview\n"), 0o600))

	code, stdout, stderr := cli(t, "comment", "--repo", "acme/stacks", "--number", "7", "--api-url", gh.srv.URL, prodFile, devFile)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "updated comment 4 on acme/stacks#7")
	assert.Contains(t, stdout, "created comment 1004 on acme/stacks#7")
	assert.NotContains(t, stdout+stderr, token)

	var got []string
	for _, c := range gh.calls {
		got = append(got, c.Method+" "+c.Path+"?"+c.Query)
		assert.Equal(t, "Bearer "+token, c.Auth)
		assert.Equal(t, "2022-11-28", c.Version)
		assert.Equal(t, "application/vnd.github+json", c.Accept)
	}
	assert.Equal(t, []string{
		"GET /repos/acme/stacks/issues/7/comments?per_page=100",
		"GET /repos/acme/stacks/issues/7/comments?per_page=100&page=2",
		"PATCH /repos/acme/stacks/issues/comments/4?",
		"POST /repos/acme/stacks/issues/7/comments?",
	}, got)
	assert.Equal(t, prod+"\nthe new preview\n", gh.comments[3].Body, "the bot's comment is updated")
	assert.Equal(t, prod+"\nquoted by a human", gh.comments[1].Body, "a human's comment with the marker is left alone")

	// Again: both are updated now, nothing is added.
	gh.calls = nil
	code, _, _ = cli(t, "comment", "--repo", "acme/stacks", "--number", "7", "--api-url", gh.srv.URL, prodFile, devFile)
	require.Equal(t, exitOK, code)
	assert.Len(t, gh.comments, 5)
	methods := map[string]int{}
	for _, c := range gh.calls {
		methods[c.Method]++
	}
	assert.Equal(t, map[string]int{"GET": 3, "PATCH": 2}, methods)

	gh.status = http.StatusForbidden
	code, _, stderr = cli(t, "comment", "--repo", "acme/stacks", "--number", "7", "--api-url", gh.srv.URL, devFile)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "403 Forbidden: Resource not accessible by integration")
	assert.NotContains(t, stderr, token)
}

func TestCommentUsageErrors(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "x")
	dir := t.TempDir()
	good := filepath.Join(dir, "ok.md")
	plain := filepath.Join(dir, "plain.md")
	require.NoError(t, os.WriteFile(good, []byte("<!-- aks-cilium:drift project=aks-cilium stack=prod -->\nok\n"), 0o600))
	require.NoError(t, os.WriteFile(plain, []byte("no marker\n"), 0o600))
	for _, args := range [][]string{
		{"comment", "--repo", "acme", "--number", "7", good},
		{"comment", "--repo", "acme/stacks", good},
		{"comment", "--repo", "acme/stacks", "--number", "7"},
		{"comment", "--repo", "acme/stacks", "--number", "7", plain},
		{"comment", "--repo", "acme/stacks", "--number", "7", "--api-url", "ftp://x", good},
	} {
		code, _, stderr := cli(t, args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
	t.Setenv("GITHUB_TOKEN", "")
	code, _, stderr := cli(t, "comment", "--repo", "acme/stacks", "--number", "7", good)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "GITHUB_TOKEN")
}

// A fleet through the CLI against the simulator: the preview of each shard
// saves a plan and a PR comment per stack (under its own marker); up
// applies the saved plans; drift finds a change made behind Pulumi's back
// (exit 3) and writes its report; a plan reviewed before a spec change is
// refused (exit 5).
func TestFleetCommands(t *testing.T) {
	automationtest.CLI(t)
	useAPIServer = false
	t.Cleanup(func() { useAPIServer = true })
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir, fleet := filepath.Join(t.TempDir(), "engine"), t.TempDir()
	names := []string{"east", "north", "west"}
	for _, n := range names {
		writeConfig(t, fleet, n, "name: aks-cilium-demo", "name: "+n, "name: rg-aks-cilium-demo", "name: rg-"+n,
			"name: vnet-aks-cilium-demo", "name: vnet-"+n)
	}
	plans, comments, drift := t.TempDir(), t.TempDir(), t.TempDir()
	sim := []string{"--simulate", "--dir", dir}
	with := func(args ...string) []string { return append(args, sim...) }

	var previewed []string
	for i := 1; i <= 2; i++ {
		code, stdout, _ := cli(t, with("preview", "--fleet", fleet, "--shard", fmt.Sprintf("%d/2", i), "--plan-dir", plans,
			"--comment-dir", comments, "--detailed-exitcode", "--json")...)
		var out fleetOutput
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
		for _, so := range out.Stacks {
			require.Nil(t, so.Error, "%+v", so.Error)
			previewed = append(previewed, so.Stack)
			assert.Equal(t, i, shardOf(so.Stack, 2))
		}
		if len(out.Stacks) > 0 {
			assert.Equal(t, exitChanges, code, "every stack is new: changes planned")
		}
	}
	sort.Strings(previewed)
	assert.Equal(t, names, previewed, "the two shards previewed every stack once")
	for _, n := range names {
		assert.FileExists(t, filepath.Join(plans, n+".plan.json"))
		md, err := os.ReadFile(filepath.Join(comments, n+".md"))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(md), "<!-- aks-cilium:preview project=aks-cilium stack="+n+" -->\n"), "its own marker")
	}

	code, stdout, _ := cli(t, with("up", "--fleet", fleet, "--plan-dir", plans)...)
	require.Equal(t, exitOK, code, stdout)
	for _, n := range names {
		assert.Contains(t, stdout, "up of stack "+n+":")
	}
	code, _, _ = cli(t, with("drift", "--fleet", fleet, "--comment-dir", drift)...)
	assert.Equal(t, exitOK, code, "no drift right after the up")

	azure := azuresim.New(azuresim.Options{StateFile: filepath.Join(dir, "azure-simulator.json")})
	id := "/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/rg-north/providers/Microsoft.ContainerService/managedClusters/north"
	require.NoError(t, azure.PatchOutOfBand(id, map[string]any{"tags": map[string]any{"environment": "portal"}}))
	code, stdout, _ = cli(t, with("drift", "--fleet", fleet, "--comment-dir", drift)...)
	assert.Equal(t, exitChanges, code, "drift: exit 3")
	assert.Contains(t, stdout, "drifted: 1 resource(s)")
	report, err := os.ReadFile(filepath.Join(drift, "north.md"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(report), "<!-- aks-cilium:drift project=aks-cilium stack=north -->"))
	assert.Contains(t, string(report), "`platform-cluster-aks` (changed: `tags.environment`)")
	clean, err := os.ReadFile(filepath.Join(drift, "east.md"))
	require.NoError(t, err)
	assert.Contains(t, string(clean), "**No drift.**")

	// One stack: drift, then a plan saved for review, a spec changed after
	// the review, and the old plan refused.
	east := filepath.Join(fleet, "Pulumi.east.yaml")
	out := filepath.Join(t.TempDir(), "drift.md")
	code, _, _ = cli(t, with("drift", "--config", filepath.Join(fleet, "Pulumi.north.yaml"), "--out", out)...)
	assert.Equal(t, exitChanges, code)
	assert.FileExists(t, out)
	plan := filepath.Join(t.TempDir(), "east.plan.json")
	bigger := writeConfig(t, t.TempDir(), "east", "name: aks-cilium-demo", "name: east", "name: rg-aks-cilium-demo", "name: rg-east",
		"name: vnet-aks-cilium-demo", "name: vnet-east", "autoscale: {min: 1, max: 5}", "autoscale: {min: 1, max: 7}")
	code, _, _ = cli(t, with("preview", "--config", bigger, "--save-plan", plan)...)
	require.Equal(t, exitOK, code)
	code, _, stderr := cli(t, with("up", "--config", east, "--plan", plan)...)
	assert.Equal(t, exitPlanViolation, code, "the spec is not the reviewed one")
	assert.Contains(t, stderr, "spec.userPools[0].autoscale.max: 7 -> 5")
	code, _, _ = cli(t, with("up", "--config", bigger, "--plan", plan)...)
	assert.Equal(t, exitOK, code, "the reviewed spec applies")

	code, _, stderr = cli(t, with("preview", "--fleet", fleet, "--config", east)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--fleet takes the stacks from the folder")
}
