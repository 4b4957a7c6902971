package auth

import (
	"testing"
	"time"
)

func TestLimiter_allowsBurstThenWaits(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(3)
	l.now = func() time.Time { return now }

	for i := range 3 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatalf("attempt %d of a burst of 3 was denied", i+1)
		}
	}
	ok, wait := l.Allow("k")
	if ok {
		t.Fatal("fourth attempt within a minute was allowed")
	}
	// 3 a minute refill one token every 20 s.
	if wait <= 0 || wait > 20*time.Second {
		t.Errorf("wait = %v, want up to 20s", wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Error("another key shares the exhausted bucket")
	}
	now = now.Add(wait)
	if ok, _ := l.Allow("k"); !ok {
		t.Errorf("attempt after the advertised wait of %v was denied", wait)
	}
}

func TestLimiter_deniedAttemptsDoNotConsume(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(1)
	l.now = func() time.Time { return now }
	l.Allow("k")
	for range 5 {
		l.Allow("k")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow("k"); !ok {
		t.Error("denied attempts used up tokens, so a minute later the key is still limited")
	}
}

func TestLimiter_zeroAllowsEverything(t *testing.T) {
	l := NewLimiter(0)
	for range 1000 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("a limiter of 0 denied an attempt")
		}
	}
}

func TestLimiter_dropsIdleBuckets(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(10)
	l.now = func() time.Time { return now }
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k)
	}
	now = now.Add(2 * time.Minute)
	l.Allow("d")
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets after the others idled two minutes, want 1", n)
	}
}

func TestRetryAfterSeconds_roundsUp(t *testing.T) {
	cases := map[time.Duration]int{0: 1, time.Millisecond: 1, 1500 * time.Millisecond: 2,
		20 * time.Second: 20}
	for d, want := range cases {
		if got := RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}
