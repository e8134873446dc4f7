package automation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// objectStoreBackend reports whether a backend URL is one of the pulumi
// CLI's object-store backends (azblob://, s3://, gs://): a DIY backend like
// the file one, whose locks are objects of the bucket (.pulumi/locks/...)
// that the Engine does not read itself.
func objectStoreBackend(url string) bool {
	for _, scheme := range []string{"azblob://", "s3://", "gs://"} {
		if strings.HasPrefix(url, scheme) {
			return true
		}
	}
	return false
}

// lockHolder is one lock of a stack, as the CLI reports it.
type lockHolder struct {
	Pid  int
	Host string
}

// lockHolderRE reads the holders the CLI lists when it refuses a locked
// stack in a DIY backend ("  <lock url>: created by <user>@<host> (pid
// <pid>) at <time>", pulumi/pkg v3.274.1 backend/diy/lock.go checkForLock).
var lockHolderRE = regexp.MustCompile(`: created by \S*@(\S+) \(pid (\d+)\) at `)

// lockHolders parses the holders out of a refusal's text.
func lockHolders(text string) []lockHolder {
	var out []lockHolder
	for _, m := range lockHolderRE.FindAllStringSubmatch(text, -1) {
		pid, err := strconv.Atoi(m[2])
		if err == nil {
			out = append(out, lockHolder{Pid: pid, Host: m[1]})
		}
	}
	return out
}

// recoverObjectStore is Recover on an object-store backend. The recovering
// refresh itself finds the locks: it runs when the stack is unlocked, and
// when it is locked the CLI's refusal names each lock's host and pid. Locks
// whose process is gone (on this host) are removed with `pulumi cancel`
// and the refresh runs again; a live holder, or one on another host (it
// cannot be checked from here), is a *ConcurrentUpdateError. (A damaged
// checkpoint is repaired on the file backend only: in a bucket the CLI
// writes each checkpoint as one object, never a partial one.)
func (e *Engine) recoverObjectStore(ctx context.Context, st *auto.Stack, report *RecoverReport) (*RecoverReport, error) {
	stack := st.Name()
	err := e.recoverRefresh(ctx, st, report, nil)
	var busy *ConcurrentUpdateError
	if !errors.As(err, &busy) {
		if err != nil {
			return nil, err
		}
		return report, nil
	}
	holders := lockHolders(busy.Err.Error())
	if len(holders) == 0 {
		return nil, busy
	}
	for _, h := range holders {
		if holderAlive(h.Pid, h.Host) {
			return nil, &ConcurrentUpdateError{Stack: stack,
				Err: fmt.Errorf("the update holding the lock (pid %d on %s) is still running, or runs on another host", h.Pid, h.Host)}
		}
	}
	if err := st.Cancel(ctx); err != nil {
		return nil, e.classify(ctx, "cancel", stack, err, nil)
	}
	report.LocksRemoved = len(holders)
	if err := e.recoverRefresh(ctx, st, report, nil); err != nil {
		return nil, err
	}
	return report, nil
}
