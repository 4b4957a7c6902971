package rest

import (
	"net/http"
	"slices"
)

// Parameters shared by several routes.
var (
	clientIDQuery = param{Name: "client_id", In: inQuery, Var: "clientId", Kind: uuidKind{},
		Required: true, Doc: "Client that owns the data."}
	clientIDDetect = param{Name: "client_id", In: inQuery, Var: "clientId", Kind: uuidKind{},
		Doc: "Client that owns the agent; found from the slug when absent."}
	clientIDPath = param{Name: "client_id", In: inPath, Var: "clientId", Kind: uuidKind{},
		Required: true, Doc: "Client that owns the data."}
	slugPath = param{Name: "slug", In: inPath, Var: "slug", Kind: stringKind{}, Required: true,
		Doc: "Agent slug."}
	clientPathV2 = param{Name: "id", In: inPath, Var: "id", Kind: uuidKind{}, Required: true,
		Doc: "Client id."}
	clientPathV1 = param{Name: "client_id", In: inPath, Var: "id", Kind: uuidKind{},
		Required: true, Doc: "Client id."}
	dropDatabase = param{Name: "drop_database", In: inQuery, Var: "dropDatabase", Kind: boolKind{},
		Doc: "Also drop the client's managed database (default false)."}
	sitePath = param{Name: "id", In: inPath, Var: "id", Kind: uuidKind{}, Required: true,
		Doc: "Site id."}
)

var triggerModes = enumKind{values: []string{"voice", "video", "text"}}

// triggerBody is the body of both trigger routes and the stream route.
var triggerBody = []field{
	{Name: "agent_slug", Var: "input.agentSlug", Kind: stringKind{}, Required: true},
	{Name: "mode", Var: "input.mode", Kind: triggerModes, Required: true},
	{Name: "user_id", Var: "input.userId", Kind: stringKind{}, Required: true,
		Doc: "Any string; stored as given."},
	{Name: "client_id", Var: "input.clientId", Kind: uuidKind{},
		Doc: "Found from the agent slug when absent."},
	{Name: "message", Var: "input.message", Kind: stringKind{}, Doc: "Required for text."},
	{Name: "room_name", Var: "input.roomName", Kind: stringKind{},
		Doc: "Required for voice and video."},
	{Name: "conversation_id", Var: "input.conversationId", Kind: stringKind{},
		Doc: "Generated when absent; any string is accepted and echoed back."},
	{Name: "session_id", Var: "input.sessionId", Kind: stringKind{}},
	{Name: "platform", Var: "input.platform", Kind: stringKind{}, Doc: "Default livekit."},
	{Name: "context", Var: "input.context", Kind: objectKind{}},
}

// streamBody is triggerBody with an optional mode, because only text
// streams.
var streamBody = replaceField(triggerBody, field{Name: "mode", Var: "input.mode",
	Kind: triggerModes, Doc: "Default text. Voice and video are rejected."})

func replaceField(fields []field, f field) []field {
	out := slices.Clone(fields)
	for i := range out {
		if out[i].Name == f.Name {
			out[i] = f
		}
	}
	return out
}

// agentBody is the body of agent creation (slug and name required) and of
// agent updates (every field optional, every field sent is stored).
func agentBody(create bool) []field {
	return []field{
		{Name: "slug", Var: "input.slug", Kind: stringKind{}, Required: create,
			Doc: "Lowercase letters, digits and hyphens (^[a-z0-9-]+$)."},
		{Name: "name", Var: "input.name", Kind: stringKind{}, Required: create},
		{Name: "description", Var: "input.description", Kind: stringKind{}},
		{Name: "agent_image", Var: "input.agentImage", Kind: stringKind{}},
		{Name: "system_prompt", Var: "input.systemPrompt", Kind: stringKind{}},
		{Name: "voice_settings", Var: "input.voiceSettings", Kind: objectKind{},
			Doc: "provider, voice_id, temperature, llm_provider, llm_model, stt_provider, " +
				"stt_language, tts_provider, model; unknown keys are kept."},
		{Name: "webhooks", Kind: objectOf{fields: []field{
			{Name: "voice_context_webhook_url", Var: "input.webhooks.voiceContextWebhookUrl",
				Kind: stringKind{}},
			{Name: "text_context_webhook_url", Var: "input.webhooks.textContextWebhookUrl",
				Kind: stringKind{}},
		}}},
		{Name: "enabled", Var: "input.enabled", Kind: boolKind{}},
		{Name: "text_chat_enabled", Var: "input.textChatEnabled", Kind: boolKind{},
			Doc: "Default true."},
		{Name: "voice_chat_enabled", Var: "input.voiceChatEnabled", Kind: boolKind{},
			Doc: "Default true."},
		{Name: "video_chat_enabled", Var: "input.videoChatEnabled", Kind: boolKind{},
			Doc: "Default false."},
		{Name: "model", Var: "input.model", Kind: stringKind{}},
		{Name: "context_retention_minutes", Var: "input.contextRetentionMinutes", Kind: intKind{},
			Doc: "Default 30."},
		{Name: "max_context_messages", Var: "input.maxContextMessages", Kind: intKind{},
			Doc: "Default 50."},
	}
}

