package spec

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestDecodeYAMLModes(t *testing.T) {
	overlay := load(t, "overlay.yaml")
	assert.Equal(t, Overlay{PodCIDR: "192.168.0.0/16"}, overlay.Network.Mode)
	podSubnet := load(t, "podsubnet.yaml")
	assert.Equal(t, PodSubnet{Subnets: []Subnet{{Name: "pods", CIDR: "10.10.16.0/20"}}}, podSubnet.Network.Mode)
	nodeSubnet := load(t, "nodesubnet.yaml")
	assert.Equal(t, NodeSubnet{}, nodeSubnet.Network.Mode)
	assert.True(t, nodeSubnet.ResourceGroup.Existing)
}

func TestDecodeRejectsTwoModes(t *testing.T) {
	_, err := DecodeYAML([]byte(`
network:
  mode:
    overlay: {podCidr: 192.168.0.0/16}
    podSubnet: {subnets: [{name: pods, cidr: 10.10.16.0/20}]}
`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network.mode: Invalid value: "overlay and podSubnet": [SPEC102] exactly one of overlay, podSubnet or nodeSubnet`)
}

// decodeErrs decodes and returns the *InvalidError's problems.
func decodeErrs(t *testing.T, decode func([]byte) (Cluster, error), doc string) field.ErrorList {
	t.Helper()
	_, err := decode([]byte(doc))
	var inv *InvalidError
	require.True(t, errors.As(err, &inv), "an *InvalidError, got %v", err)
	return inv.Errs
}

// Duplicate keys were silently resolved to the last one; now each is an
// error with its path, in JSON and in YAML.
func TestDecodeRefusesDuplicateKeys(t *testing.T) {
	errs := decodeErrs(t, DecodeJSON, `{"name":"a","name":"b","systemPool":{"vmSize":"x","vmSize":"y"},"network":{"serviceCidr":"10.0.0.0/16","serviceCidr":"10.1.0.0/16"}}`)
	var paths []string
	for _, e := range errs {
		assert.Equal(t, CodeDuplicateKey, CodeOf(e), e.Error())
		paths = append(paths, e.Field)
	}
	assert.ElementsMatch(t, []string{"name", "systemPool.vmSize", "network.serviceCidr"}, paths)

	errs = decodeErrs(t, DecodeYAML, "name: a\nlocation: westeurope\nname: b\n")
	require.Len(t, errs, 1)
	assert.Equal(t, CodeDuplicateKey, CodeOf(errs[0]))
	assert.Contains(t, errs[0].Detail, `key "name" already set`)
}

// Only the first document of a YAML stream was read; a second is an error.
func TestDecodeRefusesMultipleDocuments(t *testing.T) {
	errs := decodeErrs(t, DecodeYAML, "name: a\n---\nname: b\n")
	require.Len(t, errs, 1)
	assert.Equal(t, CodeMultipleDocuments, CodeOf(errs[0]))
	assert.Contains(t, errs[0].Detail, "more than one document")

	_, err := DecodeYAML([]byte("---\nname: a\n---\n"))
	assert.NoError(t, err, "a document marker and an empty trailing document are one spec")
}

func TestDecodeReportsTypesAndSyntax(t *testing.T) {
	errs := decodeErrs(t, DecodeJSON, `{"systemPool":{"count":"three"}}`)
	require.Len(t, errs, 1)
	assert.Equal(t, CodeWrongType, CodeOf(errs[0]))
	assert.Equal(t, "systemPool.count", errs[0].Field)
	assert.Contains(t, errs[0].Detail, "a JSON string where a number is expected")

	errs = decodeErrs(t, DecodeJSON, `{"name":`)
	require.Len(t, errs, 1)
	assert.Equal(t, CodeSyntax, CodeOf(errs[0]))

	errs = decodeErrs(t, DecodeJSON, `{"name":"a"} {"name":"b"}`)
	assert.Equal(t, CodeSyntax, CodeOf(errs[0]), "trailing data")

	errs = decodeErrs(t, DecodeYAML, "name: [a\n")
	assert.Equal(t, CodeSyntax, CodeOf(errs[0]))
}

// Every unknown field is reported at once, with its path, inside and outside
// the network's mode union.
func TestDecodeReportsEveryUnknownField(t *testing.T) {
	errs := decodeErrs(t, DecodeYAML, "nmae: a\nsystemPool: {vmsize: x}\nnetwork:\n  mode: {overlay: {podCidr: 192.168.0.0/16, size: 16}}\n  vnet: {nodesubnet: {}}\n")
	var paths []string
	for _, e := range errs {
		assert.Equal(t, CodeUnknownField, CodeOf(e), e.Error())
		paths = append(paths, e.Field)
	}
	assert.ElementsMatch(t, []string{"nmae", "systemPool.vmsize", "network.mode.overlay.size", "network.vnet.nodesubnet"}, paths)
}

// A 10 MB value makes a short error, in decoding and in validation.
func TestErrorsCapWhatTheyEcho(t *testing.T) {
	huge := strings.Repeat("n", 10<<20)
	c := load(t, "overlay.yaml")
	c.Name = huge
	c.Location = huge + " X"
	c.UserPools[0].Labels = map[string]string{huge: "x"}
	err := NewInvalidError(c.Validate())
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 8<<10, "the error quotes at most %d bytes of a value", MaxEchoValue)
	assert.Contains(t, err.Error(), "(10485760 bytes)")

	_, err = DecodeJSON([]byte(`{"` + huge + `": 1}`))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 4<<10)
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	_, err := DecodeYAML([]byte("name: a\nkubernetsVersion: \"1.32\"\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "kubernetsVersion"`)

	_, err = DecodeYAML([]byte("network:\n  mode:\n    overlay: {podCidr: 192.168.0.0/16, size: 16}\n"))
	require.Error(t, err, "unknown fields inside the mode union are refused too")
	assert.Contains(t, err.Error(), `unknown field "size"`)
}

func TestJSONRoundTrip(t *testing.T) {
	for _, file := range []string{"overlay.yaml", "podsubnet.yaml", "nodesubnet.yaml"} {
		c := load(t, file)
		data, err := json.Marshal(c)
		require.NoError(t, err)
		back, err := DecodeJSON(data)
		require.NoError(t, err)
		assert.Equal(t, c, back, file)
	}
}

func TestWithDefaults(t *testing.T) {
	data, err := os.ReadFile("testdata/podsubnet.yaml")
	require.NoError(t, err)
	raw, err := DecodeYAML(data)
	require.NoError(t, err)
	c := raw.WithDefaults()

	assert.Equal(t, "aks-vnet", c.DNSPrefix)
	assert.Equal(t, "cilium", c.Network.Dataplane)
	assert.Equal(t, "cilium", c.Network.Policy)
	assert.Equal(t, "Linux", c.SystemPool.OSType)
	assert.Equal(t, "AzureLinux", c.SystemPool.OSSKU)
	assert.Equal(t, "10%", c.SystemPool.MaxSurge)
	assert.Equal(t, 250, c.UserPools[0].MaxPods)
	assert.Equal(t, "pods", c.UserPools[0].PodSubnet)
	assert.Equal(t, 1, c.UserPools[0].Count, "an autoscaled pool starts at its minimum")
	assert.True(t, *c.Security.AzureRBAC)
	assert.True(t, *c.Security.WorkloadIdentity)
	assert.False(t, c.Security.LocalAccounts, "local accounts are disabled by default")
	assert.False(t, load(t, "overlay.yaml").ACNS.Enabled, "ACNS is off by default")

	assert.Equal(t, c, c.WithDefaults(), "WithDefaults is idempotent")
	assert.Empty(t, raw.SystemPool.OSType, "WithDefaults does not change its receiver")
	c.UserPools[0].MaxPods = 1
	assert.Equal(t, 0, raw.UserPools[0].MaxPods, "the copy shares no slices with the original")

	ns := load(t, "nodesubnet.yaml")
	assert.Equal(t, 50, ns.UserPools[0].MaxPods, "a user value is kept")
}

func TestVersionTable(t *testing.T) {
	k, err := LookupKubernetes("1.32.4", false)
	require.NoError(t, err)
	assert.Equal(t, "1.32", k.Minor)
	assert.Equal(t, "1.17.9", k.Row.MinCilium, "the higher of the guide (1.17.0) and the AKS docs (1.17.9)")
	assert.True(t, k.Available(FeatureCiliumEndpointSlices))
	assert.False(t, k.Available(FeatureEBPFHostRouting))

	k, err = LookupKubernetes("v1.28", false)
	require.NoError(t, err)
	assert.Equal(t, "1.13.18", k.Row.MinCilium)
	assert.Empty(t, k.Features(), "no gated feature before 1.29")

	k, err = LookupKubernetes("1.33", false)
	require.NoError(t, err)
	assert.ElementsMatch(t, []Feature{FeatureCiliumEndpointSlices, FeatureACNSFQDNFiltering, FeatureACNSL7Policies,
		FeatureContainerNetworkFlowLogs, FeatureEBPFHostRouting}, k.Features())

	prev := ""
	for _, row := range Versions {
		assert.NotEmpty(t, row.Sources, row.Kubernetes)
		if prev != "" {
			a, b := mustVersion(t, prev), mustVersion(t, row.MinCilium)
			assert.False(t, b.LessThan(a), "minimum Cilium never goes down: %s after %s", row.MinCilium, prev)
		}
		prev = row.MinCilium
	}
}

func TestCIDRHelpers(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/16")
	assert.Equal(t, netip.MustParseAddr("10.0.255.255"), LastAddr(p))
	assert.Equal(t, int64(251), UsableSubnetIPs(netip.MustParsePrefix("10.1.0.0/24")))
	assert.Equal(t, int64(0), UsableSubnetIPs(netip.MustParsePrefix("10.1.0.0/30")))
	assert.Equal(t, int64(256), Count24(p))
	assert.Equal(t, int64(0), Count24(netip.MustParsePrefix("10.1.0.0/25")))
	assert.True(t, Contains(p, netip.MustParsePrefix("10.0.4.0/22")))
	assert.False(t, Contains(netip.MustParsePrefix("10.0.4.0/22"), p))
	assert.Equal(t, 22, bitsFor(1000))
	assert.Equal(t, 32, bitsFor(1))
}

func TestCapacityReport(t *testing.T) {
	caps := load(t, "podsubnet.yaml").Capacity()
	require.Len(t, caps, 2, "the node subnet and the one pod subnet")
	// system 3 nodes + 10% surge = 4; apps max 50 + 10% = 55; 59 nodes.
	assert.Equal(t, "network.vnet.nodeSubnet.cidr", caps[0].Field.String())
	assert.Equal(t, int64(59), caps[0].Needed)
	assert.Equal(t, int64(1019), caps[0].Available)
	assert.Equal(t, "network.mode.podSubnet.subnets[0].cidr", caps[1].Field.String())
	assert.Equal(t, int64(59*16), caps[1].Needed)
	assert.Equal(t, int64(4091), caps[1].Available)
	assert.Contains(t, caps[1].String(), "944 of 4091 addresses (23%)")

	overlay := load(t, "overlay.yaml").Capacity()
	require.Len(t, overlay, 2)
	assert.Equal(t, "/24 blocks", overlay[1].Unit)
	assert.Equal(t, int64(256), overlay[1].Available)
}

func TestDNSPrefixDefault(t *testing.T) {
	for name, want := range map[string]string{
		"aks-prod":              "aks-prod",
		"aks_prod":              "aks-prod",
		"aks.demo":              "aks-demo",
		"-x-":                   "x",
		strings.Repeat("a", 60): strings.Repeat("a", 54),
	} {
		c := Cluster{Name: name}.WithDefaults()
		assert.Equal(t, want, c.DNSPrefix, name)
		assert.Regexp(t, dnsPrefixRE, c.DNSPrefix)
	}
	assert.Equal(t, "mine", Cluster{Name: "x", DNSPrefix: "mine"}.WithDefaults().DNSPrefix)
}

func TestMonitoringDefaults(t *testing.T) {
	c := load(t, "overlay.yaml")
	assert.False(t, c.Monitoring.Enabled(), "monitoring is off by default: it is billed")
	c.Monitoring = Monitoring{ContainerInsights: &ContainerInsights{}, Prometheus: &Prometheus{}, Alerts: &Alerts{}}
	d := c.WithDefaults()
	assert.Equal(t, "log-aks-overlay", d.Monitoring.ContainerInsights.WorkspaceName)
	assert.Equal(t, 30, d.Monitoring.ContainerInsights.RetentionDays)
	assert.Equal(t, "amw-aks-overlay", d.Monitoring.Prometheus.WorkspaceName)
	assert.Equal(t, 2, *d.Monitoring.Alerts.Severity)
	assert.Empty(t, d.Validate())
	assert.Empty(t, c.Monitoring.ContainerInsights.WorkspaceName, "the receiver is not changed")
}

// TestDecodeACNSSecurity reads the level names and, for specs written
// before the level existed, a boolean: true is FQDN (what API 2024-10-01's
// security.enabled turns on), never L7.
func TestDecodeACNSSecurity(t *testing.T) {
	for in, want := range map[string]ACNSSecurity{
		`true`: ACNSSecurityFQDN, `false`: "", `"L7"`: ACNSSecurityL7, `"FQDN"`: ACNSSecurityFQDN, `"None"`: ACNSSecurityNone,
	} {
		c, err := DecodeJSON([]byte(`{"acns":{"enabled":true,"security":` + in + `}}`))
		require.NoError(t, err, in)
		assert.Equal(t, want, c.ACNS.Security, in)
	}
	_, err := DecodeJSON([]byte(`{"acns":{"security":7}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "None, FQDN, L7")
	assert.Equal(t, ACNSSecurityNone, Cluster{}.WithDefaults().ACNS.Security.Level(), "the default level is None")
	assert.Equal(t, ACNS{}, ACNS{Security: ACNSSecurityNone, Observability: true}.Effective(), "off is the zero value")
	assert.Equal(t, ACNS{Enabled: true}, ACNS{Enabled: true, Security: ACNSSecurityNone}.Effective(), "None is written empty")
}
