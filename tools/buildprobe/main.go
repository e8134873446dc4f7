// Command buildprobe imports exactly the Pulumi SDK packages the examples
// import (check with `go list -deps ./examples/overlay | grep pulumi-`) and
// does nothing else. tools/buildbench.sh builds it beside an example: the
// ratio of their build times is the build cost our own code adds.
package main

import (
	_ "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	_ "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	_ "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(*pulumi.Context) error { return nil })
}
