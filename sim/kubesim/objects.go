package kubesim

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// objectRef names an object for logs and errors: Kind namespace/name.
type objectRef struct {
	gvk       schema.GroupVersionKind
	namespace string
	name      string
}

func (r objectRef) String() string {
	if r.namespace == "" {
		return r.gvk.Kind + " " + r.name
	}
	return r.gvk.Kind + " " + r.namespace + "/" + r.name
}

// id is the Pulumi ID pulumi-kubernetes gives an object: "namespace/name",
// or "name" for a cluster-scoped one.
func (r objectRef) id() string {
	if r.namespace == "" {
		return r.name
	}
	return r.namespace + "/" + r.name
}

// parseID splits a Pulumi ID into namespace and name.
func parseID(id string) (namespace, name string) {
	if ns, n, ok := strings.Cut(id, "/"); ok {
		return ns, n
	}
	return "", id
}

// apiVersionFromToken derives apiVersion and kind from a resource type token
// such as kubernetes:networking.k8s.io/v1:NetworkPolicy or
// kubernetes:core/v1:Namespace (the core group is "" on the wire).
func apiVersionFromToken(token string) (apiVersion, kind string, ok bool) {
	parts := strings.SplitN(token, ":", 3)
	if len(parts) != 3 || parts[0] != Package || !strings.Contains(parts[1], "/") || parts[2] == "" {
		return "", "", false
	}
	return strings.TrimPrefix(parts[1], "core/"), parts[2], true
}

// gvkOf is the object's group, version and kind: from the first of objs that
// states apiVersion and kind, else from the type token.
func gvkOf(token string, objs ...map[string]any) (schema.GroupVersionKind, error) {
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		if av != "" && kind != "" {
			gv, err := schema.ParseGroupVersion(av)
			if err != nil {
				return schema.GroupVersionKind{}, fmt.Errorf("kubernetes (simulated): apiVersion %q: %w", av, err)
			}
			return gv.WithKind(kind), nil
		}
	}
	av, kind, ok := apiVersionFromToken(token)
	if !ok {
		return schema.GroupVersionKind{}, fmt.Errorf("kubernetes (simulated): %s: no apiVersion and kind, and the type token does not name one", token)
	}
	gv, err := schema.ParseGroupVersion(av)
	if err != nil {
		return schema.GroupVersionKind{}, fmt.Errorf("kubernetes (simulated): %s: %w", token, err)
	}
	return gv.WithKind(kind), nil
}

// errNoKind says the server does not serve a kind (its CRD is not installed).
type errNoKind struct {
	gvk schema.GroupVersionKind
	err error
}

func (e *errNoKind) Error() string {
	return fmt.Sprintf("the API server does not serve %s %s (is its CRD installed?): %v", e.gvk.GroupVersion(), e.gvk.Kind, e.err)
}

func (e *errNoKind) Unwrap() error { return e.err }

// resourceFor resolves a kind to the dynamic client of its resource through
// discovery, rediscovering once when the kind is unknown (a CRD installed
// after the first lookup). namespaced says whether the kind is namespaced.
func (s *Simulator) resourceFor(gvk schema.GroupVersionKind, namespace string) (ri dynamic.ResourceInterface, namespaced bool, err error) {
	dyn, mapper, err := s.clients()
	if err != nil {
		return nil, false, err
	}
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		mapper.Reset()
		mapping, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, false, &errNoKind{gvk: gvk, err: err}
		}
		return nil, false, err
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		return dyn.Resource(mapping.Resource), false, nil
	}
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	return dyn.Resource(mapping.Resource).Namespace(namespace), true, nil
}

// apply server-side applies obj (field manager pulumi-kubernetes, forced)
// and returns the live object. A namespaced object without a namespace goes
// to "default"; a cluster-scoped one loses any namespace it states.
func (s *Simulator) apply(ctx context.Context, obj map[string]any) (*unstructured.Unstructured, objectRef, error) {
	u := &unstructured.Unstructured{Object: obj}
	ref := objectRef{gvk: u.GroupVersionKind(), namespace: u.GetNamespace(), name: u.GetName()}
	if ref.gvk.Kind == "" || ref.gvk.Version == "" {
		return nil, ref, fmt.Errorf("kubernetes (simulated): the object has no apiVersion or kind")
	}
	if ref.name == "" {
		return nil, ref, fmt.Errorf("kubernetes (simulated): %s has no metadata.name", ref.gvk.Kind)
	}
	ri, namespaced, err := s.resourceFor(ref.gvk, ref.namespace)
	if err != nil {
		return nil, ref, s.apiError("applying", ref, err)
	}
	if namespaced && ref.namespace == "" {
		ref.namespace = metav1.NamespaceDefault
		u.SetNamespace(ref.namespace)
	}
	if !namespaced && ref.namespace != "" {
		ref.namespace = ""
		unstructured.RemoveNestedField(u.Object, "metadata", "namespace")
	}
	body, err := u.MarshalJSON()
	if err != nil {
		return nil, ref, fmt.Errorf("kubernetes (simulated): encoding %s: %w", ref, err)
	}
	force := true
	live, err := ri.Patch(ctx, ref.name, types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager: FieldManager, Force: &force,
	})
	if err != nil {
		return nil, ref, s.apiError("applying", ref, err)
	}
	s.logf("applied %s", ref)
	return live, ref, nil
}

