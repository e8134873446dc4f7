// Package azurite runs Azurite, Microsoft's Azure Storage emulator (npm
// package azurite, https://github.com/Azure/Azurite), for Pulumi state in
// Azure Blob Storage without an Azure account: the pulumi CLI's azblob://
// backend talks to it as to a storage account. It is the real emulator that
// Microsoft ships, not a simulator of this project; tests, CI jobs and
// platform teams can start one the same way:
//
//	emu, err := azurite.Start(ctx, azurite.Options{})
//	defer emu.Stop()
//	err = emu.CreateContainer(ctx, "state")          // the backend needs it to exist
//	eng, err := automation.New(automation.Options{
//		BackendURL: emu.BackendURL("state"),     // azblob://state?localemu=true&...
//		Env:        emu.Env(),                   // AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY
//		...
//	})
//
// Only the blob service runs (azurite-blob), on a free loopback port,
// with telemetry off. `make tools` installs Azurite from the committed
// lockfile (tools/azurite) into the tools cache; Find says where it looks.
// Azurite 3.37.0 declares Node >= 22 but runs the blob service under Node
// 20 (checked 2026-12 with the pulumi CLI's azblob backend: login, stack
// init, up, locks).
package azurite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// The emulator's one account and its key, published by Microsoft for
// local development ("Authorize with shared key", Azurite README: the
// default account devstoreaccount1). They open nothing outside the
// emulator.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// BinaryEnv names the variable that points at azurite-blob (the Makefile
// sets it to the tools cache's copy).
const BinaryEnv = "AKS_CILIUM_AZURITE"

// Options configure Start. All are optional.
type Options struct {
	// Binary is the azurite-blob command; Find() when empty.
	Binary string
	// Dir holds the emulator's data; a temporary folder, removed by Stop,
	// when empty.
	Dir string
	// Log receives the emulator's output; nil drops it.
	Log io.Writer
}

// Emulator is a running Azurite blob service.
type Emulator struct {
	// Port is the blob service's loopback port.
	Port int

	cmd     *exec.Cmd
	dir     string
	tempDir bool
	exited  chan struct{}
	stop    sync.Once
}

// Find returns the azurite-blob command: $AKS_CILIUM_AZURITE when set, the
// tools cache's (tools/build.sh), or azurite-blob on the PATH.
func Find() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("azurite: %s=%s: %w; run `make tools`", BinaryEnv, p, err)
		}
		return p, nil
	}
	cache := os.Getenv("TOOLS_CACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "aks-cilium", "tools")
		}
	}
	if cache != "" {
		matches, _ := filepath.Glob(filepath.Join(cache, "azurite-*", "node_modules", ".bin", "azurite-blob"))
		if len(matches) > 0 {
			return matches[len(matches)-1], nil
		}
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	return "", errors.New("azurite: azurite-blob not found (not in $" + BinaryEnv + ", the tools cache or the PATH); run `make tools`, which installs it with npm")
}

var listeningRE = regexp.MustCompile(`successfully listens on https?://[^:\s]+:(\d+)`)

// Start starts the blob service on a free loopback port (the emulator binds
// port 0 and prints the one it got) and waits until it listens.
func Start(ctx context.Context, o Options) (*Emulator, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = Find(); err != nil {
			return nil, err
		}
	}
	e := &Emulator{dir: o.Dir, exited: make(chan struct{})}
	if e.dir == "" {
		dir, err := os.MkdirTemp("", "azurite-")
		if err != nil {
			return nil, fmt.Errorf("azurite: %w", err)
		}
		e.dir, e.tempDir = dir, true
	}
	e.cmd = exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", e.dir,
		"--disableTelemetry", "--silent")
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Stop ends node and anything it started
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("azurite: %w", err)
	}
	e.cmd.Stderr = e.cmd.Stdout
	if err := e.cmd.Start(); err != nil {
		e.cleanup()
		return nil, fmt.Errorf("azurite: starting %s: %w", bin, err)
	}
	port := make(chan int, 1)
	var seen strings.Builder
	var seenMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if o.Log != nil {
				fmt.Fprintln(o.Log, "azurite: "+line)
			}
			seenMu.Lock()
			if seen.Len() < 4000 {
				seen.WriteString(line + "\n")
			}
			seenMu.Unlock()
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				var p int
				fmt.Sscan(m[1], &p)
				select {
				case port <- p:
				default:
				}
			}
		}
	}()
	go func() {
		_ = e.cmd.Wait()
		close(e.exited)
	}()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case e.Port = <-port:
		return e, nil
	case <-e.exited:
		e.cleanup()
		seenMu.Lock()
		defer seenMu.Unlock()
		return nil, fmt.Errorf("azurite: %s exited before listening:\n%s", bin, seen.String())
	case <-ctx.Done():
		e.Stop()
		return nil, ctx.Err()
	case <-timeout.C:
		e.Stop()
		return nil, fmt.Errorf("azurite: %s did not listen within 60s", bin)
	}
}

