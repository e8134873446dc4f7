// Command codegen is the codegen-only language host (tools/langhost) for
// dotnet, with the C# SDK generator of pulumi/pkg v3.206.0 (the last
// pulumi/pkg that holds codegen/dotnet; later ones moved it to
// pulumi/pulumi-dotnet, which is not served). `make tools` links it next to
// the pulumi binary as pulumi-language-dotnet. It runs no program.
//
// Offline, the generator's download of the NuGet icon fails; the host then
// writes a 1x1 placeholder logo.png and says so on stderr.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/aks-cilium/aks-cilium/tools/langhost"
)

// version is the pulumi/pkg whose codegen this host runs (tools/build.sh
// sets it from go.mod).
var version = "0.0.0-dev"

func main() {
	http.DefaultTransport = placeholderOnError{http.DefaultTransport}
	langhost.Main(version, map[string]langhost.Generate{
		"dotnet": func(_ context.Context, req *pulumirpc.GeneratePackageRequest) (map[string][]byte, *pulumirpc.GeneratePackageResponse, error) {
			client, err := schema.NewLoaderClient(req.LoaderTarget)
			if err != nil {
				return nil, nil, err
			}
			defer client.Close()
			var spec schema.PackageSpec
			if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
				return nil, nil, err
			}
			pkg, diags, err := schema.BindSpec(spec, schema.NewCachedLoader(client), schema.ValidationOptions{AllowDanglingReferences: true})
			if err != nil {
				return nil, nil, err
			}
			resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
			if diags.HasErrors() {
				return nil, resp, nil
			}
			files, err := dotnet.GeneratePackage(langhost.Tool(), pkg, req.ExtraFiles, req.LocalDependencies)
			return files, resp, err
		},
	})
}

// placeholderOnError answers a failed GET (the generator fetches the
// package's icon from GitHub) with a 1x1 PNG.
type placeholderOnError struct{ next http.RoundTripper }

func (p placeholderOnError) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err == nil || req.Method != http.MethodGet {
		return resp, err
	}
	fmt.Fprintf(os.Stderr, "pulumi-language-dotnet (aks-cilium codegen host): cannot fetch %s (%v); logo.png is a 1x1 placeholder\n", req.URL, err)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Body: io.NopCloser(&buf), Request: req, Header: http.Header{}}, nil
}
