// Package prcomment renders an result.Result as the Markdown of a
// GitHub pull request comment, so a CI job can show reviewers what a change
// would do to a stack before it is merged.
//
// The comment starts with a hidden marker line (Marker), then a header, the
// counts per operation and a prominent warning for every replacement and
// deletion (with the properties that force it, and what a replaced AKS
// cluster means). Property diffs per resource and the diagnostics follow,
// folded. The output is deterministic, has no terminal codes, escapes
// everything that comes from the preview (a value cannot inject HTML or
// Markdown), masks Options.Secrets, and stays under Options.MaxBytes
// (60,000 by default, below GitHub's 65,536): when it would not, the
// per-resource details are cut and a note says how many were left out;
// the header, counts and warning are always kept.
//
// A CI job that posts the preview and updates the same comment on every
// push renders the comment in Go:
//
//	res, err := eng.Preview(ctx, "prod", cluster)
//	if err != nil { ... }
//	body := prcomment.Render(res, prcomment.Options{
//		Title:     os.Getenv("PR_TITLE"),
//		CommitSHA: os.Getenv("GITHUB_SHA"),
//		RunURL:    os.Getenv("GITHUB_SERVER_URL") + "/" + os.Getenv("GITHUB_REPOSITORY") + "/actions/runs/" + os.Getenv("GITHUB_RUN_ID"),
//	})
//	err = os.WriteFile("preview.md", []byte(body), 0o644)
//
// and posts it with the GitHub CLI, editing its earlier comment (found by
// the marker on the first line) when there is one:
//
//	marker='<!-- aks-cilium:preview project=aks-cilium stack=prod -->'
//	id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \
//	  --jq ".[] | select(.user.login == \"github-actions[bot]\") | select(.body | startswith(\"$marker\")) | .id" | head -n1)
//	if [ -n "$id" ]; then
//	  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@preview.md
//	else
//	  gh api -X POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F body=@preview.md
//	fi
//
// A Go job that lists the comments itself uses FindMarker on each body.
// RenderFleet does the same for many stacks in one comment, under the
// marker for stack "*".
package prcomment
