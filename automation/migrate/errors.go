package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// BlockedError: Apply was given a plan with blockers. Nothing was sent.
type BlockedError struct {
	Cluster  string
	Blockers []Issue
}

// Error says what happened and what to do.
func (e *BlockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster %s: the plan has %d blocker(s), nothing was changed:", e.Cluster, len(e.Blockers))
	for _, i := range e.Blockers {
		fmt.Fprintf(&b, "\n  - %s: %s", i.Code, i.Message)
	}
	return b.String()
}

// StalePlanError: the cluster's network profile or pools changed since the
// plan was made. Nothing was sent; plan again.
type StalePlanError struct {
	Cluster string
	// What changed.
	What string
}

// Error says what happened and what to do.
func (e *StalePlanError) Error() string {
	return fmt.Sprintf("cluster %s changed since it was planned (%s); nothing was sent: plan again", e.Cluster, e.What)
}

// ConflictError: ARM refused the request because of the cluster's state:
// 409 (OperationNotAllowed, AnotherOperationInProgress, ...) or 412 (the
// cluster changed between Apply's read and its write). StatusCode 0 means
// Apply saw the running operation in provisioningState and sent nothing.
// Wait, plan again and retry.
type ConflictError struct {
	Cluster    string
	StatusCode int
	// Code and Message are ARM's error code and message.
	Code, Message string
	Err           error
}

// Error says what happened and what to do.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("cluster %s: conflict (%s): %s; wait for the running operation to finish, then plan and apply again", e.Cluster, e.Code, e.Message)
}

// Unwrap returns the underlying error.
func (e *ConflictError) Unwrap() error { return e.Err }

// ThrottledError: ARM answered 429 Too Many Requests, still after the
// SDK's own retries (arm.ClientOptions.Retry). Submitted says whether the
// update had been accepted: if so it continues in Azure, and a later Apply
// finds it done or running.
type ThrottledError struct {
	Cluster       string
	Code, Message string
	// RetryAfter is ARM's hint, zero when it gave none.
	RetryAfter time.Duration
	Submitted  bool
	Err        error
}

// Error says what happened and what to do.
func (e *ThrottledError) Error() string {
	msg := fmt.Sprintf("cluster %s: throttled by Azure Resource Manager (%s) after the SDK's retries", e.Cluster, e.Code)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; retry after %s", e.RetryAfter)
	}
	if e.Submitted {
		msg += "; the update had been accepted and continues in Azure"
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *ThrottledError) Unwrap() error { return e.Err }

// OperationFailedError: the update was accepted, and its long-running
// operation ended Failed (or Canceled). Code and Message are ARM's. The
// cluster's provisioningState is then Failed: fix the cause, plan again
// (the plan shows the resubmit) and apply, which sends the same values
// again, the way AKS retries.
type OperationFailedError struct {
	Cluster       string
	Code, Message string
	Err           error
}

// Error says what happened and what to do.
func (e *OperationFailedError) Error() string {
	msg := fmt.Sprintf("cluster %s: the update failed: %s", e.Cluster, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *OperationFailedError) Unwrap() error { return e.Err }

// InterruptedError: the caller's context ended (deadline or cancel) before
// the operation finished. If Submitted, the update continues in Azure: the
// cluster shows provisioningState Updating, and a later Apply reports it or
// finds it done. Err is context.DeadlineExceeded or context.Canceled.
type InterruptedError struct {
	Cluster string
	// Action is what was under way: "read cluster", "submit update", "wait for update".
	Action    string
	Submitted bool
	Err       error
}

// Error says what happened and what to do.
func (e *InterruptedError) Error() string {
	why := "cancelled"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		why = "timed out"
	}
	msg := fmt.Sprintf("cluster %s: %s %s", e.Cluster, e.Action, why)
	if e.Submitted {
		msg += "; the update continues in Azure (az aks show --query provisioningState), plan and apply again to pick it up"
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *InterruptedError) Unwrap() error { return e.Err }

// Timeout reports whether the context's deadline passed (rather than a cancel).
func (e *InterruptedError) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// AfterUpdateError: the cluster was updated, and ApplyOptions.AfterUpdate
// (the stack refresh) failed. Run the refresh again; do not run up with
// the old spec in between.
type AfterUpdateError struct {
	Cluster string
	Err     error
}

// Error says what happened and what to do.
func (e *AfterUpdateError) Error() string {
	return fmt.Sprintf("cluster %s was updated, but the step after it failed: %v; run it again (refresh the stack) before the next up", e.Cluster, e.Err)
}

// Unwrap returns the underlying error.
func (e *AfterUpdateError) Unwrap() error { return e.Err }

// classify turns an SDK error into this package's types. submitted says
// whether ARM had accepted the update (the error came while polling).
func classify(ctx context.Context, cluster, action string, err error, submitted bool) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
		cause := ctx.Err()
		if cause == nil {
			cause = err
		}
		return &InterruptedError{Cluster: cluster, Action: action, Submitted: submitted, Err: cause}
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("cluster %s: %s: %w", cluster, action, err)
	}
	code, msg := armError(re)
	switch {
	case re.StatusCode == http.StatusTooManyRequests:
		return &ThrottledError{Cluster: cluster, Code: code, Message: msg, RetryAfter: retryAfter(re.RawResponse), Submitted: submitted, Err: err}
	case submitted:
		return &OperationFailedError{Cluster: cluster, Code: code, Message: msg, Err: err}
	case re.StatusCode == http.StatusConflict || re.StatusCode == http.StatusPreconditionFailed:
		return &ConflictError{Cluster: cluster, StatusCode: re.StatusCode, Code: code, Message: msg, Err: err}
	}
	return fmt.Errorf("cluster %s: %s: %w", cluster, action, err)
}

// armError reads ARM's error code and message: {"error": {"code", "message"}}
// for a request, the same under an operation status for a failed
// long-running operation.
func armError(re *azcore.ResponseError) (code, message string) {
	code = re.ErrorCode
	if re.RawResponse == nil {
		return code, ""
	}
	body, err := runtime.Payload(re.RawResponse)
	if err != nil || len(body) == 0 {
		return code, ""
	}
	var doc struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return code, ""
	}
	if doc.Error != nil {
		doc.Code, doc.Message = doc.Error.Code, doc.Error.Message
	}
	if code == "" {
		code = doc.Code
	}
	return code, doc.Message
}

// retryAfter reads ARM's retry hint: retry-after-ms, x-ms-retry-after-ms,
// or Retry-After in seconds.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	for _, h := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, err := strconv.Atoi(resp.Header.Get(h)); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}
