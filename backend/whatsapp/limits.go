package whatsapp

import "unicode/utf8"

// Meta's limits on what a business sends are defined here, once: the hub
// validates against them (Validate, ValidateTemplateSend,
// ValidateTemplateDefinition, UploadMedia), the console checks drafts
// against them before queueing, and the frontend gets them from generated
// code (app/internal/tsgen writes frontend/src/lib/generated/limits.ts).
// The sandbox keeps its own copy on purpose: it is an independent
// implementation of Meta's side.
//
// Text lengths are counted in Unicode code points (Go runes, as
// utf8.RuneCountInString counts them), the unit Meta counts in: "é" is
// one, an emoji such as "😀" is one (two UTF-16 code units in
// JavaScript), a family emoji joined by ZWJs is several.

// Meta's limits on outbound messages and templates, in characters (Unicode
// code points), each from the Cloud API reference for that message type or
// template component.
const (
	MaxTextBody           = 4096 // text.body
	MaxCaption            = 1024 // image, video and document captions
	MaxFilename           = 240  // document.filename
	MaxReplyButtonTitle   = 20   // interactive reply.title
	MaxReplyButtonID      = 256  // interactive reply.id
	MaxButtonBody         = 1024 // interactive button, location request and cta_url body
	MaxListBody           = 4096 // interactive list body
	MaxHeaderText         = 60   // interactive header text; a template's text header
	MaxFooterText         = 60   // interactive footer text; a template's footer
	MaxListButtonText     = 20   // list action.button
	MaxListSectionTitle   = 24   // list section title
	MaxListRowTitle       = 24   // list row title
	MaxListRowDescription = 72   // list row description
	MaxListRowID          = 200  // list row id
	MaxCTADisplayText     = 20   // cta_url display_text
	MaxReactionEmoji      = 16   // reaction.emoji: one emoji, however many code points it joins
	MaxBizOpaqueData      = 512  // biz_opaque_callback_data
	MaxCouponCode         = 15   // a template's copy-code button parameter
	MaxTemplateBody       = 1024 // a template's BODY text
	MaxTemplateName       = 512  // a template's name (lowercase letters, digits and underscores)
)

// Meta's limits on how many of something a message holds (counts, not
// characters).
const (
	MaxReplyButtons        = 3  // interactive button: action.buttons
	MaxListSections        = 10 // list sections
	MaxListRows            = 10 // list rows, all sections together
	MaxTemplateButtons     = 10 // a template's BUTTONS component
	MaxTemplateButtonIndex = 9  // template buttons are indexed 0..9
)

// Meta's size limits per media kind, in bytes.
const (
	MaxImageBytes           = 5 << 20
	MaxVideoBytes           = 16 << 20
	MaxAudioBytes           = 16 << 20
	MaxDocumentBytes        = 100 << 20
	MaxStickerBytes         = 100 << 10 // static sticker
	MaxAnimatedStickerBytes = 500 << 10
)

// chars counts characters as Meta does: Unicode code points, not bytes
// (and not UTF-16 code units, as JavaScript's String.length does).
func chars(s string) int { return utf8.RuneCountInString(s) }

// TextLength is the length of s in the unit of every text limit above:
// Unicode code points. Callers outside this package (the console's
// checks before queueing) count with it, so they cannot count otherwise.
func TextLength(s string) int { return chars(s) }
