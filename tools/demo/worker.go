package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/livekit/agentworker"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// The reference worker decodes what the platform sends it with the
// platform's own types, so the two cannot drift apart.
type (
	// DispatchMetadata is the metadata of the worker's dispatch.
	DispatchMetadata = trigger.DispatchMetadata
	// WorkerConfig is the body of GET config_url, the only platform
	// response that contains provider keys.
	WorkerConfig = trigger.WorkerConfig
)

// ReceivedJob is the job, dispatch metadata and configuration that the
// reference worker received for one job.
type ReceivedJob struct {
	Job      agentworker.Job
	Metadata DispatchMetadata
	Config   WorkerConfig
	// FetchedAt is when the configuration arrived, before the agent joined.
	FetchedAt time.Time
}

// referenceWorker fetches the worker configuration of every job before its
// agent joins the room, as a real Sidekick Forge agent worker does, and
// hands each outcome to received.
type referenceWorker struct {
	http     *http.Client
	received chan jobOutcome
}

// jobOutcome is a received job, or the reason the worker failed it.
type jobOutcome struct {
	job ReceivedJob
	err error
}

func newReferenceWorker() *referenceWorker {
	return &referenceWorker{
		http:     &http.Client{Timeout: 10 * time.Second},
		received: make(chan jobOutcome, 8),
	}
}

// onJob is the agentworker.Options.OnJob of the reference worker. An error
// fails the job, so the agent does not join without its configuration.
func (w *referenceWorker) onJob(ctx context.Context, job agentworker.Job) error {
	received, err := w.receive(ctx, job)
	select {
	case w.received <- jobOutcome{job: received, err: err}:
	default:
		// More jobs than the demo reads; the outcome still decides the job.
	}
	return err
}

func (w *referenceWorker) receive(ctx context.Context, job agentworker.Job) (ReceivedJob, error) {
	out := ReceivedJob{Job: job}
	if err := json.Unmarshal([]byte(job.Metadata), &out.Metadata); err != nil {
		return out, fmt.Errorf("decode dispatch metadata: %w", err)
	}
	if out.Metadata.ConfigURL == "" || out.Metadata.WorkerToken == "" {
		return out, fmt.Errorf("dispatch metadata has no config_url or worker_token")
	}
	cfg, err := w.fetchConfig(ctx, out.Metadata)
	if err != nil {
		return out, err
	}
	out.Config = *cfg
	out.FetchedAt = time.Now()
	return out, nil
}

func (w *referenceWorker) fetchConfig(ctx context.Context, meta DispatchMetadata) (*WorkerConfig,
	error) {
	u, err := url.Parse(meta.ConfigURL)
	if err != nil {
		return nil, fmt.Errorf("parse config_url: %w", err)
	}
	if err := requireLoopback("config_url host", u.Host); err != nil {
		return nil, err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.ConfigURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch worker config: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+meta.WorkerToken)

	res, err := w.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch worker config: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch worker config: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch worker config: HTTP %s: %s", res.Status,
			bytes.TrimSpace(body))
	}
	var cfg WorkerConfig
	if err := json.Unmarshal(body, &cfg); err != nil {
		return nil, fmt.Errorf("decode worker config: %w", err)
	}
	return &cfg, nil
}

// describe returns the lines the demo prints for a received job, with every
// provider key masked and the worker token shortened.
func (r ReceivedJob) describe() []string {
	lines := []string{
		fmt.Sprintf("job %s, dispatch %s, agent identity %s",
			r.Job.ID, r.Job.DispatchID, r.Job.Identity),
		fmt.Sprintf("dispatch metadata: client_id %s, agent_slug %s, conversation_id %s",
			r.Metadata.ClientID, r.Metadata.AgentSlug, r.Metadata.ConversationID),
		fmt.Sprintf("  config_url %s, worker_token %s (%d bytes)",
			r.Metadata.ConfigURL, shorten(r.Metadata.WorkerToken), len(r.Metadata.WorkerToken)),
		fmt.Sprintf("config received %v after the job was assigned:",
			r.FetchedAt.Sub(r.Job.AssignedAt).Round(time.Millisecond)),
	}

	masked := r.Config
	masked.ProviderKeys = map[string]string{}
	for provider, key := range r.Config.ProviderKeys {
		masked.ProviderKeys[provider] = secrets.Mask(key)
	}
	body, err := json.MarshalIndent(masked, "", "  ")
	if err != nil {
		return append(lines, "  (config not printable: "+err.Error()+")")
	}
	for _, line := range strings.Split(string(body), "\n") {
		lines = append(lines, "  "+line)
	}
	return lines
}

// shorten returns the first 10 characters of a token and an ellipsis.
func shorten(token string) string {
	if len(token) <= 10 {
		return "…"
	}
	return token[:10] + "…"
}
