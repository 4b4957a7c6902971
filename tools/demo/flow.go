package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// The steps in this file are the ones a new user sees: the platform key sets
// up a client, and the site key triggers the agent as a WordPress site does.

func (d *demo) createClient(ctx context.Context, s *stepOutput) error {
	var out struct {
		CreateClient clientStatus
	}
	err := d.api.graphQL(ctx, d.platformKey, `mutation($in: CreateClientInput!) {
		createClient(input: $in) { id slug provisioningStatus provisioningError } }`,
		map[string]any{"in": map[string]any{"name": ClientName}}, &out)
	if err != nil {
		return fmt.Errorf("createClient: %w", err)
	}
	c := out.CreateClient
	d.clientID = c.ID
	d.report.ClientID = c.ID
	if c.ProvisioningStatus != "READY" {
		if c, err = d.waitProvisioned(ctx, c.ID); err != nil {
			return err
		}
	}
	s.sum("%q (slug %s, id %s)", ClientName, c.Slug, c.ID)
	s.detail("POST /graphql createClient with the platform key; its database is %s",
		c.ProvisioningStatus)
	return nil
}

// clientStatus is the part of a GraphQL Client the demo reads.
type clientStatus struct {
	ID                 string
	Slug               string
	ProvisioningStatus string
	ProvisioningError  *string
}

