package main

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"switchboard/backend/desktop/cache"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// limit is a Go constant limits.ts carries, named as in Go (the TypeScript
// name is its upper snake case) and read by value, so a renamed or removed
// constant stops the build here.
type limit struct {
	pkg, name string // package directory (relative to the module root) and constant
	value     int64
}

// limits are the ones the frontend checks before Go does.
var limits = []limit{
	{"backend/whatsapp", "MaxTextBody", whatsapp.MaxTextBody},
	{"backend/whatsapp", "MaxCaption", whatsapp.MaxCaption},
	{"backend/whatsapp", "MaxImageBytes", whatsapp.MaxImageBytes},
	{"backend/whatsapp", "MaxVideoBytes", whatsapp.MaxVideoBytes},
	{"backend/whatsapp", "MaxAudioBytes", whatsapp.MaxAudioBytes},
	{"backend/whatsapp", "MaxDocumentBytes", whatsapp.MaxDocumentBytes},
	{"backend/whatsapp", "MaxAnimatedStickerBytes", whatsapp.MaxAnimatedStickerBytes},
}

// enum is a Go string type whose constants enums.ts lists.
type enum struct {
	typ        reflect.Type
	name, list string // the TypeScript union and the array of its values
}

// enums are the ones the UI offers (filters, menus) or switches on.
var enums = []enum{
	{reflect.TypeFor[domain.ConversationStatus](), "ConversationStatus", "CONVERSATION_STATUSES"},
	{reflect.TypeFor[domain.MessageStatus](), "MessageStatus", "MESSAGE_STATUSES"},
	{reflect.TypeFor[cache.Tab](), "InboxTab", "INBOX_TABS"},
}

func limitsFile(root string, _ models) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// WhatsApp's limits as Go enforces them. Characters are Unicode code points:\n")
	b.WriteString("// count them with textLength (lib/text.ts), as Go does, never with .length.\n")
	pkgs := map[string]*goPackage{}
	for _, l := range limits {
		p, ok := pkgs[l.pkg]
		if !ok {
			var err error
			if p, err = parsePackage(filepath.Join(root, l.pkg)); err != nil {
				return nil, err
			}
			pkgs[l.pkg] = p
		}
		doc, ok := p.constDoc(l.name)
		if !ok {
			return nil, fmt.Errorf("%s has no constant %s", l.pkg, l.name)
		}
		fmt.Fprintf(&b, "\n%sexport const %s = %d;\n", docComment("", p.name+"."+doc), upperSnake(l.name), l.value)
	}
	return b.Bytes(), nil
}

func enumsFile(root string, _ models) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// The values of Go's string enums. The models type these fields as string: a\n")
	b.WriteString("// newer hub may send a value this build does not know, so switches need a default.\n")
	for _, e := range enums {
		dir := strings.TrimPrefix(e.typ.PkgPath(), "switchboard/")
		p, err := parsePackage(filepath.Join(root, dir))
		if err != nil {
			return nil, err
		}
		values := p.enumValues(e.typ.Name())
		if len(values) == 0 {
			return nil, fmt.Errorf("%s has no constants", e.typ)
		}
		quoted := make([]string, len(values))
		for i, v := range values {
			quoted[i] = quote(v)
		}
		doc := e.typ.String()
		if d := p.typeDoc(e.typ.Name()); d != "" {
			doc += ": " + d
		}
		fmt.Fprintf(&b, "\n%sexport const %s = [%s] as const;\n", docComment("", doc), e.list, strings.Join(quoted, ", "))
		fmt.Fprintf(&b, "export type %s = (typeof %s)[number];\n", e.name, e.list)
	}
	return b.Bytes(), nil
}

// goPackage is a package's non-test files, parsed with comments.
type goPackage struct {
	name  string
	files []*ast.File
}

func parsePackage(dir string) (*goPackage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &goPackage{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.name = f.Name.Name
		p.files = append(p.files, f)
	}
	return p, nil
}

// constDoc describes constant name: the name, its line comment in
// parentheses, then its own doc or its group's.
func (p *goPackage) constDoc(name string) (string, bool) {
	for _, gd := range p.decls(token.CONST) {
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for _, id := range vs.Names {
				if id.Name != name {
					continue
				}
				doc := name
				if vs.Comment != nil {
					doc += " (" + oneParagraph(vs.Comment.Text()) + ")"
				}
				if c := cmp.Or(vs.Doc, gd.Doc); c != nil {
					doc += ": " + strings.TrimPrefix(oneParagraph(c.Text()), name+" is ")
				}
				return doc, true
			}
		}
	}
	return "", false
}

// enumValues are the string constants declared with type typeName, in
// source order.
func (p *goPackage) enumValues(typeName string) []string {
	var out []string
	for _, gd := range p.decls(token.CONST) {
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typeName {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// typeDoc is type typeName's doc comment, without its leading name.
func (p *goPackage) typeDoc(typeName string) string {
	for _, gd := range p.decls(token.TYPE) {
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			if ts.Name.Name != typeName {
				continue
			}
			c := ts.Doc
			if c == nil {
				c = gd.Doc
			}
			if c == nil {
				return ""
			}
			return strings.TrimPrefix(oneParagraph(c.Text()), typeName+" is ")
		}
	}
	return ""
}

func (p *goPackage) decls(tok token.Token) []*ast.GenDecl {
	var out []*ast.GenDecl
	for _, f := range p.files {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == tok {
				out = append(out, gd)
			}
		}
	}
	return out
}

// oneParagraph is a comment's first paragraph on one line.
func oneParagraph(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n\n")
	return strings.Join(strings.Fields(s), " ")
}
