package azuresim

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Resource is one resource in the simulated Azure, as ARM holds it.
type Resource struct {
	// ID is the ARM resource ID.
	ID string `json:"id"`
	// Type is the Pulumi type token (TypeManagedCluster, ...).
	Type string `json:"type"`
	// ARMType is the type ARM reports ("Microsoft.ContainerService/ManagedClusters").
	ARMType string `json:"armType"`
	// Name is the resource's own name (the last segment of its ID).
	Name string `json:"name"`
	// ResourceGroup is the name of the resource group holding it.
	ResourceGroup string `json:"resourceGroup"`
	// Inputs is the last request body, in the SDK's input shape.
	Inputs map[string]any `json:"inputs"`
	// Outputs is what ARM reports, in the SDK's output shape.
	Outputs map[string]any `json:"outputs"`
	// Created and Updated are when the simulator last wrote the resource.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Generation counts the writes since creation; the eTag of a cluster
	// or agent pool derives from it.
	Generation int `json:"generation,omitempty"`
	// Simulated is always true: this resource exists only in the simulator.
	Simulated bool `json:"simulated"`
}

// copy returns a deep copy.
func (r *Resource) copy() Resource {
	c := *r
	c.Inputs = cloneMap(r.Inputs)
	c.Outputs = cloneMap(r.Outputs)
	return c
}

// stateFileVersion is the format of the state file.
const stateFileVersion = 1

// stateFile is the JSON document the simulator persists.
type stateFile struct {
	Note      string      `json:"note"`
	Simulated bool        `json:"simulated"`
	Version   int         `json:"version"`
	Resources []*Resource `json:"resources"`
	// Operations are the operations ARM accepted and has not finished.
	Operations []*pendingOp `json:"operations,omitempty"`
}

// store is the simulated ARM state: resources and the operations in
// progress on them, by lower-cased ID (ARM IDs are case-insensitive),
// optionally mirrored to a JSON file. Callers hold the Simulator's state
// lock around every use.
type store struct {
	path   string
	res    map[string]*Resource
	ops    map[string]*pendingOp
	loaded bool
	// stamp is the digest of the file content this store last read or
	// wrote, so a change by another process is noticed and reloaded.
	stamp [32]byte
}

func newStore(path string) *store {
	return &store{path: path, res: map[string]*Resource{}, ops: map[string]*pendingOp{}}
}

// sync reloads the state file when another process changed it since this
// store last read or wrote it, and finishes the operations whose time has
// come (settle).
func (st *store) sync() error {
	err := st.reload()
	st.settle(time.Now())
	return err
}

// reload reads the state file when another process changed it since this
// store last read or wrote it. Without a file it does nothing.
func (st *store) reload() error {
	if st.path == "" {
		st.loaded = true
		return nil
	}
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		if st.loaded && st.stamp != ([32]byte{}) {
			// The file was removed: the simulated Azure is empty again.
			st.res, st.ops = map[string]*Resource{}, map[string]*pendingOp{}
			st.stamp = [32]byte{}
		}
		st.loaded = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("azure simulator: reading state file: %w", err)
	}
	stamp := sha256.Sum256(data)
	if st.loaded && stamp == st.stamp {
		return nil
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("azure simulator: state file %s is not valid JSON (%v); remove it to start from an empty simulated Azure", st.path, err)
	}
	if f.Version != stateFileVersion {
		return fmt.Errorf("azure simulator: state file %s has version %d, want %d", st.path, f.Version, stateFileVersion)
	}
	res := make(map[string]*Resource, len(f.Resources))
	for _, r := range f.Resources {
		res[strings.ToLower(r.ID)] = r
	}
	ops := make(map[string]*pendingOp, len(f.Operations))
	for _, op := range f.Operations {
		ops[strings.ToLower(op.ID)] = op
	}
	st.res, st.ops, st.stamp, st.loaded = res, ops, stamp, true
	return nil
}

// forget drops what this store holds that was not saved: the next sync
// reads the file again.
func (st *store) forget() {
	st.loaded, st.stamp = false, [32]byte{}
}