// waitProvisioned polls the client until its database is ready, for a
// platform whose provisioning outlasts createClient.
func (d *demo) waitProvisioned(ctx context.Context, id string) (clientStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, provisionTimeout)
	defer cancel()
	for {
		var out struct{ Client *clientStatus }
		err := d.api.graphQL(ctx, d.platformKey, `query($id: UUID!) {
			client(id: $id) { id slug provisioningStatus provisioningError } }`,
			map[string]any{"id": id}, &out)
		if err != nil {
			return clientStatus{}, fmt.Errorf("read client %s: %w", id, err)
		}
		if out.Client == nil {
			return clientStatus{}, fmt.Errorf("client %s not found after createClient", id)
		}
		switch out.Client.ProvisioningStatus {
		case "READY":
			return *out.Client, nil
		case "FAILED":
			return clientStatus{}, fmt.Errorf("provisioning of client %s failed: %s", id,
				deref(out.Client.ProvisioningError))
		}
		select {
		case <-ctx.Done():
			return clientStatus{}, fmt.Errorf("client %s is still %s: %w", id,
				out.Client.ProvisioningStatus, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (d *demo) createAgent(ctx context.Context, s *stepOutput) error {
	input := map[string]any{
		"slug": AgentSlug, "name": "LiteBridge", "systemPrompt": SystemPrompt,
		"voiceSettings": map[string]any{"llm_provider": "openai", "llm_model": LLMModel},
	}
	var out struct {
		CreateAgent struct {
			Slug, Name    string
			VoiceSettings map[string]any
		}
	}
	err := d.api.graphQL(ctx, d.platformKey, `mutation($c: UUID!, $in: AgentInput!) {
		createAgent(clientId: $c, input: $in) { slug name voiceSettings } }`,
		map[string]any{"c": d.clientID, "in": input}, &out)
	if err != nil {
		return fmt.Errorf("createAgent: %w", err)
	}
	a := out.CreateAgent
	s.sum("%s (%q), LLM openai %s", a.Slug, a.Name, LLMModel)
	s.detail("system prompt: %q", SystemPrompt)
	return nil
}

func (d *demo) setOpenAIKey(ctx context.Context, s *stepOutput) error {
	var out struct {
		SetProviderKey struct {
			Configured bool
			Last4      *string
		}
	}
	err := d.api.graphQL(ctx, d.platformKey, `mutation($c: UUID!, $k: String!) {
		setProviderKey(clientId: $c, provider: "openai", key: $k) { configured last4 } }`,
		map[string]any{"c": d.clientID, "k": d.report.OpenAIKey}, &out)
	if err != nil {
		return fmt.Errorf("setProviderKey: %w", err)
	}
	if !out.SetProviderKey.Configured {
		return errors.New("setProviderKey: the openai key is not configured afterwards")
	}
	s.sum("openai key %s stored encrypted", secrets.MaskLast4(deref(out.SetProviderKey.Last4)))
	s.detail("a fake key that only the LLM double accepts")
	return nil
}

func (d *demo) createSite(ctx context.Context, s *stepOutput) error {
	var out struct {
		CreateWordPressSite struct {
			Site struct {
				ID, Domain, KeyPrefix string
			}
			APIKey string
		}
	}
	err := d.api.graphQL(ctx, d.platformKey, `mutation($c: UUID!, $in: WordPressSiteInput!) {
		createWordPressSite(clientId: $c, input: $in) { site { id domain keyPrefix } apiKey } }`,
		map[string]any{"c": d.clientID, "in": map[string]any{
			"name": "Demo WordPress site", "domain": SiteDomain,
			"allowedOrigins": []string{"https://" + SiteDomain},
		}}, &out)
	if err != nil {
		return fmt.Errorf("createWordPressSite: %w", err)
	}
	d.siteKey = out.CreateWordPressSite.APIKey
	d.report.SiteKey = d.siteKey
	s.sum("%s for %s", keyPrefix(d.siteKey), out.CreateWordPressSite.Site.Domain)
	s.detail("the key a WordPress plugin stores; it may read and trigger, nothing else")
	return nil
}

// triggerPath returns what the output names as the call of a trigger.
func (d *demo) triggerPath(version string) string {
	if d.opts.TriggerAPI == TriggerGraphQL {
		return "POST /graphql triggerAgent"
	}
	return "POST /api/" + version + "/trigger-agent"
}

func (d *demo) triggerVoice(ctx context.Context, s *stepOutput) error {
	req := TriggerRequest{AgentSlug: AgentSlug, Mode: "voice", UserID: VisitorID,
		RoomName: "demo-room-" + randomHex(4)}
	d.triggerAt = time.Now()
	res, err := d.api.trigger(ctx, d.opts.TriggerAPI, "v2", d.siteKey, req)
	if err != nil {
		return err
	}
	d.report.Voice = res

	data := res.Data
	if data.LiveKitConfig == nil || data.RoomInfo == nil || data.DispatchInfo == nil {
		return fmt.Errorf("the voice response lacks livekit_config, room_info or dispatch_info")
	}
	if data.DispatchInfo.Status != "dispatched" {
		return fmt.Errorf("dispatch_info.status is %q (%s), want dispatched",
			data.DispatchInfo.Status, data.DispatchInfo.Reason)
	}
	s.sum("room %s %s, agent %s", data.RoomName, data.RoomInfo.Status,
		data.DispatchInfo.Status)
	s.detail("%s with the site key and no client_id: %q", d.triggerPath("v2"), res.Message)
	s.detail("client found from the slug: %s (%s)", res.AgentInfo.ClientName,
		res.AgentInfo.ClientID)
	s.detail("server_url %s, user_token %s (%d bytes), conversation_id %s",
		data.LiveKitConfig.ServerURL, shorten(data.LiveKitConfig.UserToken),
		len(data.LiveKitConfig.UserToken), data.ConversationID)
	s.detail("dispatch_info: status %s, dispatch_id %s", data.DispatchInfo.Status,
		data.DispatchInfo.DispatchID)
	return nil
}

func (d *demo) receiveJob(ctx context.Context, s *stepOutput) error {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	var outcome jobOutcome
	select {
	case outcome = <-d.refWorker.received:
	case <-ctx.Done():
		return fmt.Errorf("the worker got no job: %w", ctx.Err())
	}
	job := outcome.job
	if outcome.err != nil {
		return fmt.Errorf("the worker failed job %s, so the agent does not join: %w",
			job.Job.ID, outcome.err)
	}
	d.report.Worker = &job

	if job.Config.Agent.SystemPrompt != SystemPrompt {
		return fmt.Errorf("config has system prompt %q, want the agent's %q",
			job.Config.Agent.SystemPrompt, SystemPrompt)
	}
	if job.Config.ProviderKeys["openai"] != d.report.OpenAIKey {
		return fmt.Errorf("config has openai key %s, want the client's %s",
			secrets.Mask(job.Config.ProviderKeys["openai"]), secrets.Mask(d.report.OpenAIKey))
	}
	s.sum("job %s for room %s, %v after the trigger", job.Job.ID, job.Job.RoomName,
		round(job.Job.AssignedAt.Sub(d.triggerAt)))
	s.details = append(s.details, job.describe()...)
	s.detail("check: the system prompt and the openai key are the ones set above")
	return nil
}

func (d *demo) agentJoins(ctx context.Context, s *stepOutput) error {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	jobs, err := d.worker.WaitJoined(ctx, 1)
	if err != nil {
		return err
	}
	job := jobs[0]
	d.report.AgentJoined = job.JoinedAt
	s.sum("%s joined %s, %v after the trigger", job.Identity, job.RoomName,
		round(job.JoinedAt.Sub(d.triggerAt)))
	return nil
}

func (d *demo) userJoins(ctx context.Context, s *stepOutput) error {
	lk := d.report.Voice.Data.LiveKitConfig
	room, err := joinAsUser(lk.ServerURL, lk.UserToken, d.sdkLog)
	if err != nil {
		return err
	}
	d.room = room
	d.onCleanup("leave room", func(context.Context) (string, error) {
		room.Disconnect()
		return "the user left the room", nil
	})

	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	people, err := waitForAgent(ctx, room, d.report.Worker.Job.Identity)
	d.report.Participants = people
	if err != nil {
		return err
	}
	s.sum("connected with the returned token; %d participants in %s", len(people),
		d.report.Voice.Data.RoomName)
	for _, p := range people {
		role := "the agent"
		if p.Local {
			role = "you, the site visitor"
		}
		s.detail("%-28s %-8s name %-16q %s", p.Identity, p.Kind, p.Name, role)
	}
	return nil
}

func (d *demo) sendText(ctx context.Context, s *stepOutput) error {
	req := TriggerRequest{AgentSlug: AgentSlug, Mode: "text", UserID: VisitorID,
		Message: TextMessage}
	res, err := d.api.trigger(ctx, d.opts.TriggerAPI, "v1", d.siteKey, req)
	d.report.LLMRequests = d.llm.Requests()
	if err != nil {
		return err
	}
	d.report.Text = res

	s.sum("reply %q", res.Data.Response)
	s.detail("%s with the site key: message %q", d.triggerPath("v1"), TextMessage)
	s.detail("llm_provider %s, llm_model %s, conversation_id %s", res.Data.LLMProvider,
		res.Data.LLMModel, res.Data.ConversationID)
	if n := len(d.report.LLMRequests); n > 0 {
		last := d.report.LLMRequests[n-1]
		s.detail("the LLM double got model %s, key %s, system prompt %q", last.Model,
			secrets.Mask(last.APIKey), last.System)
	}
	return nil
}
