package azurite_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/internal/tooltest"
	"github.com/aks-cilium/aks-cilium/sim/azurite"
)

// start runs the emulator for the test; a missing azurite skips, unless
// AKS_CILIUM_REQUIRE_TOOLS=1 (make test), where it fails.
func start(t *testing.T) *azurite.Emulator {
	t.Helper()
	if _, err := azurite.Find(); err != nil {
		tooltest.Missing(t, err.Error())
	}
	emu, err := azurite.Start(t.Context(), azurite.Options{})
	require.NoError(t, err)
	t.Cleanup(emu.Stop)
	return emu
}

// The emulator listens on a loopback port of its own, serves the Azure SDK's
// blob client with the published development account, and is gone after
// Stop.
func TestEmulator(t *testing.T) {
	emu := start(t)
	assert.Positive(t, emu.Port)
	assert.Equal(t, fmt.Sprintf("azblob://state?localemu=true&protocol=http&domain=127.0.0.1:%d", emu.Port), emu.BackendURL("state"))
	assert.Equal(t, map[string]string{"AZURE_STORAGE_ACCOUNT": "devstoreaccount1", "AZURE_STORAGE_KEY": azurite.Key}, emu.Env())

	ctx := t.Context()
	require.NoError(t, emu.CreateContainer(ctx, "state"))
	require.NoError(t, emu.CreateContainer(ctx, "state"), "creating an existing container is fine")
	c, err := emu.Client()
	require.NoError(t, err)
	_, err = c.UploadBuffer(ctx, "state", ".pulumi/meta.yaml", []byte("version: 1\n"), nil)
	require.NoError(t, err)
	blobs, err := emu.Blobs(ctx, "state")
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{".pulumi/meta.yaml": []byte("version: 1\n")}, blobs)

	_, err = c.UploadBuffer(ctx, "missing", "x", []byte("x"), nil)
	assert.True(t, bloberror.HasCode(err, bloberror.ContainerNotFound), "a container must exist first: %v", err)

	emu.Stop()
	emu.Stop() // twice is fine
	_, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", emu.Port))
	assert.Error(t, err, "nothing listens after Stop")
}

// A binary that is not the emulator fails Start with its output.
func TestStartFailure(t *testing.T) {
	_, err := azurite.Start(t.Context(), azurite.Options{Binary: "/bin/false"})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "exited before listening"), err.Error())
}
