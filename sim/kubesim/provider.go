package kubesim

import (
	"context"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
)

// server is the provider's gRPC service; all state lives in the Simulator
// and on the API server. The protocol's plumbing (Attach, Handshake,
// GetPluginInfo, GetSchema, CheckConfig, DiffConfig, Cancel) is the shared
// grpcprovider.Base.
type server struct {
	grpcprovider.Base
	sim *Simulator
}

// label names kubesim in errors.
const label = "kubernetes (simulated)"

// Server returns the simulator as a provider gRPC service, for a host that
// serves it itself; Start serves it in-process.
func (s *Simulator) Server() pulumirpc.ResourceProviderServer {
	return &server{sim: s, Base: grpcprovider.Base{
		Label: label, Package: Package, Version: Version,
		Description: "SIMULATED kubernetes provider (aks-cilium kubesim): objects are applied to a local kube-apiserver.",
		// Engine-driven autonaming, as pulumi-kubernetes declares.
		HandshakeResponse: &pulumirpc.ProviderHandshakeResponse{SupportsAutonamingConfiguration: true},
		OnAttach:          s.setHost,
	}}
}

// decode turns wire properties into property values: nulls dropped, secrets
// unwrapped (the engine re-marks the outputs of secret inputs), unknowns
// kept or dropped.
func decode(s *structpb.Struct, what string, keepUnknowns bool) (resource.PropertyMap, error) {
	return codec.Decode(s, what, plugin.MarshalOptions{KeepUnknowns: keepUnknowns, SkipNulls: true})
}

// encode turns property values into the wire form.
func encode(m resource.PropertyMap, what string) (*structpb.Struct, error) {
	return codec.Encode(m, what, plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true})
}

// codec names kubesim in marshalling errors.
var codec = &grpcprovider.Base{Label: label}

// Configure ignores the provider's inputs (the kubeconfig of the simulated
// AKS cluster, whose server does not exist) in favour of Options.Config, and
// says so: once in Logf, and as an info diagnostic in every run. The
// kubeconfig is secret and never logged.
func (p *server) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	if p.sim.opts.Config == nil {
		return nil, fmt.Errorf("kubernetes (simulated): kubesim.Options.Config is required: the API server objects are applied to")
	}
	p.sim.announce.Do(func() { p.sim.logf("%s", p.sim.label()) })
	p.sim.diag(ctx, req.GetUrn(), p.sim.label())
	return &pulumirpc.ConfigureResponse{SupportsPreview: true, SupportsAutonamingConfiguration: true}, nil
}

