package netpol

import (
	"math/bits"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// bitset is a set of pod indexes.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) clone() bitset { return append(bitset(nil), b...) }

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls f for every index in the set, in order.
func (b bitset) each(f func(i int)) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(wi*64 + t)
			w &= w - 1
		}
	}
}

// podIndex answers "which pods does this selector match" quickly: it narrows
// the candidates with posting lists of namespace and of each matchLabels
// pair before running the selector, and caches answers by selector.
type podIndex struct {
	pods       []Pod
	namespaces map[string]Namespace
	byNS       map[string]bitset
	byLabel    map[string]bitset // "key\x00value" -> pods with that label
	empty      bitset
	cache      map[string]bitset
}

func newPodIndex(pods []Pod, namespaces map[string]Namespace) *podIndex {
	ix := &podIndex{
		pods:       pods,
		namespaces: namespaces,
		byNS:       map[string]bitset{},
		byLabel:    map[string]bitset{},
		empty:      newBitset(len(pods)),
		cache:      map[string]bitset{},
	}
	for i, p := range pods {
		if ix.byNS[p.Namespace] == nil {
			ix.byNS[p.Namespace] = newBitset(len(pods))
		}
		ix.byNS[p.Namespace].set(i)
		for k, v := range p.Labels {
			key := k + "\x00" + v
			if ix.byLabel[key] == nil {
				ix.byLabel[key] = newBitset(len(pods))
			}
			ix.byLabel[key].set(i)
		}
	}
	return ix
}

// inNamespace returns the pods of ns that sel matches (nil sel: all of them).
func (ix *podIndex) inNamespace(ns string, sel *metav1.LabelSelector) (bitset, error) {
	scope := ix.byNS[ns]
	if scope == nil {
		return ix.empty, nil
	}
	return ix.match("ns="+ns, scope, sel)
}

// inNamespaces returns the pods, in the namespaces nsSel matches, that
// podSel matches (nil podSel: all of them).
func (ix *podIndex) inNamespaces(nsSel, podSel *metav1.LabelSelector) (bitset, error) {
	s, err := metav1.LabelSelectorAsSelector(nsSel)
	if err != nil {
		return nil, err
	}
	key := "nssel=" + s.String()
	scope, ok := ix.cache[key]
	if !ok {
		scope = newBitset(len(ix.pods))
		for name, ns := range ix.namespaces {
			if s.Matches(labels.Set(ns.Labels)) && ix.byNS[name] != nil {
				scope.or(ix.byNS[name])
			}
		}
		ix.cache[key] = scope
	}
	return ix.match(key, scope, podSel)
}

// match returns the pods of scope that sel matches; scopeKey names scope
// for the cache.
func (ix *podIndex) match(scopeKey string, scope bitset, sel *metav1.LabelSelector) (bitset, error) {
	if sel == nil {
		return scope, nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return nil, err
	}
	if s.Empty() {
		return scope, nil
	}
	key := scopeKey + "|" + s.String()
	if got, ok := ix.cache[key]; ok {
		return got, nil
	}
	candidates := scope.clone()
	for k, v := range sel.MatchLabels {
		posting := ix.byLabel[k+"\x00"+v]
		if posting == nil {
			candidates = ix.empty
			break
		}
		candidates.and(posting)
	}
	out := newBitset(len(ix.pods))
	candidates.each(func(i int) {
		if s.Matches(labels.Set(ix.pods[i].Labels)) {
			out.set(i)
		}
	})
	ix.cache[key] = out
	return out, nil
}
