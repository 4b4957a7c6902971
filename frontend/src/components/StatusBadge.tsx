import type { ProvisioningStatus } from '@/gql/graphql';

const tone: Record<ProvisioningStatus, string> = {
  PENDING: 'neutral',
  PROVISIONING: 'info',
  READY: 'success',
  FAILED: 'danger',
};

const label: Record<ProvisioningStatus, string> = {
  PENDING: 'Pending',
  PROVISIONING: 'Provisioning',
  READY: 'Ready',
  FAILED: 'Failed',
};

export function StatusBadge({ status }: { status: ProvisioningStatus }) {
  return <span className={`badge ${tone[status]}`}>{label[status]}</span>;
}

export function Flag({ on, onLabel, offLabel }: { on: boolean; onLabel: string; offLabel: string }) {
  return <span className={`badge ${on ? 'success' : 'neutral'}`}>{on ? onLabel : offLabel}</span>;
}
