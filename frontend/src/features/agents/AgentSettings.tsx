import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { formatDateTime } from '@/lib/format';
import { canManageClient } from '@/lib/session/access';
import { useCurrentUser } from '@/lib/session/context';

import { AgentForm } from './AgentForm';
import { formFromAgent } from './agentForm';
import { useAgentOutlet } from './AgentLayout';
import { DeleteAgentMutation, UpdateAgentMutation } from './api';

export function AgentSettings() {
  const { agent } = useAgentOutlet();
  const navigate = useNavigate();
  const canManage = canManageClient(useCurrentUser(), agent.clientId);
  const [saved, setSaved] = useState(false);
  const [update, updateAgent] = useMutation(UpdateAgentMutation);
  const [removal, deleteAgent] = useMutation(DeleteAgentMutation);

  async function onDelete() {
    if (!window.confirm(`Delete the agent ${agent.name}? Websites using ${agent.slug} stop working.`)) return;
    const res = await deleteAgent({ clientId: agent.clientId, slug: agent.slug });
    if (!res.error) navigate(`/clients/${agent.clientId}/agents`);
  }

  return (
    <>
      {saved && <Notice tone="success">The agent was saved.</Notice>}
      <Card
        title="Settings"
        labelledBy="agent-settings-heading"
        description={`Last changed ${formatDateTime(agent.updatedAt)}.`}
      >
        {canManage ? (
          <AgentForm
            key={agent.updatedAt}
            initial={formFromAgent(agent)}
            submitLabel="Save agent"
            slugEditable
            busy={update.fetching}
            serverError={update.error}
            onSubmit={(input) => {
              setSaved(false);
              void updateAgent({ clientId: agent.clientId, slug: agent.slug, input }).then((res) => {
                if (!res.data) return;
                setSaved(true);
                if (res.data.updateAgent.slug !== agent.slug) {
                  navigate(`/clients/${agent.clientId}/agents/${res.data.updateAgent.slug}`, { replace: true });
                }
              });
            }}
          />
        ) : (
          <p className="muted">Your account may read this agent but not change it.</p>
        )}
      </Card>
      {canManage && (
        <Card title="Delete agent" labelledBy="delete-agent-heading">
          {removal.error && <ErrorNotice error={removal.error} action="delete the agent" />}
          <div className="spread">
            <p className="muted">Websites that trigger it by its slug get an error afterwards.</p>
            <Button variant="danger" busy={removal.fetching} onClick={() => void onDelete()}>
              Delete agent
            </Button>
          </div>
        </Card>
      )}
    </>
  );
}
