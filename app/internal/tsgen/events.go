package main

import (
	"bytes"
	"fmt"
	"reflect"

	"switchboard/app"
	"switchboard/backend/whatsapp"
)

// eventsFile renders events.ts from app.Events.
func eventsFile(_ string, m models) ([]byte, error) {
	ts := newTypeScript(m)
	var names, payloads bytes.Buffer
	for _, e := range app.Events {
		typ, err := ts.expr(e.Payload)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		doc := docComment("  ", e.Doc)
		fmt.Fprintf(&names, "%s  %s: %s,\n", doc, camel(e.Name), quote(e.Name))
		fmt.Fprintf(&payloads, "%s  %s: %s;\n", doc, quote(e.Name), typ)
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// From app/events.go, the one table of the events Go sends the frontend.\n\n")
	b.WriteString(importLine(ts.imports, "../../../wailsjs/go/models"))
	b.WriteString("\n/** The events Go sends the frontend, by name. Subscribe with on() from lib/events.ts. */\n")
	b.WriteString("export const EVENTS = {\n")
	b.Write(names.Bytes())
	b.WriteString("} as const;\n\n")
	b.WriteString("/** The name of an event Go sends. */\n")
	b.WriteString("export type EventName = (typeof EVENTS)[keyof typeof EVENTS];\n\n")
	b.WriteString("/** Each event's payload: the Go type app/events.go gives it, as JSON. */\n")
	b.WriteString("export interface EventPayloads {\n")
	b.Write(payloads.Bytes())
	b.WriteString("}\n")
	for _, d := range ts.decls {
		b.WriteString("\n" + d)
	}
	return b.Bytes(), nil
}

// rawTypes are the Go types of JSON the models carry raw (json.RawMessage,
// typed unknown) that the UI reads: domain.Template.Components holds
// Meta's template components.
var rawTypes = []reflect.Type{
	reflect.TypeFor[whatsapp.TemplateComponentDef](),
}

// typesFile renders types.ts from rawTypes.
func typesFile(_ string, m models) ([]byte, error) {
	ts := newTypeScript(m)
	for _, t := range rawTypes {
		if _, err := ts.expr(t); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// Go types of JSON the models carry raw (unknown) that the UI reads.\n")
	// A raw type a bound method also carries is in the Wails models (the
	// template types are, since CheckTemplateDraft takes one): then there
	// is nothing to declare, and nothing to import.
	if len(ts.decls) > 0 {
		b.WriteString(importLine(ts.imports, "../../../wailsjs/go/models"))
	}
	for _, d := range ts.decls {
		b.WriteString("\n" + d)
	}
	return b.Bytes(), nil
}
