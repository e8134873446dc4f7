// Command buildprobe imports exactly the SDK packages the examples import and
// does nothing else. tools/buildbench.sh builds it beside an example: the
// ratio of their build times is the build cost our own code adds.
package main

import (
	_ "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	_ "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	_ "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(*pulumi.Context) error { return nil })
}