// get reads a live object; nil when it (or its kind) does not exist.
func (s *Simulator) get(ctx context.Context, ref objectRef) (*unstructured.Unstructured, objectRef, error) {
	ri, namespaced, err := s.resourceFor(ref.gvk, ref.namespace)
	if _, gone := err.(*errNoKind); gone {
		return nil, ref, nil
	}
	if err != nil {
		return nil, ref, s.apiError("reading", ref, err)
	}
	if namespaced && ref.namespace == "" {
		ref.namespace = metav1.NamespaceDefault
	}
	live, err := ri.Get(ctx, ref.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, ref, nil
	}
	if err != nil {
		return nil, ref, s.apiError("reading", ref, err)
	}
	return live, ref, nil
}

// pollInterval is how often Delete looks whether an object is gone.
const pollInterval = 100 * time.Millisecond

// remove deletes an object and waits (up to Options.DeleteTimeout) until it
// is gone. Not found is success. On a server without kube-controller-manager
// (see hasControllers) the deletion propagates in the background, since no
// garbage collector would ever finish a foreground deletion, and a namespace
// that is Terminating counts as deleted, since no namespace controller
// would ever empty and finalise it.
func (s *Simulator) remove(ctx context.Context, ref objectRef) error {
	ri, namespaced, err := s.resourceFor(ref.gvk, ref.namespace)
	if _, gone := err.(*errNoKind); gone {
		return nil
	}
	if err != nil {
		return s.apiError("deleting", ref, err)
	}
	if namespaced && ref.namespace == "" {
		ref.namespace = metav1.NamespaceDefault
	}
	controllers := s.hasControllers()
	propagation := metav1.DeletePropagationForeground
	if !controllers {
		propagation = metav1.DeletePropagationBackground
	}
	err = ri.Delete(ctx, ref.name, metav1.DeleteOptions{PropagationPolicy: &propagation})
	if apierrors.IsNotFound(err) {
		s.logf("delete %s: already gone", ref)
		return nil
	}
	if err != nil {
		return s.apiError("deleting", ref, err)
	}
	isNamespace := ref.gvk.Group == "" && ref.gvk.Kind == "Namespace"
	deadline := time.Now().Add(s.opts.DeleteTimeout)
	for {
		live, err := ri.Get(ctx, ref.name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			s.logf("deleted %s", ref)
			return nil
		case err != nil:
			return s.apiError("waiting for the deletion of", ref, err)
		case isNamespace && !controllers && live.GetDeletionTimestamp() != nil:
			s.logf("deleted %s (Terminating; no namespace controller on this server to finish it)", ref)
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("kubernetes (simulated, API server %s): %s is still present %s after its deletion (finalizers %v)",
				s.Host(), ref, s.opts.DeleteTimeout, live.GetFinalizers())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kubernetes (simulated): waiting for the deletion of %s: %w", ref, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// hasControllers reports whether the API server has a kube-controller-manager,
// judged once by its leader-election lease kube-system/kube-controller-manager.
// A bare kube-apiserver (envtest, sim/apiserver) has none, so nothing
// garbage-collects or finalises namespaces there. When the lease cannot be
// read for another reason, controllers are assumed (a real cluster).
func (s *Simulator) hasControllers() bool {
	s.ctrlOnce.Do(func() {
		s.ctrl = true
		ctx, cancel := context.WithTimeout(s.serving.Context(), 10*time.Second)
		defer cancel()
		dyn, _, err := s.clients()
		if err != nil {
			return
		}
		leases := schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}
		_, err = dyn.Resource(leases).Namespace(metav1.NamespaceSystem).Get(ctx, "kube-controller-manager", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			s.ctrl = false
			s.logf("no kube-controller-manager on %s: deletions propagate in the background and a Terminating namespace counts as deleted", s.Host())
		}
	})
	return s.ctrl
}

// apiError wraps an API server error so the engine shows it on the resource
// with the server's own message.
func (s *Simulator) apiError(action string, ref objectRef, err error) error {
	s.logf("%s %s failed: %s", action, ref, firstLine(err.Error()))
	return fmt.Errorf("kubernetes (simulated, API server %s): %s %s: %w", s.Host(), action, ref, err)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// outputs is what the provider reports for a live object: the object as the
// server returns it (status included) without metadata.managedFields.
func outputs(live *unstructured.Unstructured) map[string]any {
	obj := live.DeepCopy().Object
	unstructured.RemoveNestedField(obj, "metadata", "managedFields")
	return obj
}

// serverFields are the metadata the server writes, left out of the inputs a
// read derives from a live object.
var serverFields = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
	"deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences", "finalizers"}

// liveInputs are the inputs of an object read without old inputs (an
// import): the live object without status and server-written metadata.
func liveInputs(live *unstructured.Unstructured) map[string]any {
	obj := live.DeepCopy().Object
	delete(obj, "status")
	for _, f := range serverFields {
		unstructured.RemoveNestedField(obj, "metadata", f)
	}
	return obj
}

// prune returns the live value in the shape of the old inputs: every key the
// inputs had, with its live value (keys gone from the live object are
// dropped), so a refresh carries drift into the inputs and the next update
// shows it, without pulling in what the server added.
func prune(live, old any) any {
	switch o := old.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		out := make(map[string]any, len(o))
		for k, ov := range o {
			if lv, ok := l[k]; ok {
				out[k] = prune(lv, ov)
			}
		}
		return out
	case []any:
		l, ok := live.([]any)
		if !ok {
			return live
		}
		out := make([]any, len(l))
		for i, lv := range l {
			if i < len(o) {
				out[i] = prune(lv, o[i])
			} else {
				out[i] = lv
			}
		}
		return out
	default:
		return live
	}
}
