package main

import "testing"

// TestSpecIsValid keeps the example deployable: its spec validates.
func TestSpecIsValid(t *testing.T) {
	c := clusterSpec("6f1a9a3e-3c1b-4a53-9d43-2f0c2b7e8a11").WithDefaults()
	for _, err := range c.Validate() {
		t.Error(err)
	}
}
