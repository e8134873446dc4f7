// Command codegen is the codegen-only language host (tools/langhost) for
// nodejs, python and go, with the SDK generators of pulumi/pkg v3.274.1, the
// CLI's own. `make tools` links it next to the pulumi binary as
// pulumi-language-nodejs, -python and -go, where the CLI looks for bundled
// language hosts, so `pulumi package gen-sdk` works offline. It runs no
// program.
package main

import (
	"context"
	"encoding/json"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/aks-cilium/aks-cilium/tools/langhost"
)

// version is the pulumi/pkg whose codegen this host runs (tools/build.sh
// sets it from go.mod).
var version = "0.0.0-dev"

func main() {
	langhost.Main(version, map[string]langhost.Generate{
		"nodejs": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return nodejs.GeneratePackage(langhost.Tool(), pkg, req.ExtraFiles, req.LocalDependencies, req.Local, loader)
		}),
		"python": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return python.GeneratePackage(langhost.Tool(), pkg, req.ExtraFiles, loader)
		}),
		"go": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader) (map[string][]byte, error) {
			return gogen.GeneratePackage(langhost.Tool(), pkg, req.LocalDependencies)
		}),
	})
}

// bound binds the request's schema with the CLI's loader (as Pulumi's own
// hosts do) and hands the package to gen; schema errors are answered as
// diagnostics.
func bound(gen func(*schema.Package, *pulumirpc.GeneratePackageRequest, schema.ReferenceLoader) (map[string][]byte, error)) langhost.Generate {
	return func(_ context.Context, req *pulumirpc.GeneratePackageRequest) (map[string][]byte, *pulumirpc.GeneratePackageResponse, error) {
		client, err := schema.NewLoaderClient(req.LoaderTarget)
		if err != nil {
			return nil, nil, err
		}
		defer client.Close()
		var spec schema.PackageSpec
		if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
			return nil, nil, err
		}
		loader := schema.NewCachedLoader(client)
		pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
		if err != nil {
			return nil, nil, err
		}
		resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
		if diags.HasErrors() {
			return nil, resp, nil
		}
		files, err := gen(pkg, req, loader)
		return files, resp, err
	}
}
