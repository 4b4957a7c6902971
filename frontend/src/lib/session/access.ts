import type { SessionUser } from './api';

/** Reports whether user may change client id (platform admin or client admin). */
export function canManageClient(user: SessionUser, clientId: string): boolean {
  return (
    user.platformAdmin ||
    user.memberships.some((m) => m.clientId === clientId && m.role === 'ADMIN')
  );
}

/** Reports whether user administers at least one client, or the platform. */
export function managesAnyClient(user: SessionUser): boolean {
  return user.platformAdmin || user.memberships.some((m) => m.role === 'ADMIN');
}
