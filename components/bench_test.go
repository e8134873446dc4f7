package components

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BenchmarkPlatformsUnderMocks runs one program with 1, 10 and 100 Platforms
// under mocks that record nothing. ns/platform and B/platform stay flat when
// the cost of a platform does not grow with the program.
func BenchmarkPlatformsUnderMocks(b *testing.B) {
	c := podSubnetSpec() // the largest: three subnets, ACNS, a user pool
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("platforms=%d", n), func(b *testing.B) {
			m := &mocks{record: false}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			b.ResetTimer()
			for range b.N {
				err := pulumi.RunErr(func(ctx *pulumi.Context) error {
					for i := range n {
						if _, err := NewPlatform(ctx, fmt.Sprintf("p%03d", i), c); err != nil {
							return err
						}
					}
					return nil
				}, pulumi.WithMocks("aks-cilium", "bench", m))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			platforms := float64(b.N * n)
			b.ReportMetric(float64(elapsed.Nanoseconds())/platforms, "ns/platform")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/platforms, "B/platform")
		})
	}
}
