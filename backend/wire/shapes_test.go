package wire

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A shape is a struct type's JSON field names, as encoding/json names
// them: the tag's name, or the field's when there is no tag.
type shape struct {
	where  string // file:line Type
	fields []string
}

func (s shape) key() string { return strings.Join(s.fields, ",") }

// shapesIn parses the non-test Go files of dir (and, with tree, of every
// folder below it but skip) and returns their struct types' shapes: named
// types, and anonymous ones declared in function bodies (a handler's
// `var body struct{…}`). Aliases are not declarations and are left out.
func shapesIn(t *testing.T, dir string, tree bool, skip func(string) bool) (named map[string]shape, all []shape) {
	t.Helper()
	named = map[string]shape{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (!tree || skip(path) || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var name string
			var st *ast.StructType
			switch n := n.(type) {
			case *ast.TypeSpec:
				if n.Assign.IsValid() {
					return false // an alias names a shape, it does not declare one
				}
				s, ok := n.Type.(*ast.StructType)
				if !ok {
					return true
				}
				name, st = n.Name.Name, s
			case *ast.StructType:
				st = n
			default:
				return true
			}
			var fields []string
			for _, fld := range st.Fields.List {
				tag := ""
				if fld.Tag != nil {
					v, _ := strconv.Unquote(fld.Tag.Value)
					tag, _, _ = strings.Cut(reflect.StructTag(v).Get("json"), ",")
				}
				switch {
				case tag == "-":
				case tag != "":
					fields = append(fields, tag)
				case len(fld.Names) == 0:
					fields = append(fields, "embeds "+types(fld.Type)) // promoted fields: a shape of its own
				default:
					for _, id := range fld.Names {
						if id.IsExported() {
							fields = append(fields, id.Name)
						}
					}
				}
			}
			slices.Sort(fields)
			rel, _ := filepath.Rel(dir, path)
			what := name
			if what == "" {
				what = "(a struct in a function)"
			}
			s := shape{where: rel + ":" + strconv.Itoa(fset.Position(st.Pos()).Line) + " " + what, fields: fields}
			if name != "" {
				named[name] = s
			}
			all = append(all, s)
			return name == "" // a named struct's own fields were read above
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return named, all
}

func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return types(e.X)
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	case *ast.Ident:
		return e.Name
	}
	return "?"
}

// Each shape that travels between the hub and its clients is declared
// here and nowhere else: no struct in the rest of the Go code has the
// JSON fields of one of this package's types, and the hub's clients (the
// Go client, the console) declare no type of the same name. The sandbox is
// left out on purpose: it is an independent implementation of Meta's
// side, whose shapes are Meta's, not ours.
func TestShapesAreDeclaredOnce(t *testing.T) {
	wireShapes, _ := shapesIn(t, ".", false, nil)
	byKey := map[string]string{}
	for name, s := range wireShapes {
		if len(s.fields) >= 2 {
			byKey[s.key()] = name
		}
	}
	if len(byKey) < 10 {
		t.Fatalf("only %d wire shapes found: is the test reading the right folder?", len(byKey))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", root)
	}
	skip := func(path string) bool {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		return rel == "backend/wire" || rel == "backend/sandbox" || rel == "frontend" || rel == "e2e" || rel == "build"
	}
	_, others := shapesIn(t, root, true, skip)
	if len(others) < 100 {
		t.Fatalf("only %d struct types found outside wire", len(others))
	}
	for _, s := range others {
		if name, ok := byKey[s.key()]; ok {
			t.Errorf("%s declares the fields of wire.%s (%s): use wire.%s", s.where, name, s.key(), name)
		}
	}
	for _, dir := range []string{"backend/hubclient", "backend/desktop"} {
		named, _ := shapesIn(t, filepath.Join(root, dir), true, func(string) bool { return false })
		for name, s := range named {
			if _, ok := wireShapes[name]; ok {
				t.Errorf("%s/%s declares %s, a wire shape's name: use wire.%s", dir, s.where, name, name)
			}
		}
	}
}

// The API (hubapi) and its Go client (hubclient) keep no body of their
// own: every struct they encode or decode is one of this package's (a
// shape the two declared each for itself is how client and server came
// to disagree), and neither writes a body as a map literal, which would
// be a shape declared nowhere. Their envelopes ({"data": …}) and the
// multipart form hubapi documents are the exceptions.
func TestAPIAndClientDeclareNoBodies(t *testing.T) {
	allowed := map[string]bool{
		"backend/hubapi.dataBody": true, "backend/hubapi.listBody": true, "backend/hubclient.envelope": true,
		"backend/hubapi.mediaUploadForm": true, // multipart form fields, documented in the OpenAPI document
	}
	// bodyCalls take a body as their last argument.
	bodyCalls := map[string]bool{"send": true, "writeData": true, "writeList": true, "writeJSON": true}
	seen := 0
	for _, dir := range []string{"backend/hubapi", "backend/hubclient"} {
		fset := token.NewFileSet()
		paths, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			seen++
			isMap := func(e ast.Expr) bool {
				cl, ok := e.(*ast.CompositeLit)
				if !ok {
					return false
				}
				_, ok = cl.Type.(*ast.MapType)
				return ok && len(cl.Elts) > 0
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if n == nil {
					return false
				}
				at := fset.Position(n.Pos())
				where := dir + "/" + filepath.Base(at.Filename) + ":" + strconv.Itoa(at.Line)
				switch n := n.(type) {
				case *ast.TypeSpec:
					st, ok := n.Type.(*ast.StructType)
					if !ok || allowed[dir+"."+n.Name.Name] {
						return true
					}
					for _, fld := range st.Fields.List {
						if fld.Tag != nil && strings.Contains(fld.Tag.Value, `json:"`) {
							t.Errorf("%s: %s is a JSON body declared outside package wire: move it there", where, n.Name.Name)
							break
						}
					}
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && id.Name == "body" && isMap(n.Value) {
						t.Errorf("%s: a request body written as a map literal: give it a wire type", where)
					}
				case *ast.CallExpr:
					fn := n.Fun
					if ix, ok := fn.(*ast.IndexExpr); ok {
						fn = ix.X
					}
					name := ""
					switch fn := fn.(type) {
					case *ast.Ident:
						name = fn.Name
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					}
					if bodyCalls[name] && len(n.Args) > 0 && isMap(n.Args[len(n.Args)-1]) {
						t.Errorf("%s: a body written as a map literal (%s): give it a wire type", where, name)
					}
				}
				return true
			})
		}
	}
	if seen < 10 {
		t.Fatalf("only %d files read: is the test reading the right folders?", seen)
	}
}