var clientCreateBody = []field{
	{Name: "name", Var: "input.name", Kind: stringKind{}, Required: true},
	{Name: "slug", Var: "input.slug", Kind: stringKind{},
		Doc: "Defaults to the name in lowercase with hyphens."},
	{Name: "database_mode", Var: "input.databaseMode",
		Kind: enumKind{values: []string{"managed", "external"}}, Doc: "Default managed."},
	{Name: "external_dsn", Var: "input.externalDsn", Kind: secretKind{},
		Doc: "PostgreSQL DSN; required for the external mode."},
	{Name: "settings", Kind: rejectedKind{reason: "cannot be set at creation; " +
		"create the client, then send its settings with PUT"}},
}

var clientUpdateBody = []field{
	{Name: "name", Var: "input.name", Kind: stringKind{}},
	{Name: "slug", Var: "input.slug", Kind: stringKind{}},
	{Name: "external_dsn", Var: "input.externalDsn", Kind: secretKind{},
		Doc: "Replaces the external DSN and provisions the client again."},
	{Name: "settings", Kind: objectOf{fields: []field{
		{Name: "api_keys", Var: "input.providerKeys", Kind: providerKeysKind{},
			Doc: "Only the keys named change; null removes one. One invalid key changes nothing."},
		{Name: "livekit_config", Kind: objectOf{fields: []field{
			{Name: "url", Var: "input.livekit.url", Kind: stringKind{}},
			{Name: "api_key", Var: "input.livekit.apiKey", Kind: secretKind{}},
			{Name: "api_secret", Var: "input.livekit.apiSecret", Kind: secretKind{}},
			{Name: "agent_name", Var: "input.livekit.agentName", Kind: stringKind{}},
		}}},
	}}},
}

var siteBody = []field{
	{Name: "client_id", Var: "clientId", Kind: uuidKind{}, Required: true},
	{Name: "name", Var: "input.name", Kind: stringKind{}, Required: true},
	{Name: "domain", Var: "input.domain", Kind: stringKind{}, Required: true,
		Doc: "Host name, like example.com."},
	{Name: "allowed_origins", Var: "input.allowedOrigins", Kind: stringListKind{},
		Doc: "Browser origins allowed to call the API with the key, like https://example.com."},
}

var embedTokenBody = []field{
	{Name: "agent_slug", Var: "input.agentSlug", Kind: stringKind{}, Required: true},
	{Name: "client_id", Var: "input.clientId", Kind: uuidKind{},
		Doc: "Found from the agent slug when absent."},
	{Name: "user_id", Var: "input.userId", Kind: stringKind{},
		Doc: "The end user the token is for; absent gives a fresh anonymous id."},
}

// Tags group the routes in the documentation.
const (
	tagEmbed   = "Embed tokens"
	tagTrigger = "Trigger"
	tagClients = "Clients"
	tagAgents  = "Agents"
	tagSites   = "WordPress sites"
)

// Statuses that routes may return besides 401, 403 and 404.
var (
	triggerErrors = []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	writeErrors = []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity,
		http.StatusServiceUnavailable}
	readErrors = []int{http.StatusBadRequest, http.StatusServiceUnavailable}
)

