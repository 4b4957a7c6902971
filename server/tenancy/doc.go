// Package tenancy resolves a client id to its own PostgreSQL database.
//
// The Manager is the only code that opens a tenant database. It keeps one
// small pool per tenant and at most MaxConns/PoolSize pools at once, closing
// the least recently used idle pool to make room and waiting while every pool
// is busy, so tenant connections stay within a fixed budget below the
// server's max_connections. Callers borrow a pool with Acquire and give it
// back with Lease.Release; a pool is never closed while a lease is out.
//
// A pool opens only for a client whose Directory target is "ready". Failures
// carry apperr codes: NOT_FOUND, CLIENT_NOT_READY and TENANT_UNAVAILABLE.
//
// When a client's DSN or status changes, Invalidate drops its pool on this
// instance, and NotifyInvalidation reaches every instance that runs
// ListenInvalidations on the same platform database.
package tenancy
