package main

// platform comment: post or update pull request (or issue) comments through
// the GitHub REST API, one per file, each found again by its marker line
// (prcomment.Marker, prcomment.DriftMarker) so that every push updates the
// stack's comment instead of adding one. The API, as documented at
// https://docs.github.com/en/rest/issues/comments (API version 2022-11-28):
//
//	GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=100&page=N  (Link: rel="next")
//	POST  /repos/{owner}/{repo}/issues/{number}/comments      {"body": ...}
//	PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}  {"body": ...}
//
// A pull request is an issue for comments. The token is $GITHUB_TOKEN (in
// Actions, the job's token with pull-requests: write or issues: write); it
// is sent only to --api-url and never printed.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// markerLineRE is the first line of a comment rendered by prcomment.
var markerLineRE = regexp.MustCompile(`^<!-- aks-cilium:[a-z]+ project=\S+ stack=\S+ -->$`)

// maxCommentFile caps what is read of a comment file: GitHub refuses a
// comment body over 65,536 characters, so a larger file is a mistake.
const maxCommentFile = 1 << 20

// newCommentCommand is `platform comment`.
func newCommentCommand(o *options, code *int) *cobra.Command {
	c := &cobra.Command{
		Use:   "comment [flags] FILE...",
		Short: "Post or update pull request comments through the GitHub REST API",
		Long: "Comment posts each Markdown FILE (pr-comment --out, preview or drift --comment-dir) as a\n" +
			"comment on pull request (or issue) --number of --repo, or updates the comment that starts\n" +
			"with the same marker line, so that every push updates each stack's comment instead of adding\n" +
			"one. The token is $GITHUB_TOKEN; it is sent only to --api-url and never printed.",
		RunE: func(cmd *cobra.Command, files []string) error {
			var err error
			*code, err = runComment(cmd.Context(), o, files, cmd.OutOrStdout(), cmd.ErrOrStderr())
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&o.wf.repo, "repo", os.Getenv("GITHUB_REPOSITORY"), "the GitHub repository `owner/name` (default $GITHUB_REPOSITORY)")
	f.IntVar(&o.wf.number, "number", 0, "the pull request or issue `number` to comment on")
	f.StringVar(&o.wf.apiURL, "api-url", envOr("GITHUB_API_URL", "https://api.github.com"), "the GitHub REST API `URL` (default $GITHUB_API_URL)")
	f.StringVar(&o.wf.author, "author", "github-actions[bot]", "update only comments by this `login` (\"\" for any)")
	return c
}

// runComment posts or updates one comment per file on --number.
func runComment(ctx context.Context, o *options, files []string, stdout, stderr io.Writer) (int, error) {
	w := o.wf
	owner, repo, ok := strings.Cut(w.repo, "/")
	switch {
	case !ok || owner == "" || repo == "" || strings.Contains(repo, "/"):
		return 0, usageError{fmt.Sprintf("comment: --repo %q: want owner/name (default $GITHUB_REPOSITORY)", w.repo)}
	case w.number <= 0:
		return 0, usageError{"comment: --number N, the pull request or issue to comment on, is required"}
	case len(files) == 0:
		return 0, usageError{"comment: name the Markdown files to post (pr-comment --out, or preview/drift --comment-dir)"}
	case os.Getenv("GITHUB_TOKEN") == "":
		return 0, usageError{"comment: set GITHUB_TOKEN (a token that may write comments on the repository)"}
	}
	api, err := url.Parse(w.apiURL)
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
		return 0, usageError{fmt.Sprintf("comment: --api-url %q is not an http(s) URL", w.apiURL)}
	}
	type post struct{ file, marker, body string }
	var posts []post
	for _, f := range files {
		data, err := readBounded(ctx, f, maxCommentFile)
		if err != nil {
			return 0, usageError{"comment: " + err.Error()}
		}
		body := string(data)
		marker, _, _ := strings.Cut(strings.TrimLeft(body, "\n"), "\n")
		if !markerLineRE.MatchString(marker) {
			return 0, usageError{fmt.Sprintf("comment: %s does not start with an aks-cilium marker line (<!-- aks-cilium:preview project=... stack=... -->)", f)}
		}
		posts = append(posts, post{f, marker, body})
	}

	gh := &githubClient{api: strings.TrimRight(api.String(), "/"), token: os.Getenv("GITHUB_TOKEN"), http: &http.Client{Timeout: time.Minute}}
	existing, err := gh.listComments(ctx, owner, repo, w.number)
	if err != nil {
		return 0, err
	}
	for _, p := range posts {
		id := int64(0)
		for _, c := range existing {
			first, _, _ := strings.Cut(strings.TrimLeft(c.Body, "\n"), "\n")
			if first == p.marker && (w.author == "" || c.User.Login == w.author) {
				id = c.ID
				break
			}
		}
		if id != 0 {
			if err := gh.updateComment(ctx, owner, repo, id, p.body); err != nil {
				return 0, err
			}
			fmt.Fprintf(stdout, "updated comment %d on %s#%d from %s\n", id, w.repo, w.number, p.file)
			continue
		}
		id, err := gh.createComment(ctx, owner, repo, w.number, p.body)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(stdout, "created comment %d on %s#%d from %s\n", id, w.repo, w.number, p.file)
	}
	return exitOK, nil
}

