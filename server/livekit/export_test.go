package livekit

import "time"

// SetPendingWindows shortens the pending-dispatch windows so that tests need
// not wait the 15 s defaults.
func (s *Service) SetPendingWindows(launch, join time.Duration) {
	s.launchWindow = launch
	s.joinWindow = join
}
