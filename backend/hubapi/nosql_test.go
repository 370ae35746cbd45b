package hubapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoStorageInHTTPLayer keeps this package a pure adapter: no file but
// tests may import database/sql or the SQLite packages, or call a
// database method. Users, tokens, webhooks, deliveries and uploads are the
// hub's (package hub, over store.Store).
func TestNoStorageInHTTPLayer(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbiddenImports := []string{"database/sql", "switchboard/backend/sqlitedb", "switchboard/backend/hub/sqlitestore"}
	// database/sql's methods; the ...Context ones are spelled in parts so
	// that grepping this package for them finds nothing at all.
	forbiddenCalls := map[string]bool{"Exec": true, "QueryRow": true, "Prepare": true, "Begin": true, "BeginTx": true}
	for _, m := range []string{"Exec", "Query", "QueryRow", "Prepare"} {
		forbiddenCalls[m+"Context"] = true
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbiddenImports {
				if path == bad || strings.HasPrefix(path, bad+"/") {
					t.Errorf("%s imports %s: storage belongs to the hub (package hub over store.Store)", fset.Position(imp.Pos()), path)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && forbiddenCalls[sel.Sel.Name] {
				t.Errorf("%s calls %s: run queries through a hub service", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no files checked")
	}
}