// settle finishes, in the order they are due, the operations due by now:
// ARM finishes what it accepted whether or not anybody still waits. It
// changes only this store's copy; the next save writes it (every process
// settles the same operations the same way, as each one's result was
// fixed when ARM accepted it).
func (st *store) settle(now time.Time) {
	for _, op := range st.operations() {
		if op.Due.After(now) {
			return
		}
		st.finish(op)
	}
}

// finish applies an operation and removes it from those in progress: a
// write stores its result (and the agent pools a cluster PUT changed), a
// delete removes the resource with what ARM nests under it.
func (st *store) finish(op *pendingOp) {
	delete(st.ops, strings.ToLower(op.ID))
	if op.Op == OpDelete {
		st.remove(op.ID)
		return
	}
	st.put(op.Result)
	for _, u := range op.Pools {
		st.put(u)
	}
}

// busy is an operation in progress in a family, or nil.
func (st *store) busy(family string) *pendingOp {
	for _, op := range st.ops {
		if op.Family == family {
			return op
		}
	}
	return nil
}

// operations returns the operations in progress, ordered by due time.
func (st *store) operations() []*pendingOp {
	out := make([]*pendingOp, 0, len(st.ops))
	for _, op := range st.ops {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return dueFirst(out[i], out[j]) })
	return out
}

// dueFirst orders operations by due time, then ID, the same in every process.
func dueFirst(a, b *pendingOp) bool {
	if !a.Due.Equal(b.Due) {
		return a.Due.Before(b.Due)
	}
	return a.ID < b.ID
}

// exclusive takes the state file's lock (flock on <file>.lock), so that a
// read-modify-write (sync, change, save) is not interleaved with another
// process's: without it, two processes sharing the file each save their
// own copy and one loses the other's writes. Reads need no lock (save
// renames a complete file into place). Without a file it does nothing.
func (st *store) exclusive() (unlock func(), err error) {
	if st.path == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(st.path), 0o700); err != nil {
		return nil, fmt.Errorf("azure simulator: state folder: %w", err)
	}
	f, err := os.OpenFile(st.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("azure simulator: state lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("azure simulator: state lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// save writes the state file atomically (a temporary file in the same
// folder, then a rename), private to the user. Without a file it does
// nothing.
func (st *store) save() error {
	if st.path == "" {
		return nil
	}
	f := stateFile{
		Note:       "Simulated Azure state of the aks-cilium azure-native simulator. Nothing here exists in Azure.",
		Simulated:  true,
		Version:    stateFileVersion,
		Resources:  st.all(),
		Operations: st.operations(),
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("azure simulator: encoding state: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(st.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("azure simulator: state folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".azure-simulator-*.tmp")
	if err != nil {
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	if err := os.Rename(tmp.Name(), st.path); err != nil {
		return fmt.Errorf("azure simulator: writing state: %w", err)
	}
	st.stamp = sha256.Sum256(data)
	return nil
}

// get returns the resource with id (any case), or nil.
func (st *store) get(id string) *Resource {
	return st.res[strings.ToLower(id)]
}

// put stores r under its ID.
func (st *store) put(r *Resource) {
	st.res[strings.ToLower(r.ID)] = r
}

// remove deletes id and every resource nested under it (ARM deletes child
// resources with their parent) and returns what it removed.
func (st *store) remove(id string) []*Resource {
	var gone []*Resource
	if r := st.get(id); r != nil {
		gone = append(gone, r)
		delete(st.res, strings.ToLower(id))
	}
	for _, c := range st.children(id) {
		gone = append(gone, c)
		delete(st.res, strings.ToLower(c.ID))
	}
	return gone
}

// children returns the resources whose IDs are nested under id.
func (st *store) children(id string) []*Resource {
	prefix := strings.ToLower(id) + "/"
	var out []*Resource
	for k, r := range st.res {
		if strings.HasPrefix(k, prefix) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// all returns every resource, ordered by ID.
func (st *store) all() []*Resource {
	out := make([]*Resource, 0, len(st.res))
	for _, r := range st.res {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].ID) < strings.ToLower(out[j].ID) })
	return out
}
