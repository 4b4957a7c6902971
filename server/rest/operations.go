package rest

// The named GraphQL operations behind the REST routes. Aliases give the
// fields their legacy snake_case names, so that most shapers only unwrap.

const agentFields = `
fragment RestAgent on Agent {
  id slug name description
  client_id: clientId
  agent_image: agentImage
  system_prompt: systemPrompt
  voice_settings: voiceSettings
  webhooks {
    voice_context_webhook_url: voiceContextWebhookUrl
    text_context_webhook_url: textContextWebhookUrl
  }
  enabled
  text_chat_enabled: textChatEnabled
  voice_chat_enabled: voiceChatEnabled
  video_chat_enabled: videoChatEnabled
  model
  context_retention_minutes: contextRetentionMinutes
  max_context_messages: maxContextMessages
  created_at: createdAt
  updated_at: updatedAt
}`

const clientFields = `
fragment RestClient on Client {
  id name slug provisioningStatus provisioningError schemaVersion
  providerKeys { provider configured last4 }
  livekit { url apiKey configured }
  createdAt updatedAt
}`

const siteFields = `
fragment RestSite on WordPressSite {
  id
  client_id: clientId
  name domain
  allowed_origins: allowedOrigins
  key_prefix: keyPrefix
  created_at: createdAt
  last_used_at: lastUsedAt
  revoked
}`

// pageSize is the page size of list routes. A page of 50 agents stays well
// under the executor's complexity limit (graph.MaxComplexity).
const pageSize = 50

var (
	opListAgents = &operation{Name: "RestListAgents", Document: `
query RestListAgents($clientId: UUID!, $first: Int, $after: String) {
  agents(clientId: $clientId, first: $first, after: $after) {
    edges { node { ...RestAgent } }
    pageInfo { hasNextPage endCursor }
  }
}` + agentFields}

	opGetAgent = &operation{Name: "RestGetAgent", Document: `
query RestGetAgent($slug: String!, $clientId: UUID) {
  agent(slug: $slug, clientId: $clientId) { ...RestAgent }
}` + agentFields}

	opCreateAgent = &operation{Name: "RestCreateAgent", Document: `
mutation RestCreateAgent($clientId: UUID!, $input: AgentInput!) {
  createAgent(clientId: $clientId, input: $input) { ...RestAgent }
}` + agentFields}

	opUpdateAgent = &operation{Name: "RestUpdateAgent", Document: `
mutation RestUpdateAgent($clientId: UUID!, $slug: String!, $input: AgentPatch!) {
  updateAgent(clientId: $clientId, slug: $slug, input: $input) { ...RestAgent }
}` + agentFields}

	opDeleteAgent = &operation{Name: "RestDeleteAgent", Document: `
mutation RestDeleteAgent($clientId: UUID!, $slug: String!) {
  deleteAgent(clientId: $clientId, slug: $slug)
}`}

	opListClients = &operation{Name: "RestListClients", Document: `
query RestListClients($first: Int, $after: String) {
  clients(first: $first, after: $after) {
    edges { node { ...RestClient } }
    pageInfo { hasNextPage endCursor }
  }
}` + clientFields}

	opGetClient = &operation{Name: "RestGetClient", Document: `
query RestGetClient($id: UUID!) {
  client(id: $id) { ...RestClient }
}` + clientFields}

	opCreateClient = &operation{Name: "RestCreateClient", Document: `
mutation RestCreateClient($input: CreateClientInput!) {
  createClient(input: $input) { ...RestClient }
}` + clientFields}

	opUpdateClient = &operation{Name: "RestUpdateClient", Document: `
mutation RestUpdateClient($id: UUID!, $input: UpdateClientInput!) {
  updateClient(id: $id, input: $input) { ...RestClient }
}` + clientFields}

	opDeleteClient = &operation{Name: "RestDeleteClient", Document: `
mutation RestDeleteClient($id: UUID!, $dropDatabase: Boolean) {
  deleteClient(id: $id, dropDatabase: $dropDatabase) {
    id
    database_dropped: databaseDropped
  }
}`}

	opClientAPIKeys = &operation{Name: "RestClientAPIKeys", Document: `
query RestClientAPIKeys($id: UUID!) {
  client(id: $id) { id providerKeys { provider configured last4 } }
}`}

	opTriggerAgent = &operation{Name: "RestTriggerAgent", Document: `
mutation RestTriggerAgent($input: TriggerAgentInput!) {
  triggerAgent(input: $input) {
    mode conversationId
    agent { slug name clientId clientName voiceProvider voiceId }
    voice {
      roomName platform serverUrl userToken roomStatus participants
      dispatch { status dispatchId reason }
    }
    text { messageReceived userId response llmProvider llmModel }
  }
}`}

	opTriggerAgentStream = &operation{Name: "RestTriggerAgentStream", Document: `
subscription RestTriggerAgentStream($input: TriggerAgentInput!) {
  triggerAgentStream(input: $input) {
    type delta conversationId fullText errorCode errorMessage
  }
}`}

	opCreateSite = &operation{Name: "RestCreateWordPressSite", Document: `
mutation RestCreateWordPressSite($clientId: UUID!, $input: WordPressSiteInput!) {
  createWordPressSite(clientId: $clientId, input: $input) {
    site { ...RestSite }
    api_key: apiKey
  }
}` + siteFields}

	opListSites = &operation{Name: "RestListWordPressSites", Document: `
query RestListWordPressSites($clientId: UUID!) {
  wordpressSites(clientId: $clientId) { ...RestSite }
}` + siteFields}

	opRevokeSite = &operation{Name: "RestRevokeWordPressSite", Document: `
mutation RestRevokeWordPressSite($clientId: UUID!, $id: UUID!) {
  revokeWordPressSite(clientId: $clientId, id: $id)
}`}

	opValidateSiteKey = &operation{Name: "RestValidateSiteKey", Document: `
mutation RestValidateSiteKey($apiKey: String!) {
  validateSiteKey(apiKey: $apiKey) {
    valid
    site_id: siteId
    domain
    client_id: clientId
  }
}`}

	opCreateEmbedToken = &operation{Name: "RestCreateEmbedToken", Document: `
mutation RestCreateEmbedToken($input: EmbedTokenInput!) {
  createEmbedToken(input: $input) {
    token
    expires_at: expiresAt
    client_id: clientId
    agent_slug: agentSlug
    user_id: userId
    anonymous
  }
}`}
)