// Stop ends the emulator (SIGTERM, then SIGKILL after 10 s) and removes
// its temporary data folder. It is safe to call more than once.
func (e *Emulator) Stop() {
	e.stop.Do(func() {
		if e.cmd != nil && e.cmd.Process != nil {
			_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-e.exited:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
				<-e.exited
			}
		}
		e.cleanup()
	})
}

func (e *Emulator) cleanup() {
	if e.tempDir {
		_ = os.RemoveAll(e.dir)
	}
}

// Endpoint is the blob service URL of the emulator's account
// (http://127.0.0.1:<port>/devstoreaccount1).
func (e *Emulator) Endpoint() string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", e.Port, Account)
}

// BackendURL is the pulumi state backend URL for a container of the
// emulator: the CLI's azblob:// backend with its local-emulator options
// (localemu=true, plain http, the emulator's host and port).
func (e *Emulator) BackendURL(container string) string {
	return fmt.Sprintf("azblob://%s?localemu=true&protocol=http&domain=127.0.0.1:%d", container, e.Port)
}

// Env is the environment the pulumi CLI needs for BackendURL: the
// emulator's account and key.
func (e *Emulator) Env() map[string]string {
	return map[string]string{"AZURE_STORAGE_ACCOUNT": Account, "AZURE_STORAGE_KEY": Key}
}

// Client is an Azure SDK blob client for the emulator's account, for
// creating containers and reading what pulumi stored.
func (e *Emulator) Client() (*azblob.Client, error) {
	cred, err := azblob.NewSharedKeyCredential(Account, Key)
	if err != nil {
		return nil, fmt.Errorf("azurite: %w", err)
	}
	// The SDK's default retries wait seconds; the emulator is local.
	opts := &azblob.ClientOptions{}
	opts.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: 50 * time.Millisecond, MaxRetryDelay: time.Second}
	return azblob.NewClientWithSharedKeyCredential(e.Endpoint()+"/", cred, opts)
}

// CreateContainer creates a blob container; one that exists already is
// fine. The azblob:// backend does not create its container.
func (e *Emulator) CreateContainer(ctx context.Context, name string) error {
	c, err := e.Client()
	if err != nil {
		return err
	}
	if _, err := c.CreateContainer(ctx, name, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("azurite: creating container %s: %w", name, err)
	}
	return nil
}

// Blobs returns every blob of a container, by name, with its content: for
// tests that check what pulumi stored.
func (e *Emulator) Blobs(ctx context.Context, container string) (map[string][]byte, error) {
	names, err := e.Names(ctx, container, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(names))
	for _, name := range names {
		if out[name], err = e.Blob(ctx, container, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Names lists the names of a container's blobs that start with prefix.
func (e *Emulator) Names(ctx context.Context, container, prefix string) ([]string, error) {
	c, err := e.Client()
	if err != nil {
		return nil, err
	}
	var names []string
	pager := c.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azurite: listing %s: %w", container, err)
		}
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	return names, nil
}

// Blob reads one blob.
func (e *Emulator) Blob(ctx context.Context, container, name string) ([]byte, error) {
	c, err := e.Client()
	if err != nil {
		return nil, err
	}
	resp, err := c.DownloadStream(ctx, container, name, nil)
	if err != nil {
		return nil, fmt.Errorf("azurite: reading %s/%s: %w", container, name, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
