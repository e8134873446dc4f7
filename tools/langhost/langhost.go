// Package langhost is the skeleton of aks-cilium's codegen-only Pulumi
// language hosts: a binary installed as pulumi-language-<language> (the
// language is the name it runs under) that answers the one call
// `pulumi package gen-sdk` makes, GeneratePackage, and refuses every other
// call (Run, InstallDependencies, ...) with Unimplemented. It runs no
// program.
//
// Why: the CLI's gen-sdk delegates SDK generation to the language's host, and
// the real hosts (pulumi/pulumi's sdk/nodejs, sdk/python and sdk/go commands,
// pulumi/pulumi-dotnet) are not served by the Go module proxy. Their
// GeneratePackage binds the schema with the CLI's loader and writes the files
// of the language's generator in pulumi/pkg's codegen packages; the hosts
// built on this package do the same with the codegen of the pulumi/pkg their
// module pins: tools/pulumi/codegen (nodejs, python, go; pkg v3.274.1, the
// CLI's own) and tools/languages/codegen (dotnet; pkg v3.206.0, the last
// pulumi/pkg with codegen/dotnet). On a machine with Pulumi's own hosts (any
// Pulumi install) gen-sdk uses those.
//
// The package depends only on the Pulumi SDK, so both modules use it at
// their own SDK version (each go.mod replaces it with this folder).
package langhost

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Generate writes nothing itself: it returns the SDK's files (paths relative
// to the SDK folder) for a GeneratePackage request, or the response to send
// as is (schema diagnostics).
type Generate func(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (map[string][]byte, *pulumirpc.GeneratePackageResponse, error)

// Main serves the language this binary runs as, which must be a key of
// generators, and reports version (the pulumi/pkg whose codegen it runs) as
// the plugin's version.
func Main(version string, generators map[string]Generate) {
	// The CLI passes -root, -tracing and the engine's address; none is needed.
	flag.String("root", "", "ignored")
	flag.String("tracing", "", "ignored")
	flag.Parse()
	lang := Language()
	gen, ok := generators[lang]
	if !ok {
		var names []string
		for l := range generators {
			names = append(names, l)
		}
		fmt.Fprintf(os.Stderr, "langhost: run as pulumi-language-<%s>, not %q\n", strings.Join(names, "|"), os.Args[0])
		os.Exit(2)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{lang: lang, version: version, generate: gen})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "langhost:", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port) // the port, for the CLI
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, "langhost:", err)
		os.Exit(1)
	}
}

// Language is the language this binary serves, from the name it runs
// under: pulumi-language-nodejs serves nodejs.
func Language() string {
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	return strings.TrimPrefix(name, "pulumi-language-")
}

// Tool is the generator name the SDKs' headers carry.
func Tool() string { return "pulumi-language-" + Language() }

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	lang, version string
	generate      Generate
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: h.version}, nil
}

// GeneratePackage writes the generated files into req.Directory.
func (h *host) GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	files, resp, err := h.generate(ctx, req)
	if err != nil || files == nil {
		return resp, err
	}
	for name, data := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// Run is refused: this host runs no program.
func (h *host) Run(context.Context, *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return nil, status.Errorf(codes.Unimplemented,
		"this pulumi-language-%s is aks-cilium's codegen-only host (tools/langhost): it generates SDKs and runs no program; install Pulumi's own language host", h.lang)
}
