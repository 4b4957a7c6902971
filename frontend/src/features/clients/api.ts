import { graphql } from '@/gql';

export const ClientsQuery = graphql(`
  query Clients($first: Int!, $after: String, $search: String, $status: ProvisioningStatus) {
    clients(first: $first, after: $after, search: $search, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          slug
          databaseMode
          provisioningStatus
          provisioningError
          createdAt
        }
      }
    }
  }
`);

export const ClientQuery = graphql(`
  query Client($id: UUID!) {
    client(id: $id) {
      id
      name
      slug
      databaseMode
      provisioningStatus
      provisioningError
      schemaVersion
      createdAt
      updatedAt
      providerKeys {
        provider
        configured
        last4
        baseUrl
        updatedAt
      }
      livekit {
        url
        apiKey
        agentName
        configured
        available
      }
    }
  }
`);

export const CreateClientMutation = graphql(`
  mutation CreateClient($input: CreateClientInput!) {
    createClient(input: $input) {
      id
      name
      slug
      provisioningStatus
    }
  }
`);

export const UpdateClientMutation = graphql(`
  mutation UpdateClient($id: UUID!, $input: UpdateClientInput!) {
    updateClient(id: $id, input: $input) {
      id
      name
      slug
      provisioningStatus
      provisioningError
    }
  }
`);

export const RetryProvisioningMutation = graphql(`
  mutation RetryProvisioning($id: UUID!) {
    retryProvisioning(id: $id) {
      id
      provisioningStatus
      provisioningError
    }
  }
`);

export const DeleteClientMutation = graphql(`
  mutation DeleteClient($id: UUID!, $dropDatabase: Boolean) {
    deleteClient(id: $id, dropDatabase: $dropDatabase) {
      id
      databaseDropped
    }
  }
`);

export const SetProviderKeyMutation = graphql(`
  mutation SetProviderKey($clientId: UUID!, $provider: String!, $key: String!, $baseUrl: String) {
    setProviderKey(clientId: $clientId, provider: $provider, key: $key, baseUrl: $baseUrl) {
      provider
      configured
      last4
      baseUrl
      updatedAt
    }
  }
`);

export const RemoveProviderKeyMutation = graphql(`
  mutation RemoveProviderKey($clientId: UUID!, $provider: String!) {
    removeProviderKey(clientId: $clientId, provider: $provider) {
      provider
      configured
      last4
      baseUrl
      updatedAt
    }
  }
`);

export const SetLiveKitConfigMutation = graphql(`
  mutation SetLiveKitConfig($clientId: UUID!, $input: LiveKitConfigInput!) {
    setLiveKitConfig(clientId: $clientId, input: $input) {
      id
      livekit {
        url
        apiKey
        agentName
        configured
        available
      }
    }
  }
`);

export const WordPressSitesQuery = graphql(`
  query WordPressSites($clientId: UUID!) {
    wordpressSites(clientId: $clientId) {
      id
      name
      domain
      allowedOrigins
      keyPrefix
      createdAt
      lastUsedAt
      revoked
    }
  }
`);

export const CreateWordPressSiteMutation = graphql(`
  mutation CreateWordPressSite($clientId: UUID!, $input: WordPressSiteInput!) {
    createWordPressSite(clientId: $clientId, input: $input) {
      apiKey
      site {
        id
        name
        domain
        keyPrefix
      }
    }
  }
`);

export const RevokeWordPressSiteMutation = graphql(`
  mutation RevokeWordPressSite($clientId: UUID!, $id: UUID!) {
    revokeWordPressSite(clientId: $clientId, id: $id)
  }
`);