// Check returns the inputs with apiVersion and kind filled from the type
// token when missing, and metadata.name when missing: the old name of an
// autonamed object, the engine's proposed name (autonaming configuration),
// or "<resource name>-<8 hex>" marked with the pulumi.com/autonamed
// annotation, as pulumi-kubernetes does.
func (p *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	token := grpcprovider.TypeOf(req.GetType(), req.GetUrn())
	news, err := decode(req.GetNews(), "news", true)
	if err != nil {
		return nil, err
	}
	olds, err := decode(req.GetOlds(), "olds", false)
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	if av, kind, ok := apiVersionFromToken(token); ok {
		if v, ok := news["apiVersion"]; !ok || v.IsNull() {
			news["apiVersion"] = resource.NewStringProperty(av)
		}
		if v, ok := news["kind"]; !ok || v.IsNull() {
			news["kind"] = resource.NewStringProperty(kind)
		}
	}
	for _, key := range []resource.PropertyKey{"apiVersion", "kind"} {
		if v, ok := news[key]; !ok || !(v.IsString() || v.IsComputed()) {
			failures = append(failures, &pulumirpc.CheckFailure{Property: string(key), Reason: "missing required property '" + string(key) + "'"})
		}
	}
	if f := autoname(news, olds, req); f != nil {
		failures = append(failures, f)
	}
	inputs, err := encode(news, "inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// autoname fills metadata.name in news when it is missing (see Check).
func autoname(news, olds resource.PropertyMap, req *pulumirpc.CheckRequest) *pulumirpc.CheckFailure {
	md, ok := news["metadata"]
	if ok && md.ContainsUnknowns() && !md.IsObject() {
		return nil // metadata as a whole is unknown in this preview
	}
	mdMap := resource.PropertyMap{}
	if ok && md.IsObject() {
		mdMap = md.ObjectValue().Copy()
	}
	if n, ok := mdMap["name"]; ok && !n.IsNull() && !(n.IsString() && n.StringValue() == "") {
		return nil
	}
	var name string
	if oldName, autonamed := autonamedName(olds); autonamed {
		name = oldName
	} else if a := req.GetAutonaming(); a != nil {
		if a.GetMode() == pulumirpc.CheckRequest_AutonamingOptions_DISABLE {
			return &pulumirpc.CheckFailure{Property: "metadata.name", Reason: "metadata.name is required: autonaming is disabled"}
		}
		name = a.GetProposedName()
	}
	if name == "" {
		n, err := resource.NewUniqueName(req.GetRandomSeed(), resource.URN(req.GetUrn()).Name()+"-", 8, 0, nil)
		if err != nil {
			return &pulumirpc.CheckFailure{Property: "metadata.name", Reason: err.Error()}
		}
		name = n
	}
	mdMap["name"] = resource.NewStringProperty(name)
	annotations := resource.PropertyMap{}
	if a, ok := mdMap["annotations"]; ok && a.IsObject() {
		annotations = a.ObjectValue().Copy()
	} else if ok && a.ContainsUnknowns() {
		news["metadata"] = resource.NewObjectProperty(mdMap)
		return nil
	}
	annotations[AutonamedAnnotation] = resource.NewStringProperty("true")
	mdMap["annotations"] = resource.NewObjectProperty(annotations)
	news["metadata"] = resource.NewObjectProperty(mdMap)
	return nil
}

// autonamedName is the name of an old object that kubesim autonamed.
func autonamedName(olds resource.PropertyMap) (string, bool) {
	md, ok := olds["metadata"]
	if !ok || !md.IsObject() {
		return "", false
	}
	m := md.ObjectValue()
	a, ok := m["annotations"]
	if !ok || !a.IsObject() {
		return "", false
	}
	if v, ok := a.ObjectValue()[AutonamedAnnotation]; !ok || !v.IsString() || v.StringValue() != "true" {
		return "", false
	}
	if n, ok := m["name"]; ok && n.IsString() && n.StringValue() != "" {
		return n.StringValue(), true
	}
	return "", false
}

// replacePaths are the inputs whose change replaces an object: they are its
// identity on the API server.
var replacePaths = []resource.PropertyPath{{"apiVersion"}, {"kind"}, {"metadata", "name"}, {"metadata", "namespace"}}

// Diff compares the old inputs (not the live outputs) with the new inputs.
// A change of apiVersion, kind, metadata.name or metadata.namespace is a
// replacement (deleted first when the new object has the same namespace and
// name); anything else is an update. The detailed diff names every changed
// leaf (spec.egress[0].toFQDNs[0].matchName, metadata.labels["a/b"]).
func (p *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := decode(req.GetOlds(), "olds", true)
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() != nil {
		if olds, err = decode(req.GetOldInputs(), "old inputs", true); err != nil {
			return nil, err
		}
	}
	news, err := decode(req.GetNews(), "news", true)
	if err != nil {
		return nil, err
	}
	return diff(olds, news), nil
}

func diff(olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	d := olds.Diff(news)
	if d == nil {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}
	}
	detailed := plugin.NewDetailedDiffFromObjectDiff(d, true)
	oldObj, newObj := resource.NewObjectProperty(olds), resource.NewObjectProperty(news)
	var replaces []string
	for _, path := range replacePaths {
		ov, _ := path.Get(oldObj)
		nv, _ := path.Get(newObj)
		if path.String() == "metadata.namespace" {
			ov, nv = defaultNamespace(ov), defaultNamespace(nv)
		}
		if nv.ContainsUnknowns() || !ov.DeepEquals(nv) {
			replaces = append(replaces, path.String())
		}
	}
	out := map[string]*pulumirpc.PropertyDiff{}
	for k, v := range detailed {
		kind := rpcKind(v.Kind)
		if under(k, replaces) {
			kind = asReplace(kind)
		}
		out[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	for _, r := range replaces {
		if !covered(r, out) {
			out[r] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
		}
	}
	var keys []string
	for _, k := range d.ChangedKeys() {
		keys = append(keys, string(k))
	}
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_SOME,
		Diffs:           keys,
		Replaces:        replaces,
		DetailedDiff:    out,
		HasDetailedDiff: true,
	}
	if len(replaces) > 0 {
		// The replacement has the same identity: the old object must go first.
		resp.DeleteBeforeReplace = sameValue(olds, news, "metadata", "name") &&
			defaultNamespace(pathValue(olds, "metadata", "namespace")).DeepEquals(defaultNamespace(pathValue(news, "metadata", "namespace")))
	}
	return resp
}

func pathValue(m resource.PropertyMap, path ...any) resource.PropertyValue {
	v, _ := resource.PropertyPath(path).Get(resource.NewObjectProperty(m))
	return v
}

func sameValue(a, b resource.PropertyMap, path ...any) bool {
	av, bv := pathValue(a, path...), pathValue(b, path...)
	return !av.ContainsUnknowns() && !bv.ContainsUnknowns() && av.DeepEquals(bv)
}

// defaultNamespace treats an unset namespace as "default", where the
// object goes.
func defaultNamespace(v resource.PropertyValue) resource.PropertyValue {
	if v.IsNull() || (v.IsString() && v.StringValue() == "") {
		return resource.NewStringProperty("default")
	}
	return v
}

// under reports whether the detailed-diff path k is one of paths, inside
// one, or contains one (metadata added as a whole contains metadata.name).
func under(k string, paths []string) bool {
	for _, p := range paths {
		if k == p || strings.HasPrefix(k, p+".") || strings.HasPrefix(k, p+"[") ||
			strings.HasPrefix(p, k+".") || strings.HasPrefix(p, k+"[") {
			return true
		}
	}
	return false
}

// covered reports whether a detailed-diff entry already stands for path p.
func covered(p string, entries map[string]*pulumirpc.PropertyDiff) bool {
	for k := range entries {
		if under(k, []string{p}) {
			return true
		}
	}
	return false
}

func rpcKind(k plugin.DiffKind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case plugin.DiffAdd:
		return pulumirpc.PropertyDiff_ADD
	case plugin.DiffAddReplace:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case plugin.DiffDelete:
		return pulumirpc.PropertyDiff_DELETE
	case plugin.DiffDeleteReplace:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	case plugin.DiffUpdateReplace:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE
	}
}

func asReplace(k pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	case pulumirpc.PropertyDiff_UPDATE:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	default:
		return k
	}
}

