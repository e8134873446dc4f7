// Package rpctest calls a Pulumi resource provider's gRPC service in
// process, the way the engine would, for the simulators' own tests: each
// call wires Go maps to the provider's protobuf values and back with the
// provider's own codec, and fails the test on a codec error.
package rpctest

import (
	"context"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"
)

// Client calls Srv with property values encoded and decoded by Encode and
// Decode; URNs are in the stack test and the project Project.
type Client struct {
	T       testing.TB
	Srv     pulumirpc.ResourceProviderServer
	Project string
	Encode  func(map[string]any) (*structpb.Struct, error)
	Decode  func(*structpb.Struct) (map[string]any, error)
}

// URN is the URN of a resource of the token named name.
func (c *Client) URN(token, name string) string {
	return "urn:pulumi:test::" + c.Project + "::" + token + "::" + name
}

// Wire encodes m as the engine sends it.
func (c *Client) Wire(m map[string]any) *structpb.Struct {
	c.T.Helper()
	s, err := c.Encode(m)
	require.NoError(c.T, err)
	return s
}

// Unwire decodes what the provider answered.
func (c *Client) Unwire(s *structpb.Struct) map[string]any {
	c.T.Helper()
	m, err := c.Decode(s)
	require.NoError(c.T, err)
	return m
}

// Create runs Create (a preview one when preview is set) and returns the ID
// and outputs.
func (c *Client) Create(token, name string, inputs map[string]any, preview bool) (string, map[string]any, error) {
	resp, err := c.Srv.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: c.URN(token, name), Type: token, Name: name, Properties: c.Wire(inputs), Preview: preview,
	})
	if err != nil {
		return "", nil, err
	}
	return resp.GetId(), c.Unwire(resp.GetProperties()), nil
}

// MustCreate is a non-preview Create that fails the test on an error.
func (c *Client) MustCreate(token, name string, inputs map[string]any) (string, map[string]any) {
	c.T.Helper()
	id, outs, err := c.Create(token, name, inputs, false)
	require.NoError(c.T, err)
	return id, outs
}

// Update runs Update from olds to news and returns the new outputs.
func (c *Client) Update(token, name, id string, olds, news map[string]any) (map[string]any, error) {
	resp, err := c.Srv.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: c.URN(token, name), Type: token, Id: id, OldInputs: c.Wire(olds), News: c.Wire(news),
	})
	if err != nil {
		return nil, err
	}
	return c.Unwire(resp.GetProperties()), nil
}

// Delete runs Delete with the resource's outputs (nil: none).
func (c *Client) Delete(token, name, id string, outs map[string]any) error {
	req := &pulumirpc.DeleteRequest{Urn: c.URN(token, name), Type: token, Id: id}
	if outs != nil {
		req.Properties = c.Wire(outs)
	}
	_, err := c.Srv.Delete(context.Background(), req)
	return err
}

// Diff runs Diff of news against the old inputs and old outputs.
func (c *Client) Diff(token string, oldInputs, oldOutputs, news map[string]any) *pulumirpc.DiffResponse {
	c.T.Helper()
	resp, err := c.Srv.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: c.URN(token, "x"), Type: token, Id: "id", OldInputs: c.Wire(oldInputs), Olds: c.Wire(oldOutputs), News: c.Wire(news),
	})
	require.NoError(c.T, err)
	return resp
}
