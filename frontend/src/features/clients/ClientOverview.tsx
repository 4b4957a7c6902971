import { useCurrentUser } from '@/lib/session/context';
import { canManageClient } from '@/lib/session/access';

import { DeleteClientCard } from './DeleteClientCard';
import { LiveKitCard } from './LiveKitCard';
import { ProviderKeysCard } from './ProviderKeysCard';
import { ProvisioningCard } from './ProvisioningCard';
import { useClientOutlet } from './ClientLayout';

export function ClientOverview() {
  const { client, refresh } = useClientOutlet();
  const user = useCurrentUser();
  const canManage = canManageClient(user, client.id);
  return (
    <>
      <ProvisioningCard client={client} canManage={canManage} onChanged={refresh} />
      <ProviderKeysCard client={client} canManage={canManage} />
      <LiveKitCard client={client} canManage={canManage} />
      {user.platformAdmin && <DeleteClientCard client={client} />}
    </>
  );
}
