package app

import (
	"log/slog"

	"switchboard/backend/apierr"
)

// FormatError is the Wails ErrorFormatter (options.App.ErrorFormatter): a
// bound method's error reaches JavaScript as the same body the hub answers
// inside its error envelope — {code, message, doc_url, field} — so the
// frontend handles errors from the hub and from Go bindings alike
// (frontend/src/lib/errors.ts). Errors without a code become INTERNAL and
// their text is logged here, never shown.
func FormatError(err error) any {
	if err == nil {
		return nil
	}
	e := apierr.As(err)
	if e.Code == apierr.Internal && e.Err != nil {
		slog.Error("bound method failed", "err", e.Err)
	}
	return e.Envelope().Error
}
