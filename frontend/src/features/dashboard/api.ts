import { graphql } from '@/gql';

export const DashboardQuery = graphql(`
  query Dashboard {
    dashboard {
      clients {
        pending
        provisioning
        ready
        failed
      }
      agents
      triggersLast24h {
        voice
        video
        text
        countedClients
        readyClients
        unavailableClients
        countLimit
      }
    }
    health {
      status
      database
      timestamp
      tenantPools {
        openPools
        maxPools
        leasesInUse
      }
    }
  }
`);
