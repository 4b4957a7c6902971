package tenancy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// InvalidationChannel is the PostgreSQL NOTIFY channel whose payload is the id
// of a client whose cached tenant pools every instance must drop.
const InvalidationChannel = "sidekick_tenant_invalidate"

const (
	// listenProbeInterval is how long the listener waits for a notification
	// before it pings itself. A missing reply after another interval marks the
	// connection dead, which also catches a half-open TCP connection.
	listenProbeInterval = 30 * time.Second
	// listenReadyInterval is how often the listener repeats its first ping,
	// which can arrive before the server has processed LISTEN.
	listenReadyInterval = time.Second
	listenPingTimeout   = 5 * time.Second
	listenMinBackoff    = 100 * time.Millisecond
	listenMaxBackoff    = 30 * time.Second
)

// NotifyInvalidation makes every Manager that runs ListenInvalidations on the
// same platform database, the sender's own included, drop the cached pool
// of clientID. Inside a transaction PostgreSQL delivers the notification at
// commit, so send it in the transaction that changes the client's DSN or status.
func NotifyInvalidation(ctx context.Context, db bun.IDB, clientID uuid.UUID) error {
	_, err := db.ExecContext(ctx, "SELECT pg_notify(?, ?)", InvalidationChannel, clientID.String())
	if err != nil {
		return fmt.Errorf("notify tenant invalidation of client %s: %w", clientID, err)
	}
	return nil
}

// ListenInvalidations listens on InvalidationChannel of the platform database
// and invalidates the pool of every client id it receives. It runs until ctx
// ends and then returns nil. A lost connection is logged and reopened with
// exponential backoff from 100ms to 30s. Every new connection drops all cached
// pools, because notifications sent while it was down are lost.
//
// platform must use pgdriver. The listener holds one connection of its own and
// sends its health pings through platform's pool.
func (m *Manager) ListenInvalidations(ctx context.Context, platform *bun.DB) error {
	if _, ok := platform.Driver().(pgdriver.Driver); !ok {
		return errors.New("listen for tenant invalidations: platform database must use pgdriver")
	}

	ln := &invalidationListener{m: m, platform: platform, pingChannel: newPingChannel()}
	backoff := listenMinBackoff
	for {
		ready, err := ln.session(ctx)
		m.setListening(false)
		if ctx.Err() != nil {
			m.log.Info("tenant invalidation listener stopped")
			return nil
		}
		if ready {
			backoff = listenMinBackoff
		}

		m.log.Warn("tenant invalidation listener disconnected; reconnecting",
			"error", err, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			m.log.Info("tenant invalidation listener stopped")
			return nil
		}
		backoff = min(backoff*2, listenMaxBackoff)
	}
}

// newPingChannel returns a channel name private to one listener, so its pings
// reach no other instance.
func newPingChannel() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "sidekick_tenant_ping_" + hex.EncodeToString(b[:])
}

type invalidationListener struct {
	m           *Manager
	platform    *bun.DB
	pingChannel string
}

// session runs one listener connection until it fails or ctx ends. It reports
// whether the connection became ready, that is, received its own first ping.
func (l *invalidationListener) session(ctx context.Context) (ready bool, err error) {
	ln := pgdriver.NewListener(l.platform)
	// Receive does not watch ctx, so closing the listener is what interrupts it.
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer func() {
		stop()
		_ = ln.Close()
	}()

	if err := ln.Listen(ctx, InvalidationChannel, l.pingChannel); err != nil {
		return false, fmt.Errorf("listen on %s: %w", InvalidationChannel, err)
	}
	if err := l.ping(ctx); err != nil {
		return false, err
	}

	start := time.Now()
	pending := true // a ping was sent and has not come back yet
	for {
		timeout := listenProbeInterval
		if !ready {
			timeout = listenReadyInterval
		}

		channel, payload, err := ln.ReceiveTimeout(ctx, timeout)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			if ready && pending {
				return ready, fmt.Errorf("listener ping timed out after %s", timeout)
			}
			if !ready && time.Since(start) > listenProbeInterval {
				return ready, fmt.Errorf(
					"listener ping timed out after %s; LISTEN may not be active", listenProbeInterval)
			}
			if err := l.ping(ctx); err != nil {
				return ready, err
			}
			pending = true
		case err != nil:
			return ready, fmt.Errorf("receive notification: %w", err)
		case channel == l.pingChannel:
			pending = false
			if !ready {
				ready = true
				l.becameReady()
			}
		default:
			l.m.invalidatePayload(payload)
		}
	}
}

func (l *invalidationListener) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, listenPingTimeout)
	defer cancel()

	if _, err := l.platform.ExecContext(ctx, "SELECT pg_notify(?, '')", l.pingChannel); err != nil {
		return fmt.Errorf("ping tenant invalidation listener: %w", err)
	}
	return nil
}

// becameReady drops every cached pool once LISTEN is known to be active, so
// no change is missed between the old connection's loss and this one.
func (l *invalidationListener) becameReady() {
	l.m.setListening(true)
	dropped := l.m.invalidateAll()
	l.m.log.Info("tenant invalidation listener connected",
		"channel", InvalidationChannel, "dropped_pools", dropped)
}

func (m *Manager) invalidatePayload(payload string) {
	clientID, err := uuid.Parse(payload)
	if err != nil {
		m.log.Warn("ignoring tenant invalidation with a payload that is not a client id",
			"channel", InvalidationChannel, "payload_len", len(payload))
		return
	}
	m.Invalidate(clientID)
}

func (m *Manager) setListening(connected bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if connected && !m.listener.connected {
		m.listener.connects++
	}
	m.listener.connected = connected
}