// githubClient is the three calls of the issue comments API.
type githubClient struct {
	api, token string
	http       *http.Client
}

type issueComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
}

// listComments reads every comment of an issue, following the Link header.
func (g *githubClient) listComments(ctx context.Context, owner, repo string, number int) ([]issueComment, error) {
	next := fmt.Sprintf("%s/repos/%s/%s/issues/%d/comments?per_page=100", g.api, url.PathEscape(owner), url.PathEscape(repo), number)
	var all []issueComment
	for pages := 0; next != "" && pages < 100; pages++ {
		var page []issueComment
		h, err := g.do(ctx, http.MethodGet, next, nil, &page)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		next = nextLink(h.Get("Link"))
		if next != "" && !strings.HasPrefix(next, g.api+"/") {
			return nil, fmt.Errorf("comment: GitHub's next page %s is not under %s: not following it with the token", redactQuery(next), g.api)
		}
	}
	return all, nil
}

func (g *githubClient) createComment(ctx context.Context, owner, repo string, number int, body string) (int64, error) {
	var c issueComment
	_, err := g.do(ctx, http.MethodPost, fmt.Sprintf("%s/repos/%s/%s/issues/%d/comments", g.api, url.PathEscape(owner), url.PathEscape(repo), number),
		map[string]string{"body": body}, &c)
	return c.ID, err
}

func (g *githubClient) updateComment(ctx context.Context, owner, repo string, id int64, body string) error {
	_, err := g.do(ctx, http.MethodPatch, fmt.Sprintf("%s/repos/%s/%s/issues/comments/%d", g.api, url.PathEscape(owner), url.PathEscape(repo), id),
		map[string]string{"body": body}, nil)
	return err
}

// do sends one request and decodes a 2xx answer into out; another status
// is an error with GitHub's message (never the token).
func (g *githubClient) do(ctx context.Context, method, u string, in, out any) (http.Header, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "aks-cilium-platform")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("comment: %s %s: %w", method, redactQuery(u), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("comment: %s %s: %w", method, redactQuery(u), err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return nil, fmt.Errorf("comment: %s %s: GitHub answered %s: %s", method, redactQuery(u), resp.Status, strings.ReplaceAll(e.Message, g.token, "[secret]"))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("comment: %s %s: %w", method, redactQuery(u), err)
		}
	}
	return resp.Header, nil
}

// nextLink is the rel="next" URL of a Link header ("" when none).
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="next"`) {
			return strings.Trim(strings.TrimSpace(u), "<>")
		}
	}
	return ""
}

// redactQuery shows a URL without its query (pages only, but keep errors short).
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
