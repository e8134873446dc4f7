package automation

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The holders of a DIY backend's stack lock, as the pulumi CLI lists them
// when it refuses a locked stack (pulumi/pkg v3.274.1 backend/diy/lock.go).
func TestLockHolders(t *testing.T) {
	text := "stderr: error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
		"  azblob://state/.pulumi/locks/organization/aks-cilium/dev/1acc.json?localemu=true&protocol=http&domain=127.0.0.1:38551: created by root@vm (pid 18716) at 2026-12-01T08:41:05Z\n" +
		"  s3://bucket/.pulumi/locks/organization/aks-cilium/dev/2bdd.json: created by ci@runner-7 (pid 42) at 2026-12-01T08:41:06Z\n"
	assert.Equal(t, []lockHolder{{Pid: 18716, Host: "vm"}, {Pid: 42, Host: "runner-7"}}, lockHolders(text))
	assert.Empty(t, lockHolders("error: the stack is currently locked"))

	host, err := os.Hostname()
	if assert.NoError(t, err) {
		assert.True(t, holderAlive(os.Getpid(), host), "this process")
		assert.True(t, holderAlive(1, host+"-elsewhere"), "another host's lock cannot be checked: assumed alive")
	}
}

func TestObjectStoreBackend(t *testing.T) {
	for url, want := range map[string]bool{
		"azblob://state?localemu=true": true, "s3://bucket": true, "gs://bucket": true,
		"file:///var/state": false, "https://api.pulumi.com": false, "": false,
	} {
		assert.Equal(t, want, objectStoreBackend(url), url)
	}
}
