// Package ledger keeps lanattach's durable record of what it made in the
// network namespace it runs in, and the lock that serialises runs there.
//
// The record is a small write-ahead journal under Root (/run/lanattach, a
// tmpfs that dies with the links it describes at reboot): one JSON file per
// attachment, written to a temporary file, synced and renamed into place
// before each kernel change it announces, so that a reader never sees a
// half-written entry. Each run holds an flock on a file of its own for as
// long as it runs; a record whose run lock can be taken belongs to a run
// that is gone (killed, or finished). The kernel stays the truth: callers
// reconcile every record with the links they find.
//
// Records are kept per network namespace (a directory named after the
// namespace's cookie), since runs in different namespaces see different
// parents. Deleting Root is safe: lanattach then falls back to the marks it
// puts on the links it makes.
//
// The package owns files only: it never talks to the kernel's network
// configuration and knows nothing of flags.
package ledger
