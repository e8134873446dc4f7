package azuresim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two simulators on one state file are one Azure: what one creates the
// other sees, and deletes, even when they run in separate processes.
func TestStateFileIsSharedAcrossSimulators(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "azure.json")
	a := newFixture(t, Options{StateFile: path})
	_, _, clusterID, _ := a.deploy()

	b := newFixture(t, Options{StateFile: path})
	r, ok := b.sim.Get(clusterID)
	require.True(t, ok)
	assert.Equal(t, TypeManagedCluster, r.Type)
	assert.Len(t, b.sim.Resources(), 4)

	require.NoError(t, b.delete(TypeManagedCluster, "aks", clusterID))
	assert.Len(t, a.sim.Resources(), 2, "a sees b's delete (the cluster and its pool)")

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	var doc map[string]any
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, true, doc["simulated"])
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"azure.json", "azure.json.lock"}, names, "the state and its lock file, no temporary files left behind")

	// Removing the file empties the simulated Azure.
	require.NoError(t, os.Remove(path))
	assert.Empty(t, a.sim.Resources())
}

func TestStateFileSurvivesConcurrentCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azure.json")
	f := newFixture(t, Options{StateFile: path})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.create(TypeResourceGroup, "rg", with(rgInputs(), map[string]any{"resourceGroupName": fmt.Sprintf("rg-%02d", i)}))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	other := New(Options{StateFile: path})
	assert.Len(t, other.Resources(), 20)
}

func TestCorruptStateFileIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azure.json")
	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	sim := New(Options{StateFile: path})
	_, err := sim.Start(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "remove it to start from an empty simulated Azure")
}

// Two simulators on one state file, as in two processes, writing at the
// same time: every write of both is in the file (the state lock makes each
// read-modify-write whole), none is lost to the other's save.
func TestStateFileSharedWritersLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azure-simulator.json")
	stores := []*store{newStore(path), newStore(path)}
	const each = 40
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				unlock, err := st.exclusive()
				if !assert.NoError(t, err) {
					return
				}
				if assert.NoError(t, st.sync()) {
					id := fmt.Sprintf("/subscriptions/s/resourceGroups/rg-%d-%d", i, j)
					st.put(&Resource{ID: id, Type: TypeResourceGroup, Name: fmt.Sprintf("rg-%d-%d", i, j)})
					assert.NoError(t, st.save())
				}
				unlock()
			}
		}()
	}
	wg.Wait()
	fresh := newStore(path)
	require.NoError(t, fresh.sync())
	assert.Len(t, fresh.all(), 2*each, "no write was lost")
}
