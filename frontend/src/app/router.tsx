import { createBrowserRouter } from 'react-router';

import { AgentCreatePage } from '@/features/agents/AgentCreatePage';
import { AgentLayout } from '@/features/agents/AgentLayout';
import { AgentSettings } from '@/features/agents/AgentSettings';
import { AgentsPage } from '@/features/agents/AgentsPage';
import { ClientAgents } from '@/features/agents/ClientAgents';
import { TryItPage } from '@/features/agents/TryItPage';
import { LoginPage } from '@/features/auth/LoginPage';
import { RequireSession } from '@/features/auth/RequireSession';
import { ClientLayout } from '@/features/clients/ClientLayout';
import { ClientOverview } from '@/features/clients/ClientOverview';
import { ClientSites } from '@/features/clients/ClientSites';
import { ClientsPage } from '@/features/clients/ClientsPage';
import { CreateClientPage } from '@/features/clients/CreateClientPage';
import { DashboardPage } from '@/features/dashboard/DashboardPage';
import { HealthPage } from '@/features/health/HealthPage';
import { AppLayout } from '@/features/layout/AppLayout';
import { NotFoundPage } from '@/features/layout/NotFoundPage';
import { ClientAuditLog, ClientMembers, UsersPage } from '@/features/users/Pending';

/** Routes only: each screen lives in its feature folder. */
export const routes = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: 'clients', element: <ClientsPage /> },
          { path: 'clients/new', element: <CreateClientPage /> },
          {
            path: 'clients/:clientId',
            element: <ClientLayout />,
            children: [
              { index: true, element: <ClientOverview /> },
              { path: 'agents', element: <ClientAgents /> },
              { path: 'sites', element: <ClientSites /> },
              { path: 'members', element: <ClientMembers /> },
              { path: 'audit', element: <ClientAuditLog /> },
            ],
          },
          { path: 'clients/:clientId/agents/new', element: <AgentCreatePage /> },
          {
            path: 'clients/:clientId/agents/:slug',
            element: <AgentLayout />,
            children: [
              { index: true, element: <AgentSettings /> },
              { path: 'try', element: <TryItPage /> },
            ],
          },
          { path: 'agents', element: <AgentsPage /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'health', element: <HealthPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes, { basename: '/admin' });
