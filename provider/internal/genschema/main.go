// Command genschema writes provider/schema.json from the Go types and their
// doc comments (provider/schemagen). Run it with `go generate ./provider`
// (or `make schema`) after changing the spec or a component.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aks-cilium/aks-cilium/provider/schemagen"
)

func main() {
	out := flag.String("o", "schema.json", "output file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	root, err := schemagen.ModuleRoot()
	if err != nil {
		return err
	}
	data, err := schemagen.Generate(root)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Println("genschema: wrote", abs)
	return nil
}
