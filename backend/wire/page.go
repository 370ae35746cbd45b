package wire

// Page is one page of a cursor-paginated list, as every layer hands it
// on: the store reads it, the hub's services return it, the API writes it
// as {"data": Items, "pagination": {next_cursor, has_more}} (Pagination),
// and the Go client reads it back.
type Page[T any] struct {
	Items []T
	// NextCursor is passed back (?cursor=) for the next page; empty when
	// there is none.
	NextCursor string
	HasMore    bool
}
