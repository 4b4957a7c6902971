import { HttpError, requestJSON } from '@/lib/http';

/** Role of a user in one client: admins manage it, members only read. */
export type MembershipRole = 'ADMIN' | 'MEMBER';

export interface Membership {
  clientId: string;
  role: MembershipRole;
}

export interface SessionUser {
  id: string;
  email: string;
  platformAdmin: boolean;
  memberships: Membership[];
}

export interface Session {
  user: SessionUser;
  /** Sent as X-CSRF-Token on every GraphQL request and in connection_init. */
  csrfToken: string;
}

/** Body of POST /auth/login and GET /auth/session, as the server sends it. */
interface SessionBody {
  user: {
    id: string;
    email: string;
    platform_admin: boolean;
    memberships?: { client_id: string; role: string }[] | null;
  };
  csrf_token: string;
}

function sessionOf(body: SessionBody): Session {
  return {
    csrfToken: body.csrf_token,
    user: {
      id: body.user.id,
      email: body.user.email,
      platformAdmin: body.user.platform_admin,
      memberships: (body.user.memberships ?? []).map((m) => ({
        clientId: m.client_id,
        role: m.role.toUpperCase() === 'ADMIN' ? 'ADMIN' : 'MEMBER',
      })),
    },
  };
}

/** Returns the current session, or null when there is none (401). */
export async function fetchSession(): Promise<Session | null> {
  try {
    return sessionOf(await requestJSON<SessionBody>('/auth/session'));
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return null;
    throw error;
  }
}

/** Signs in; the server sets the session cookie. */
export async function login(email: string, password: string): Promise<Session> {
  const body = await requestJSON<SessionBody>('/auth/login', {
    method: 'POST',
    body: { email, password },
  });
  return sessionOf(body);
}

/** Revokes the session and clears its cookie. */
export async function logout(csrfToken: string): Promise<void> {
  await requestJSON<void>('/auth/logout', {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken },
  });
}
