package prcomment

import (
	"regexp"
	"strings"
)

// FleetStack is the stack name in the marker of a RenderFleet comment.
const FleetStack = "*"

var markerRE = regexp.MustCompile(`^<!-- aks-cilium:preview project=(\S+) stack=(\S+) -->$`)

// Marker is the hidden first line of a rendered comment, e.g.
//
//	<!-- aks-cilium:preview project=aks-cilium stack=prod -->
//
// A CI job finds its own earlier comment by this line and updates it
// instead of adding a new comment on every push. Characters other than
// letters, digits and . _ - / * are replaced with _, so a name can never
// end the HTML comment; an empty name is written as _.
func Marker(project, stack string) string {
	return "<!-- aks-cilium:preview project=" + markerValue(project) + " stack=" + markerValue(stack) + " -->"
}

// FindMarker reads the marker from the first non-empty line of a comment
// body (only there, so a comment that merely quotes a marker is not taken
// for a preview). ok is false when the body has no marker.
func FindMarker(body string) (project, stack string, ok bool) {
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := markerRE.FindStringSubmatch(line)
		if m == nil {
			return "", "", false
		}
		return m[1], m[2], true
	}
	return "", "", false
}

func markerValue(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		case strings.ContainsRune("._-/*", r):
			return r
		}
		return '_'
	}, s)
}
