package sqlitestore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
)

// Write-behind of the high-volume inserts.
//
// A webhook batch inserts, per message, a raw body and one or two events.
// Each statement costs a round through the driver (bind, step, reset)
// besides its b-tree work, so the transaction buffers those rows and writes
// them as multi-row INSERTs: before any statement that may read or change
// those tables (every statement not marked direct), before a savepoint is
// taken, released or rolled back, and before the commit. Rows get their ids
// here, as SQLite would give them (the largest id plus one; for events, past
// the AUTOINCREMENT high-water mark too): the caller learns them at once, and
// the single writer means nobody else allocates ids meanwhile.
//
// Only rows that cannot fail for a caller's reason are buffered: raw bodies
// and events have no unique key and reference nothing. A failure while
// flushing is a bug or an I/O error, and fails the transaction. Messages are
// not buffered: their foreign key would make every multi-row INSERT keep a
// statement journal, which costs more than it saves. The statements INSERT
// OR FAIL for the same reason: under the default ABORT a NOT NULL check
// needs a statement journal; the transaction is rolled back on any failure
// anyway.

// pendingTable is one table's buffered rows.
type pendingTable struct {
	table  string // name, for the id query
	prefix string // INSERT INTO t (id, cols...) VALUES
	cols   int    // columns per row, id included
	nextQ  string // query answering the next id
	next   int64  // next id to hand out; 0 = not known (ask nextQ)
	args   []any  // buffered rows' values, flattened
	rows   int
}

func newPending(table, cols, nextQ string) *pendingTable {
	return &pendingTable{table: table, prefix: `INSERT OR FAIL INTO ` + table + ` (` + cols + `) VALUES `,
		cols: strings.Count(cols, ",") + 1, nextQ: nextQ}
}

// chunkSizes are the multi-row statements prepared per table: a flush of n
// rows uses the largest that fit, so at most len(chunkSizes) statements
// finish any n. 32 rows per statement already amortise the per-statement
// cost (more measure the same).
var chunkSizes = []int{32, 8, 1}

func (p *pendingTable) query(rows int) string {
	row := "(?" + strings.Repeat(", ?", p.cols-1) + ")"
	return p.prefix + row + strings.Repeat(", "+row, rows-1)
}

// pending is a transaction's write-behind state. It lives on the writer
// connection and is reset by every transaction.
type pending struct {
	raw, events *pendingTable
	queries     map[*pendingTable][]string // per chunk size
	n           int                        // rows buffered, all tables
}

func newPendingState() *pending {
	p := &pending{
		raw: newPending("webhook_bodies", `id, received_at, body, signature, state, error`,
			`SELECT COALESCE(MAX(id), 0) + 1 FROM webhook_bodies`),
		// AUTOINCREMENT: never reuse a seq, even one pruned away.
		events: newPending("events", `seq, type, conversation_id, assignee_id, prev_assignee_id, at, data, account_unconfigured`,
			`SELECT MAX(COALESCE((SELECT MAX(seq) FROM events), 0),
				COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)) + 1`),
		queries: make(map[*pendingTable][]string),
	}
	for _, t := range p.tables() {
		qs := make([]string, len(chunkSizes))
		for i, n := range chunkSizes {
			qs[i] = t.query(n)
		}
		p.queries[t] = qs
	}
	return p
}

// tables in flush order (none references another).
func (p *pending) tables() []*pendingTable { return []*pendingTable{p.raw, p.events} }

// reset forgets buffered rows and known ids (a new transaction, or a
// rollback: ids handed out since may be free again).
func (p *pending) reset() {
	for _, t := range p.tables() {
		clear(t.args)
		t.args, t.rows, t.next = t.args[:0], 0, 0
	}
	p.n = 0
}

// forgetIDs drops the known next ids (after deletes: SQLite reuses the ids of
// deleted last rows, and the buffer must agree with it).
func (p *pending) forgetIDs() {
	for _, t := range p.tables() {
		if t.rows == 0 {
			t.next = 0
		}
	}
}

// add buffers one row (values without the id) and returns its id.
func (t *txn) add(pt *pendingTable, vals ...any) (int64, error) {
	if pt.next == 0 {
		rows, err := t.queryDirect(pt.nextQ)
		if err != nil {
			return 0, err
		}
		if len(rows) != 1 {
			return 0, errors.New("sqlitestore: no next id for " + pt.table)
		}
		if pt.next, err = asInt(rows[0][0]); err != nil {
			return 0, err
		}
	}
	id := pt.next
	pt.next++
	pt.args = append(pt.args, id)
	pt.args = append(pt.args, vals...)
	pt.rows++
	t.w.pend.n++
	return id, nil
}

// flush writes every buffered row.
func (t *txn) flush() error {
	p := t.w.pend
	if p.n == 0 {
		return nil
	}
	for _, pt := range p.tables() {
		off := 0
		for pt.rows > 0 {
			i := 0
			for chunkSizes[i] > pt.rows {
				i++
			}
			n := chunkSizes[i]
			end := off + n*pt.cols
			if _, err := t.execDirect(p.queries[pt][i], pt.args[off:end]...); err != nil {
				p.reset()
				return err
			}
			off = end
			pt.rows -= n
		}
		clear(pt.args)
		pt.args = pt.args[:0]
	}
	p.n = 0
	return nil
}

// directQueries are the statements that neither read nor change the
// buffered tables (raw bodies, events; no triggers or cascades reach them),
// so they run without flushing the buffer: the hot path's message inserts,
// lookups and conversation updates.
var directQueries = map[string]bool{}

// direct registers a statement (see reg) that runs without flushing.
func direct(q string) string {
	directQueries[q] = true
	return q
}

// FlushWrites writes the rows the transaction buffered, so that a failure
// among them is reported now (the hub calls it to tell one operation's
// failure from another's).
func (t *txn) FlushWrites() error { return t.flush() }

// queryDirect runs a query without flushing the buffer first.
func (t *txn) queryDirect(query string, args ...any) ([]rowValues, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	t.nv = named(t.nv, args)
	rows, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), t.nv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := len(rows.Columns())
	var out []rowValues
	for {
		vals := make(rowValues, n)
		if err := rows.Next(vals); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		out = append(out, vals)
	}
}

// execDirect runs a statement without flushing the buffer first.
func (t *txn) execDirect(query string, args ...any) (execResult, error) {
	st, err := t.stmt(query)
	if err != nil {
		return execResult{}, err
	}
	// The driver copies the arguments while binding, so one argument
	// buffer serves every statement of the transaction.
	t.nv = named(t.nv, args)
	res, err := st.(driver.StmtExecContext).ExecContext(context.Background(), t.nv)
	if err != nil {
		return execResult{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return execResult{}, err
	}
	id, err := res.LastInsertId()
	return execResult{affected: n, lastID: id}, err
}
