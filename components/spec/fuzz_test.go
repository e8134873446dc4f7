package spec

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
)

func mustVersion(t testing.TB, v string) *semver.Version {
	t.Helper()
	parsed, err := semver.NewVersion(v)
	require.NoError(t, err)
	return parsed
}

// FuzzDecodeAndValidate: no input may panic the decoder, the defaults or the
// validator, and a decoded spec survives a JSON round trip.
func FuzzDecodeAndValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"network":{"mode":{"podSubnet":{"subnets":[{"name":"p","cidr":"10.1.0.0/33"}]}}}}`))
	f.Add([]byte(`network: {mode: {overlay: {podCidr: "0.0.0.0/0"}}, serviceCidr: "::/0", dnsServiceIP: "1"}`))
	f.Add([]byte(`systemPool: {autoscale: {min: -1, max: 2147483647}, maxSurge: "9223372036854775808%"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeYAML(data)
		if err != nil {
			return
		}
		d := c.WithDefaults()
		_ = d.Validate()
		_, _ = d.MinCiliumVersion()
	})
}

// FuzzParseCIDR: ParseCIDR never panics, and what it accepts is a canonical
// IPv4 prefix whose helpers stay inside it.
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "10.0.0.1/8", "0.0.0.0/0", "255.255.255.255/32", "::1/128", "::ffff:10.0.0.0/104", "1.2.3.4", "", "10.0.0.0/-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCIDR(s)
		if err != nil {
			return
		}
		if !p.Addr().Is4() || p.Masked() != p || p.Bits() == 0 {
			t.Fatalf("accepted a non-canonical or non-IPv4 prefix %q -> %s", s, p)
		}
		if !p.Contains(LastAddr(p)) {
			t.Fatalf("LastAddr(%s) = %s is outside it", p, LastAddr(p))
		}
		if UsableSubnetIPs(p) < 0 || Count24(p) < 0 || Size(p) <= 0 {
			t.Fatalf("negative sizes for %s", p)
		}
		if a, ok := tenth(p); ok && !p.Contains(a) {
			t.Fatalf("tenth(%s) = %s is outside it", p, a)
		}
		if !Contains(p, netip.PrefixFrom(p.Addr(), 32)) {
			t.Fatalf("%s does not contain its own first address", p)
		}
	})
}