// routes is the REST API: every route, v1 and v2.
var routes = []*route{
	// Trigger.
	{Method: http.MethodPost, Path: "/api/v1/trigger-agent", Tag: tagTrigger,
		Summary: "Trigger an agent in voice, video or text mode",
		Op:      opTriggerAgent, Body: triggerBody, Shape: triggered, Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: triggerErrors, Response: "TriggerResponse"},
	{Method: http.MethodPost, Path: "/api/v2/trigger-agent", Tag: tagTrigger,
		Summary: "Trigger an agent in voice, video or text mode",
		Op:      opTriggerAgent, Body: triggerBody, Shape: triggered, Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: triggerErrors, Response: "TriggerResponse"},
	{Method: http.MethodPost, Path: "/api/v2/trigger-agent/stream", Tag: tagTrigger,
		Summary: "Stream a text reply as server-sent events",
		Op:      opTriggerAgentStream, Body: streamBody, Stream: true,
		Defaults: map[string]any{"input.mode": "TEXT"}, Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: triggerErrors, Response: "StreamEvent"},

	// Embed tokens.
	{Method: http.MethodPost, Path: "/api/v2/embed-token", Tag: tagEmbed,
		Summary: "Mint a short-lived token for one agent, to hand to a browser as X-Embed-Token",
		Op:      opCreateEmbedToken, Body: embedTokenBody, Defaults: map[string]any{"input": map[string]any{}},
		Shape:  pick("createEmbedToken", "agent"),
		Status: http.StatusOK, InvalidStatus: http.StatusUnprocessableEntity,
		Errors:   []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		Response: "EmbedToken"},

	// Clients, v2.
	{Method: http.MethodGet, Path: "/api/v2/clients", Tag: tagClients,
		Summary: "List the clients visible to the caller",
		Op:      opListClients, Page: "clients", Shape: clientList, Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: readErrors, Response: "ClientList"},
	{Method: http.MethodPost, Path: "/api/v2/clients", Tag: tagClients,
		Summary: "Create a client and provision its database",
		Op:      opCreateClient, Body: clientCreateBody, Shape: client("createClient"),
		Status: http.StatusCreated, InvalidStatus: http.StatusUnprocessableEntity,
		Errors: writeErrors, Response: "Client"},
	{Method: http.MethodGet, Path: "/api/v2/clients/{id}", Tag: tagClients, Summary: "Get a client",
		Op: opGetClient, Params: []param{clientPathV2}, Shape: client("client"),
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "Client"},
	{Method: http.MethodPut, Path: "/api/v2/clients/{id}", Tag: tagClients,
		Summary: "Change a client; only the fields and keys sent change",
		Op:      opUpdateClient, Params: []param{clientPathV2}, Body: clientUpdateBody,
		Defaults: map[string]any{"input": map[string]any{}}, Shape: client("updateClient"),
		Status: http.StatusOK, InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors,
		Response: "Client"},
	{Method: http.MethodDelete, Path: "/api/v2/clients/{id}", Tag: tagClients,
		Summary: "Delete a client",
		Op:      opDeleteClient, Params: []param{clientPathV2, dropDatabase},
		Shape: shapeDeletedClient, Status: http.StatusOK, InvalidStatus: http.StatusBadRequest,
		Errors: readErrors, Response: "DeletedClient"},
	{Method: http.MethodGet, Path: "/api/v2/clients/{id}/api-keys", Tag: tagClients,
		Summary: "Show the masks of a client's provider keys",
		Op:      opClientAPIKeys, Params: []param{clientPathV2}, Shape: clientAPIKeys,
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "ClientAPIKeys"},

	// Clients, v1.
	{Method: http.MethodGet, Path: "/api/v1/clients", Tag: tagClients,
		Summary: "List the clients visible to the caller",
		Op:      opListClients, Page: "clients", Shape: clientList, Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: readErrors, Response: "ClientList"},
	{Method: http.MethodPost, Path: "/api/v1/clients", Tag: tagClients,
		Summary: "Create a client and provision its database",
		Op:      opCreateClient, Body: clientCreateBody, Shape: client("createClient"),
		Status: http.StatusCreated, InvalidStatus: http.StatusUnprocessableEntity,
		Errors: writeErrors, Response: "Client"},
	{Method: http.MethodGet, Path: "/api/v1/clients/{client_id}", Tag: tagClients,
		Summary: "Get a client",
		Op:      opGetClient, Params: []param{clientPathV1}, Shape: client("client"),
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "Client"},
	{Method: http.MethodPut, Path: "/api/v1/clients/{client_id}", Tag: tagClients,
		Summary: "Change a client; only the fields and keys sent change",
		Op:      opUpdateClient, Params: []param{clientPathV1}, Body: clientUpdateBody,
		Defaults: map[string]any{"input": map[string]any{}}, Shape: client("updateClient"),
		Status: http.StatusOK, InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors,
		Response: "Client"},
	{Method: http.MethodDelete, Path: "/api/v1/clients/{client_id}", Tag: tagClients,
		Summary: "Delete a client",
		Op:      opDeleteClient, Params: []param{clientPathV1, dropDatabase},
		Shape: shapeDeletedClient, Status: http.StatusOK, InvalidStatus: http.StatusBadRequest,
		Errors: readErrors, Response: "DeletedClient"},

	// Agents, v2.
	{Method: http.MethodGet, Path: "/api/v2/agents", Tag: tagAgents,
		Summary: "List a client's agents",
		Op:      opListAgents, Params: []param{clientIDQuery}, Page: "agents", Shape: nodes,
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "AgentList"},
	{Method: http.MethodGet, Path: "/api/v2/agents/{slug}", Tag: tagAgents,
		Summary: "Get an agent, finding its client from the slug when client_id is absent",
		Op:      opGetAgent, Params: []param{slugPath, clientIDDetect}, Shape: pick("agent", "agent"),
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest,
		Errors:   []int{http.StatusBadRequest, http.StatusConflict, http.StatusServiceUnavailable},
		Response: "Agent"},
	{Method: http.MethodPost, Path: "/api/v2/agents", Tag: tagAgents, Summary: "Create an agent",
		Op: opCreateAgent, Params: []param{clientIDQuery}, Body: agentBody(true),
		Shape: pick("createAgent", "agent"), Status: http.StatusCreated,
		InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors, Response: "Agent"},
	{Method: http.MethodPut, Path: "/api/v2/agents/{slug}", Tag: tagAgents,
		Summary: "Change an agent; every field sent is stored",
		Op:      opUpdateAgent, Params: []param{slugPath, clientIDQuery}, Body: agentBody(false),
		Defaults: map[string]any{"input": map[string]any{}}, Shape: pick("updateAgent", "agent"),
		Status: http.StatusOK, InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors,
		Response: "Agent"},
	{Method: http.MethodDelete, Path: "/api/v2/agents/{slug}", Tag: tagAgents,
		Summary: "Delete an agent",
		Op:      opDeleteAgent, Params: []param{slugPath, clientIDQuery},
		Shape: deleted("Agent", "slug", "deleted"), Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: readErrors, Response: "Deleted"},

	// Agents, v1.
	{Method: http.MethodGet, Path: "/api/v1/agents/client/{client_id}", Tag: tagAgents,
		Summary: "List a client's agents",
		Op:      opListAgents, Params: []param{clientIDPath}, Page: "agents", Shape: nodes,
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "AgentList"},
	{Method: http.MethodPost, Path: "/api/v1/agents/client/{client_id}", Tag: tagAgents,
		Summary: "Create an agent",
		Op:      opCreateAgent, Params: []param{clientIDPath}, Body: agentBody(true),
		Shape: pick("createAgent", "agent"), Status: http.StatusCreated,
		InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors, Response: "Agent"},
	{Method: http.MethodGet, Path: "/api/v1/agents/client/{client_id}/{slug}", Tag: tagAgents,
		Summary: "Get an agent",
		Op:      opGetAgent, Params: []param{clientIDPath, slugPath}, Shape: pick("agent", "agent"),
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "Agent"},
	{Method: http.MethodPut, Path: "/api/v1/agents/client/{client_id}/{slug}", Tag: tagAgents,
		Summary: "Change an agent; every field sent is stored",
		Op:      opUpdateAgent, Params: []param{clientIDPath, slugPath}, Body: agentBody(false),
		Defaults: map[string]any{"input": map[string]any{}}, Shape: pick("updateAgent", "agent"),
		Status: http.StatusOK, InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors,
		Response: "Agent"},
	{Method: http.MethodDelete, Path: "/api/v1/agents/client/{client_id}/{slug}", Tag: tagAgents,
		Summary: "Delete an agent",
		Op:      opDeleteAgent, Params: []param{clientIDPath, slugPath},
		Shape: deleted("Agent", "slug", "deleted"), Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: readErrors, Response: "Deleted"},

	// WordPress sites.
	{Method: http.MethodPost, Path: "/api/v1/wordpress-sites", Tag: tagSites,
		Summary: "Create a site key; the raw key is in this response only",
		Op:      opCreateSite, Body: siteBody, Shape: createdSite, Status: http.StatusCreated,
		InvalidStatus: http.StatusUnprocessableEntity, Errors: writeErrors, Response: "CreatedSite"},
	{Method: http.MethodGet, Path: "/api/v1/wordpress-sites", Tag: tagSites,
		Summary: "List a client's sites",
		Op:      opListSites, Params: []param{clientIDQuery}, Shape: pick("wordpressSites", "sites"),
		Status: http.StatusOK, InvalidStatus: http.StatusBadRequest, Errors: readErrors,
		Response: "SiteList"},
	{Method: http.MethodDelete, Path: "/api/v1/wordpress-sites/{id}", Tag: tagSites,
		Summary: "Revoke a site key",
		Op:      opRevokeSite, Params: []param{sitePath, clientIDQuery},
		Shape: deleted("Site", "id", "revoked"), Status: http.StatusOK,
		InvalidStatus: http.StatusBadRequest, Errors: readErrors, Response: "Deleted"},
	{Method: http.MethodPost, Path: "/api/v1/wordpress-sites/auth/validate", Tag: tagSites,
		Summary: "Check a site key; the key in the body is the credential",
		Op:      opValidateSiteKey, Public: true,
		Body:  []field{{Name: "api_key", Var: "apiKey", Kind: stringKind{}, Required: true}},
		Shape: pick("validateSiteKey", "site"), Status: http.StatusOK,
		InvalidStatus: http.StatusUnprocessableEntity,
		Errors:        []int{http.StatusUnprocessableEntity}, Response: "SiteValidation"},
}
