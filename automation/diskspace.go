package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// A full disk under the file backend's state folder stops pulumi from
// recording a run: its checkpoint writes fail with ENOSPC, and it retries
// each one for about 70 s (ten tries, 1 s growing by 1.2x, in
// pkg/backend/diy/state.go) before it gives up, with resources created in
// Azure that the state does not record. So an operation that writes the
// state is refused before it starts when the folder lacks room for two
// checkpoints and a margin (the new one is written beside the old one, and
// a .bak copy is kept), and while it runs the folder is watched: once it
// stays too full to take the next checkpoint, the run is interrupted at
// once and reported as a *NoSpaceError. Recover then finishes the job.

const (
	// spaceMargin is the room kept beyond the checkpoints: history files,
	// lock files, the settings file.
	spaceMargin = 1 << 20
	// minFreeFiles is the free inodes a checkpoint write needs (a temporary
	// file and its attributes sidecar, the .bak, history files).
	minFreeFiles = 16
	// watchEvery is how often the state folder is checked during a run; a
	// shortage must be seen twice in a row (a checkpoint being written
	// takes room for a moment).
	watchEvery = 250 * time.Millisecond
)

// diskFree returns the bytes and inodes free to this process on the
// filesystem of dir. A filesystem that counts no inodes (btrfs reports 0
// of 0) has no inode limit: files is then the largest uint64.
func diskFree(dir string) (bytes, files uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	files = st.Ffree
	if st.Files == 0 {
		files = ^uint64(0)
	}
	return st.Bavail * uint64(st.Bsize), files, nil
}

// checkpointSize is the size of the stack's checkpoint file (0 when there
// is none yet).
func (e *Engine) checkpointSize(stack string) uint64 {
	if info, err := os.Stat(e.checkpointFile(stack)); err == nil {
		return uint64(info.Size())
	}
	return 0
}

// checkRoom refuses an operation that would write the stack's state when
// the state folder (file backend) lacks room for two checkpoints and a
// margin: a *NoSpaceError with Before set. It starts no process.
func (e *Engine) checkRoom(stack string) error {
	dir := e.StateDir()
	if dir == "" {
		return nil
	}
	freeBytes, freeFiles, err := diskFree(dir)
	if err != nil {
		return nil // no statfs here: nothing to check with
	}
	need := 2*e.checkpointSize(stack) + spaceMargin
	if freeBytes < need || freeFiles < minFreeFiles {
		return &NoSpaceError{Stack: stack, Dir: dir, FreeBytes: freeBytes, FreeFiles: freeFiles, NeedBytes: need, Before: true}
	}
	return nil
}

// guardState checks, before an operation that writes the stack's state,
// that the state folder has room for it, and watches the folder while it
// runs. It returns the operation's context (cancelled when the folder fills
// up) and done, which turns the operation's error into a *NoSpaceError when
// the disk was the reason. Without the default file backend it checks
// nothing.
func (e *Engine) guardState(ctx context.Context, stack string) (context.Context, func(error) error, error) {
	dir := e.StateDir()
	if dir == "" {
		return ctx, func(err error) error { return err }, nil
	}
	if err := e.checkRoom(stack); err != nil {
		return nil, nil, err
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	stop := make(chan struct{})
	stopped := make(chan *NoSpaceError, 1)
	go func() {
		var short *NoSpaceError
		low := 0
		tick := time.NewTicker(watchEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				stopped <- short
				return
			case <-tick.C:
			}
			if short != nil {
				continue
			}
			b, f, err := diskFree(dir)
			if err != nil || b >= e.checkpointSize(stack)+64<<10 && f >= 4 {
				low = 0
				continue
			}
			if low++; low >= 2 {
				short = &NoSpaceError{Stack: stack, Dir: dir, FreeBytes: b, FreeFiles: f, NeedBytes: e.checkpointSize(stack) + 64<<10}
				cancel(short)
			}
		}
	}()
	done := func(err error) error {
		close(stop)
		short := <-stopped
		cancel(nil)
		if err == nil {
			return nil
		}
		if short != nil {
			short.Err = err
			return short
		}
		return e.noSpace(stack, err)
	}
	return runCtx, done, nil
}

// noSpace returns err as a *NoSpaceError when a write failed for lack of
// room (ENOSPC, or pulumi saying so), else err itself.
func (e *Engine) noSpace(stack string, err error) error {
	if err == nil {
		return nil
	}
	var already *NoSpaceError
	if errors.As(err, &already) {
		return err
	}
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left on device") {
		ns := &NoSpaceError{Stack: stack, Dir: e.StateDir(), Err: err}
		if ns.Dir != "" {
			ns.FreeBytes, ns.FreeFiles, _ = diskFree(ns.Dir)
		}
		return ns
	}
	return err
}

// sizeText is a byte count for messages, in KiB or MiB.
func sizeText(n uint64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
