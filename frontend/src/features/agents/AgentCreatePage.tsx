import { Link, useNavigate, useParams } from 'react-router';
import { useMutation } from 'urql';

import { Card, PageHeader } from '@/components/PageHeader';

import { AgentForm } from './AgentForm';
import { emptyAgentForm } from './agentForm';
import { CreateAgentMutation } from './api';

export function AgentCreatePage() {
  const { clientId = '' } = useParams();
  const navigate = useNavigate();
  const [result, createAgent] = useMutation(CreateAgentMutation);

  return (
    <>
      <PageHeader
        title="New agent"
        breadcrumb={
          <>
            <Link to="/clients">Clients</Link> / <Link to={`/clients/${clientId}/agents`}>Agents</Link>
          </>
        }
      />
      <Card>
        <AgentForm
          initial={emptyAgentForm()}
          submitLabel="Create agent"
          slugEditable
          busy={result.fetching}
          serverError={result.error}
          onCancel={() => navigate(`/clients/${clientId}/agents`)}
          onSubmit={(input) =>
            void createAgent({ clientId, input }).then((res) => {
              if (res.data) navigate(`/clients/${clientId}/agents/${res.data.createAgent.slug}`);
            })
          }
        />
      </Card>
    </>
  );
}
