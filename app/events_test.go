package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/backend/desktop/syncer"
)

func TestEventTable(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Events {
		if seen[e.Name] {
			t.Errorf("%s is in the table twice", e.Name)
		}
		seen[e.Name] = true
		if e.Payload == nil || e.Doc == "" {
			t.Errorf("%s needs a payload type and a doc", e.Name)
		}
	}
}

// TestEveryEmittedEventIsInTheTable reads every Emit call in app/ and
// backend/desktop/ (tests aside) and resolves its event name, which must be
// a constant, to its value: each must be in Events, so the frontend knows
// every event Go sends. The one call that emits a name it did not write
// down is the syncer forwarding the hub's events, which emits only those
// in syncer.Forwarded. Conversely every name in the table must be emitted
// somewhere, or the frontend would subscribe to something nothing sends.
func TestEveryEmittedEventIsInTheTable(t *testing.T) {
	src := parseGo(t, "..", "app", "backend/desktop", "backend/domain")
	inTable := func(name string) bool {
		return slices.ContainsFunc(Events, func(e Event) bool { return e.Name == name })
	}
	emitted := map[string]bool{}
	for _, name := range syncer.Forwarded() {
		emitted[name] = true
		if !inTable(name) {
			t.Errorf("the syncer forwards %s, which app/events.go does not list", name)
		}
	}
	calls := 0
	for _, f := range src.files {
		if f.pkg == "switchboard/backend/domain" {
			continue
		}
		for _, decl := range f.ast.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Emit" {
					return true
				}
				calls++
				at := src.fset.Position(call.Pos())
				name, ok := src.constant(f, call.Args[0])
				switch {
				case ok:
					emitted[name] = true
					if !inTable(name) {
						t.Errorf("%s emits %q, which app/events.go does not list: add it there with its payload type", at, name)
					}
				case fn.Name.Name == "Emit":
					// A forwarder (the platform slot, the Wails platform).
				case f.pkg == "switchboard/backend/desktop/syncer" && fn.Name.Name == "apply":
					// The syncer's forward of syncer.Forwarded, checked above.
				default:
					t.Errorf("%s emits a name that is not a constant: write it as one of the constants in app/events.go's table", at)
				}
				return true
			})
		}
	}
	if calls < 10 {
		t.Fatalf("found only %d Emit calls: the scan is broken", calls)
	}
	for _, e := range Events {
		if !emitted[e.Name] {
			t.Errorf("app/events.go lists %s, which nothing emits", e.Name)
		}
	}
}

// goSource is the non-test Go files of some directories, parsed, with
// their string constants.
type goSource struct {
	fset   *token.FileSet
	files  []goFile
	consts map[string]goConst // by "import/path.Name"
}

type goFile struct {
	pkg string // import path
	ast *ast.File
}

type goConst struct {
	file  goFile
	value ast.Expr
}

// parseGo parses the Go files under each dir (relative to the module root
// root, recursively), tests aside.
func parseGo(t *testing.T, root string, dirs ...string) *goSource {
	t.Helper()
	src := &goSource{fset: token.NewFileSet(), consts: map[string]goConst{}}
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(src.fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			gf := goFile{pkg: path.Join("switchboard", filepath.ToSlash(rel)), ast: f}
			src.files = append(src.files, gf)
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if i < len(vs.Values) {
							src.consts[gf.pkg+"."+id.Name] = goConst{gf, vs.Values[i]}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// constant is the value of a string constant expression written in f: a
// literal, a constant of f's package or one of a package it imports.
func (s *goSource) constant(f goFile, e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		v, err := strconv.Unquote(e.Value)
		return v, err == nil && e.Kind == token.STRING
	case *ast.Ident:
		c, ok := s.consts[f.pkg+"."+e.Name]
		if !ok {
			return "", false
		}
		return s.constant(c.file, c.value)
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := path.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name != x.Name {
				continue
			}
			c, ok := s.consts[p+"."+e.Sel.Name]
			if !ok {
				return "", false
			}
			return s.constant(c.file, c.value)
		}
	}
	return "", false
}
