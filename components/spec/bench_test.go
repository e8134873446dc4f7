package spec

import "testing"

// BenchmarkValidate: defaulting and validating a spec is what an internal
// platform does per request before it queues a deployment.
func BenchmarkValidate(b *testing.B) {
	for _, file := range []string{"overlay.yaml", "podsubnet.yaml", "nodesubnet.yaml"} {
		c := load(b, file)
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if errs := c.WithDefaults().Validate(); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}
