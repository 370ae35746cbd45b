package hubapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// schemaGen derives JSON Schemas (OpenAPI 3.1 dialect) from the Go types
// the handlers actually encode and decode, so the document cannot drift
// from the wire format field by field.
type schemaGen struct {
	defs map[string]any
	// input marks request bodies: their fields are optional in the
	// schema (each route's description says which are required) and
	// their components are named …Input.
	input bool
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// schema returns the schema for t, registering named structs under
// components.schemas and answering a $ref to them.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"description": "Any JSON value (a Cloud API object, passed through as it is)."}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := schemaName(t)
		if g.input && !strings.HasSuffix(name, "Input") {
			name += "Input"
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // break recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// schemaName is the component name: the Go type name, prefixed by its
// package when it is not this one's (or wire's, which holds this
// package's bodies), to keep names unique.
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	name := t.Name()
	if strings.HasSuffix(pkg, "/hubapi") || strings.HasSuffix(pkg, "/backend/wire") {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	parts := strings.Split(pkg, "/")
	p := parts[len(parts)-1]
	if p == "domain" {
		return name
	}
	return strings.ToUpper(p[:1]) + p[1:] + name
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !g.input && !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}
