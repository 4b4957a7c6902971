import { Link } from 'react-router';

import { Flag } from '@/components/StatusBadge';
import type { AgentRowFieldsFragment } from '@/gql/graphql';

function modes(agent: AgentRowFieldsFragment): string {
  const on = [
    agent.textChatEnabled && 'text',
    agent.voiceChatEnabled && 'voice',
    agent.videoChatEnabled && 'video',
  ].filter(Boolean);
  return on.length > 0 ? on.join(', ') : 'none';
}

function llm(agent: AgentRowFieldsFragment): string {
  const provider = agent.voiceSettings?.llm_provider;
  const model = agent.voiceSettings?.llm_model ?? agent.model;
  const parts = [typeof provider === 'string' ? provider : '', typeof model === 'string' ? model : ''];
  return parts.filter(Boolean).join(' / ') || '—';
}

export function AgentTable({
  agents,
  clientNames,
}: {
  agents: AgentRowFieldsFragment[];
  clientNames?: Record<string, string>;
}) {
  return (
    <div className="table-wrap">
      <table className="responsive">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            {clientNames && <th scope="col">Client</th>}
            <th scope="col">Modes</th>
            <th scope="col">LLM</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.id}>
              <td data-label="Agent">
                <Link to={`/clients/${agent.clientId}/agents/${agent.slug}`}>{agent.name}</Link>
                <br />
                <span className="muted mono">{agent.slug}</span>
              </td>
              {clientNames && <td data-label="Client">{clientNames[agent.clientId] ?? agent.clientId}</td>}
              <td data-label="Modes">{modes(agent)}</td>
              <td data-label="LLM">{llm(agent)}</td>
              <td data-label="State">
                <Flag on={agent.enabled} onLabel="Enabled" offLabel="Disabled" />
              </td>
              <td data-label="Try it">
                <Link to={`/clients/${agent.clientId}/agents/${agent.slug}/try`} aria-label={`Try ${agent.name}`}>
                  Try it
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