// Create server-side applies the object and returns the live object; the
// ID is "namespace/name" ("name" when cluster-scoped). A preview returns
// the inputs, no ID, and touches nothing.
func (p *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	props, err := decode(req.GetProperties(), "properties", false)
	if err != nil {
		return nil, err
	}
	live, ref, err := p.sim.apply(ctx, props.Mappable())
	if err != nil {
		return nil, err
	}
	outs, err := encode(resource.NewPropertyMapFromMap(outputs(live)), "outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: ref.id(), Properties: outs}, nil
}

// Update server-side applies the new inputs: fields they no longer state
// leave the object, as the field manager gives them up. A preview returns
// the new inputs and touches nothing.
func (p *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.UpdateResponse{Properties: req.GetNews()}, nil
	}
	news, err := decode(req.GetNews(), "news", false)
	if err != nil {
		return nil, err
	}
	live, _, err := p.sim.apply(ctx, news.Mappable())
	if err != nil {
		return nil, err
	}
	outs, err := encode(resource.NewPropertyMapFromMap(outputs(live)), "outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

// refOf is the object a request's ID and old state name.
func refOf(token, id string, states ...*structpb.Struct) (objectRef, error) {
	var objs []map[string]any
	for _, s := range states {
		m, err := decode(s, "state", false)
		if err != nil {
			return objectRef{}, err
		}
		objs = append(objs, m.Mappable())
	}
	gvk, err := gvkOf(token, objs...)
	if err != nil {
		return objectRef{}, err
	}
	ns, name := parseID(id)
	return objectRef{gvk: gvk, namespace: ns, name: name}, nil
}

// Delete deletes the object (foreground propagation) and waits until it is
// gone; an object that is already gone is success. See remove for a server
// without controllers.
func (p *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	ref, err := refOf(grpcprovider.TypeOf(req.GetType(), req.GetUrn()), req.GetId(), req.GetProperties(), req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if err := p.sim.remove(ctx, ref); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read is a refresh (or an import): the live object. One that no longer
// exists answers an empty ID, so a refresh drops it from the stack. The
// inputs are the live values in the shape of the old inputs, so drift shows
// in the next preview; without old inputs (an import), the live object
// without status and server-written metadata.
func (p *server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	ref, err := refOf(grpcprovider.TypeOf(req.GetType(), req.GetUrn()), req.GetId(), req.GetProperties(), req.GetInputs())
	if err != nil {
		return nil, err
	}
	live, ref, err := p.sim.get(ctx, ref)
	if err != nil {
		return nil, err
	}
	if live == nil {
		p.sim.logf("read %s: gone", ref)
		return &pulumirpc.ReadResponse{Id: ""}, nil
	}
	inputs := liveInputs(live)
	if req.GetInputs() != nil {
		old, err := decode(req.GetInputs(), "inputs", false)
		if err != nil {
			return nil, err
		}
		inputs, _ = prune(live.DeepCopy().Object, old.Mappable()).(map[string]any)
	}
	outs, err := encode(resource.NewPropertyMapFromMap(outputs(live)), "outputs")
	if err != nil {
		return nil, err
	}
	ins, err := encode(resource.NewPropertyMapFromMap(inputs), "inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: ref.id(), Properties: outs, Inputs: ins}, nil
}

// Invoke: the provider's functions (yaml decoding, helm templates) are not
// simulated.
func (p *server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, fmt.Errorf("kubernetes (simulated): function %s is not simulated by kubesim", req.GetTok())
}

// GetMapping has no mappings to offer (it is used by `pulumi convert`).
func (p *server) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}
