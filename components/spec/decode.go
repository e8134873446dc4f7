package spec

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// DecodeJSON decodes a Cluster from JSON, refusing unknown fields. It is
// also the decoder for Pulumi structured config, whose values arrive as JSON.
// Defaults are not applied: call WithDefaults.
func DecodeJSON(data []byte) (Cluster, error) {
	var c Cluster
	if err := strictUnmarshal(data, &c); err != nil {
		return Cluster{}, fmt.Errorf("decoding cluster spec: %w", err)
	}
	return c, nil
}

// DecodeYAML decodes a Cluster from YAML (converted to JSON first, so the
// field names are the JSON ones), refusing unknown fields.
func DecodeYAML(data []byte) (Cluster, error) {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Cluster{}, fmt.Errorf("decoding cluster spec: %w", err)
	}
	return DecodeJSON(j)
}
