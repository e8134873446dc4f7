package azuresim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// BodyStyle is how a resource provider shapes its error bodies. ARM and the
// network resource provider wrap them ({"error": {"code", "message"}}); the
// AKS resource provider answers a flat object ({"code", "details",
// "message", "subcode", "target"}), so azure-native, which prints the inner
// message of a wrapped body and the whole body otherwise, shows AKS errors
// as Message="{...}" (pulumi-azure-native provider/pkg/azure/client_azcore.go,
// newResponseError; AKS bodies as quoted in Azure/bicep-registry-modules#3361
// and Azure/AKS-Construction#701).
type BodyStyle int

// The error body styles.
const (
	// ARMStyle is {"error": {"code": ..., "message": ...}}: ARM itself and
	// Microsoft.Network.
	ARMStyle BodyStyle = iota
	// AKSStyle is Microsoft.ContainerService's flat body with a subcode.
	AKSStyle
)

// ARMError is an error as Azure Resource Manager answers it. Error renders
// it the way azure-native 2.88.0 surfaces it (PulumiAzcoreResponseError):
//
//	Status=400 Code="BadRequest" Message="{"code":"BadRequest","details":null,"message":"Cilium dataplane requires network policy cilium.","subcode":"CiliumDataplaneRequiresNetworkPolicyCilium","target":"networkProfile.networkPolicy"}"
//
// Use errors.As to inspect one returned by the simulator's own API; through
// the engine it arrives as that text inside the operation's error.
type ARMError struct {
	// StatusCode is the HTTP status ARM answered (400, 404, 409, 412, 429, 500).
	StatusCode int
	// Code is ARM's error code (for AKS often the generic BadRequest).
	Code string
	// Message is the provider's message.
	Message string
	// Subcode is AKS's specific reason when Code is generic
	// ("CiliumDataplaneRequiresNetworkPolicyCilium"); empty otherwise.
	Subcode string
	// Target is the property the error is about, when the provider says.
	Target string
	// Style is the shape of the error body.
	Style BodyStyle
}

// aksError is an AKS (flat body) error.
func aksError(status int, code, subcode, target, format string, args ...any) *ARMError {
	return &ARMError{StatusCode: status, Code: code, Subcode: subcode, Target: target,
		Message: fmt.Sprintf(format, args...), Style: AKSStyle}
}

// armError is an ARM or network provider (wrapped body) error.
func armError(status int, code, format string, args ...any) *ARMError {
	return &ARMError{StatusCode: status, Code: code, Message: fmt.Sprintf(format, args...), Style: ARMStyle}
}

// Reason is the most specific code: the subcode when AKS gave one, else the code.
func (e *ARMError) Reason() string {
	if e.Subcode != "" {
		return e.Subcode
	}
	return e.Code
}

// Body is the JSON error body the provider answers.
func (e *ARMError) Body() []byte {
	var v any
	switch e.Style {
	case AKSStyle:
		body := map[string]any{"code": e.Code, "details": nil, "message": e.Message, "subcode": e.Subcode}
		if e.Target != "" {
			body["target"] = e.Target
		}
		v = body
	default:
		inner := map[string]any{"code": e.Code, "message": e.Message}
		if e.Target != "" {
			inner["target"] = e.Target
		}
		v = map[string]any{"error": inner}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // ARM does not escape <, > and &
	_ = enc.Encode(v)        // maps of strings always encode
	return bytes.TrimSpace(buf.Bytes())
}

// Error renders the error like azure-native: the inner message of a wrapped
// body, the whole body of a flat one.
func (e *ARMError) Error() string {
	msg := e.Message
	if e.Style == AKSStyle {
		msg = string(e.Body())
	}
	return fmt.Sprintf(`Status=%d Code="%s" Message="%s"`, e.StatusCode, e.Code, msg)
}

// response is the error as an HTTP response, for the ARM front end: the
// body, and the x-ms-error-code header ARM sets.
func (e *ARMError) response(req *http.Request) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("x-ms-error-code", e.Code)
	body := e.Body()
	return &http.Response{
		StatusCode: e.StatusCode, Status: fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode)),
		Header: h, Body: readCloser(body), ContentLength: int64(len(body)), Request: req,
	}
}

// sdkError is the error an Azure SDK client returns for e (an
// *azcore.ResponseError, as the real service would produce).
func (e *ARMError) sdkError(method, url string) error {
	req, _ := http.NewRequest(method, url, nil)
	return runtime.NewResponseError(e.response(req))
}

type byteReadCloser struct{ *bytes.Reader }

func (byteReadCloser) Close() error { return nil }

func readCloser(b []byte) byteReadCloser { return byteReadCloser{bytes.NewReader(b)} }

// partialError is what azure-native answers when ARM accepted a create or an
// update but the operation then failed (a timeout, a failed long-running
// operation): a gRPC error carrying ErrorResourceInitFailed with the
// resource as it now is, so the engine records it in the state as created
// with initialization errors and a later update retries it
// (pulumi-azure-native provider/pkg/provider/provider.go, partialError).
func partialError(id string, cause error, outputs, inputs *structpb.Struct) error {
	detail := &pulumirpc.ErrorResourceInitFailed{
		Id: id, Properties: outputs, Reasons: []string{cause.Error()}, Inputs: inputs,
	}
	st, err := status.New(codes.Unknown, cause.Error()).WithDetails(detail)
	if err != nil {
		return cause
	}
	return st.Err()
}

// quoteList renders names for messages: 'a', 'b'.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}
