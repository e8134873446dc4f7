package spec

import "strings"

// VMStorage is what a VM size offers an ephemeral OS disk.
type VMStorage struct {
	// TempGiB is the size's local (temp) storage in GiB; 0 when the size
	// has none, and then no ephemeral OS disk is possible.
	TempGiB int
}

// SourceVMSizes is where vmSizes comes from: the Azure VM size pages of
// MicrosoftDocs/azure-compute-docs, articles/virtual-machines/sizes/
// (general-purpose/ddsv5-series.md "Local Storage" tab, 2024-07-29;
// general-purpose/dsv5-series.md, "No local storage present in this series",
// "Ephemeral OS Disk: Not Supported", 2026-02-27; memory-optimized/
// edsv5-series.md, 2024-08-01). These current generations have no cache
// disk, so an ephemeral OS disk is placed on the temp disk (AKS docs:
// concepts-storage, "Ephemeral OS disks in AKS").
const SourceVMSizes Source = "Azure VM sizes: Ddsv5, Dsv5 and Edsv5 series, local storage (azure-compute-docs)"

// vmSizes is a small table of VM sizes and their temp storage, for the
// ephemeral OS disk check. It is data: add a series with its source. A size
// that is not here is not checked; AKS checks it when the pool is created.
var vmSizes = map[string]VMStorage{
	// Ddsv5: temp disk, ephemeral OS disks supported.
	"standard_d2ds_v5": {75}, "standard_d4ds_v5": {150}, "standard_d8ds_v5": {300},
	"standard_d16ds_v5": {600}, "standard_d32ds_v5": {1200}, "standard_d48ds_v5": {1800},
	"standard_d64ds_v5": {2400}, "standard_d96ds_v5": {3600},
	// Dsv5: no local storage, no ephemeral OS disk.
	"standard_d2s_v5": {0}, "standard_d4s_v5": {0}, "standard_d8s_v5": {0}, "standard_d16s_v5": {0},
	"standard_d32s_v5": {0}, "standard_d48s_v5": {0}, "standard_d64s_v5": {0}, "standard_d96s_v5": {0},
	// Edsv5: temp disk, ephemeral OS disks supported.
	"standard_e2ds_v5": {75}, "standard_e4ds_v5": {150}, "standard_e8ds_v5": {300},
	"standard_e16ds_v5": {600}, "standard_e20ds_v5": {750}, "standard_e32ds_v5": {1200},
	"standard_e48ds_v5": {1800}, "standard_e64ds_v5": {2400}, "standard_e96ds_v5": {3600},
	"standard_e104ids_v5": {3800},
}

// LookupVMStorage returns a VM size's storage from the table (sizes
// compare ignoring case, as ARM does), and whether the size is known.
func LookupVMStorage(vmSize string) (VMStorage, bool) {
	s, ok := vmSizes[strings.ToLower(vmSize)]
	return s, ok
}
