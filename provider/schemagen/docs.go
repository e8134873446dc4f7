package schemagen

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// docs reads the doc comments of the module's packages from their source
// (go/doc), package by package, on first use.
type docs struct {
	root, module string
	pkgs         map[string]*doc.Package
}

func newDocs(root string) (*docs, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	var module string
	for _, line := range strings.Split(string(data), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			module = strings.TrimSpace(m)
			break
		}
	}
	if module == "" {
		return nil, fmt.Errorf("%s/go.mod names no module", root)
	}
	return &docs{root: root, module: module, pkgs: map[string]*doc.Package{}}, nil
}

// pkg returns the documentation of the package at importPath, which must be
// in the module.
func (d *docs) pkg(importPath string) (*doc.Package, error) {
	if p, ok := d.pkgs[importPath]; ok {
		return p, nil
	}
	rel, ok := strings.CutPrefix(importPath, d.module)
	if !ok {
		return nil, fmt.Errorf("package %s is outside module %s: its doc comments cannot be read", importPath, d.module)
	}
	dir := filepath.Join(d.root, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, importPath, doc.AllDecls|doc.PreserveAST)
	if err != nil {
		return nil, err
	}
	d.pkgs[importPath] = p
	return p, nil
}

// typ returns the documentation of the named type t.
func (d *docs) typ(t reflect.Type) (*doc.Type, error) {
	p, err := d.pkg(t.PkgPath())
	if err != nil {
		return nil, err
	}
	for _, dt := range p.Types {
		if dt.Name == t.Name() {
			return dt, nil
		}
	}
	return nil, fmt.Errorf("no declaration of %s in %s", t.Name(), t.PkgPath())
}

// typeDoc is the doc comment of the named type t.
func (d *docs) typeDoc(t reflect.Type) (string, error) {
	dt, err := d.typ(t)
	if err != nil {
		return "", err
	}
	return clean(dt.Doc), nil
}

// fieldDoc is the doc comment of field name of struct type t.
func (d *docs) fieldDoc(t reflect.Type, name string) (string, error) {
	dt, err := d.typ(t)
	if err != nil {
		return "", err
	}
	for _, spec := range dt.Decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || ts.Name.Name != t.Name() {
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return "", fmt.Errorf("%s.%s is not a struct", t.PkgPath(), t.Name())
		}
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if n.Name == name {
					return clean(f.Doc.Text()), nil
				}
			}
		}
	}
	return "", fmt.Errorf("no field %s in %s.%s", name, t.PkgPath(), t.Name())
}

// enumValue is one constant of a named string type.
type enumValue struct {
	Name, Value, Doc string
}

// enumValues are the constants declared with named type t, in source order;
// none when t has no constants.
func (d *docs) enumValues(t reflect.Type) ([]enumValue, error) {
	dt, err := d.typ(t)
	if err != nil {
		return nil, err
	}
	var out []enumValue
	for _, group := range dt.Consts {
		for _, spec := range group.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !n.IsExported() {
					continue
				}
				if i >= len(vs.Values) {
					return nil, fmt.Errorf("%s.%s: constant %s has no literal value", t.PkgPath(), t.Name(), n.Name)
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return nil, fmt.Errorf("%s.%s: constant %s is not a string literal", t.PkgPath(), t.Name(), n.Name)
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					return nil, err
				}
				text := vs.Doc.Text()
				if text == "" {
					text = vs.Comment.Text()
				}
				out = append(out, enumValue{Name: n.Name, Value: value, Doc: clean(text)})
			}
		}
	}
	return out, nil
}

// implementations are the named types of t's package whose method sets
// include every method of interface t (unexported marker methods too), found
// in the source, so a new member of a closed union is not missed.
func (d *docs) implementations(t reflect.Type) ([]string, error) {
	p, err := d.pkg(t.PkgPath())
	if err != nil {
		return nil, err
	}
	var want []string
	for i := range t.NumMethod() {
		want = append(want, t.Method(i).Name)
	}
	var out []string
	for _, dt := range p.Types {
		have := map[string]bool{}
		for _, m := range dt.Methods {
			have[m.Name] = true
		}
		all := len(dt.Methods) > 0
		for _, m := range want {
			all = all && have[m]
		}
		if all && dt.Name != t.Name() {
			out = append(out, dt.Name)
		}
	}
	return out, nil
}

// clean trims a doc comment.
func clean(s string) string { return strings.TrimSpace(s) }

// ModuleRoot is the folder holding the go.mod of the module that contains
// the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
