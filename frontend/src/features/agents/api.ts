import { graphql } from '@/gql';

export const AgentFields = graphql(`
  fragment AgentFields on Agent {
    id
    slug
    name
    description
    clientId
    agentImage
    systemPrompt
    voiceSettings
    webhooks {
      voiceContextWebhookUrl
      textContextWebhookUrl
    }
    enabled
    textChatEnabled
    voiceChatEnabled
    videoChatEnabled
    model
    contextRetentionMinutes
    maxContextMessages
    createdAt
    updatedAt
  }
`);

export const AgentRowFields = graphql(`
  fragment AgentRowFields on Agent {
    id
    slug
    name
    clientId
    enabled
    textChatEnabled
    voiceChatEnabled
    videoChatEnabled
    model
    voiceSettings
    updatedAt
  }
`);

export const ClientAgentsQuery = graphql(`
  query ClientAgents($clientId: UUID!, $first: Int!, $after: String) {
    agents(clientId: $clientId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AgentRowFields
        }
      }
    }
  }
`);

export const AgentsByClientQuery = graphql(`
  query AgentsByClient($first: Int!, $after: String, $agentsPerClient: Int!) {
    clients(first: $first, after: $after, status: READY) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          agents(first: $agentsPerClient) {
            totalCount
            edges {
              node {
                ...AgentRowFields
              }
            }
          }
        }
      }
    }
  }
`);

export const ClientOptionsQuery = graphql(`
  query ClientOptions($first: Int!, $search: String) {
    clients(first: $first, search: $search, status: READY) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

export const AgentQuery = graphql(`
  query Agent($clientId: UUID!, $slug: String!) {
    agent(clientId: $clientId, slug: $slug) {
      ...AgentFields
    }
    client(id: $clientId) {
      id
      name
      livekit {
        available
      }
    }
  }
`);

export const CreateAgentMutation = graphql(`
  mutation CreateAgent($clientId: UUID!, $input: AgentInput!) {
    createAgent(clientId: $clientId, input: $input) {
      ...AgentFields
    }
  }
`);

export const UpdateAgentMutation = graphql(`
  mutation UpdateAgent($clientId: UUID!, $slug: String!, $input: AgentPatch!) {
    updateAgent(clientId: $clientId, slug: $slug, input: $input) {
      ...AgentFields
    }
  }
`);

export const DeleteAgentMutation = graphql(`
  mutation DeleteAgent($clientId: UUID!, $slug: String!) {
    deleteAgent(clientId: $clientId, slug: $slug)
  }
`);

export const TriggerAgentStreamSubscription = graphql(`
  subscription TriggerAgentStream($input: TriggerAgentInput!) {
    triggerAgentStream(input: $input) {
      type
      delta
      conversationId
      fullText
      errorCode
      errorMessage
    }
  }
`);

export const StartVoiceSessionMutation = graphql(`
  mutation StartVoiceSession($input: TriggerAgentInput!) {
    triggerAgent(input: $input) {
      mode
      conversationId
      agent {
        slug
        name
        voiceProvider
        voiceId
      }
      voice {
        roomName
        platform
        serverUrl
        userToken
        roomStatus
        participants
        dispatch {
          status
          dispatchId
          reason
        }
      }
    }
  }
`);
