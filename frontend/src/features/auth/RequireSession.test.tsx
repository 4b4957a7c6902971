import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { HttpError } from '@/lib/http';
import { renderPage, sessionValue } from '@/test/render';

import { RequireSession } from './RequireSession';

describe('RequireSession', () => {
  it('sends an anonymous visitor to login with the page to return to', async () => {
    const { router } = renderPage(<RequireSession />, {
      path: '/clients/42',
      session: sessionValue({ state: { status: 'anonymous', expired: true } }),
    });

    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    const params = new URLSearchParams(router.state.location.search);
    expect(params.get('next')).toBe('/clients/42');
    expect(params.get('expired')).toBe('1');
  });

  it('shows a failed session check with a retry', () => {
    renderPage(<RequireSession />, {
      session: sessionValue({ state: { status: 'failed', error: new HttpError(502, 'Bad Gateway') } }),
    });

    expect(screen.getByText('Could not check your session: Bad Gateway.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
