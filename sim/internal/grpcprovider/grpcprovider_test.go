package grpcprovider

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// panicky panics in Check, to show a handler panic fails that call only.
type panicky struct{ Base }

func (*panicky) Check(context.Context, *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	panic("boom")
}

// The skeleton answers the protocol's plumbing over real gRPC, and the
// lifecycle starts once, stops once, and refuses to start again.
func TestBaseAndLifecycleOverGRPC(t *testing.T) {
	p := &panicky{Base{Label: "test (simulated)", Package: "test", Version: "1.2.3", Description: "SIMULATED test provider"}}
	var l Lifecycle
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port, err := l.Start(ctx, "test", 0, p, l.Stop)
	require.NoError(t, err)
	assert.Equal(t, port, l.Port())
	_, err = l.Start(ctx, "test", 0, p, l.Stop)
	assert.ErrorContains(t, err, "already started")

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	c := pulumirpc.NewResourceProviderClient(conn)

	info, err := c.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "1.2.3", info.GetVersion())
	schema, err := c.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	require.NoError(t, err)
	var doc map[string]string
	require.NoError(t, json.Unmarshal([]byte(schema.GetSchema()), &doc))
	assert.Equal(t, map[string]string{"name": "test", "version": "1.2.3", "description": "SIMULATED test provider"}, doc)
	news, _ := structpb.NewStruct(map[string]any{"location": "westeurope"})
	cc, err := c.CheckConfig(ctx, &pulumirpc.CheckRequest{News: news})
	require.NoError(t, err)
	assert.Equal(t, "westeurope", cc.GetInputs().GetFields()["location"].GetStringValue())
	dc, err := c.DiffConfig(ctx, &pulumirpc.DiffRequest{})
	require.NoError(t, err)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, dc.GetChanges())
	_, err = c.Cancel(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	_, err = c.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err, "Cancel does not stop the server: the engine sends it after every run")
	_, err = c.Check(ctx, &pulumirpc.CheckRequest{})
	assert.ErrorContains(t, err, "test: internal error in /pulumirpc.ResourceProvider/Check: boom")
	_, err = c.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err, "a panicking handler fails its call only")

	cancel() // the context given to Start ends: the server stops
	// A bound for the stop to land, not a performance assertion.
	require.Eventually(t, func() bool { return l.Port() == 0 }, 5*time.Second, 10*time.Millisecond)
	_, err = l.Start(context.Background(), "test", 0, p, l.Stop)
	assert.ErrorContains(t, err, "cannot start again")
	l.Stop() // idempotent
}

func TestDebugProviders(t *testing.T) {
	assert.Equal(t, "azure-native:1,kubernetes:2", DebugProviders(" azure-native:1 ", "", "kubernetes:2"))
	assert.Equal(t, "", DebugProviders())
}

func TestTypeOf(t *testing.T) {
	assert.Equal(t, "azure-native:resources:ResourceGroup", TypeOf("azure-native:resources:ResourceGroup", ""))
	assert.Equal(t, "azure-native:resources:ResourceGroup",
		TypeOf("", "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg"))
}
