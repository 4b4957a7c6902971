import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { HttpError } from '@/lib/http';
import { renderPage, sessionValue } from '@/test/render';

import { LoginPage, safeNext } from './LoginPage';

const anonymous = { status: 'anonymous', expired: false } as const;

describe('LoginPage', () => {
  it('signs in with the typed email and password', async () => {
    const signIn = vi.fn().mockResolvedValue(undefined);
    renderPage(<LoginPage />, { path: '/login', session: sessionValue({ state: anonymous, signIn }) });

    await userEvent.type(screen.getByLabelText('Email'), ' ada@example.com ');
    await userEvent.type(screen.getByLabelText('Password'), 'secret words');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(signIn).toHaveBeenCalledWith('ada@example.com', 'secret words');
  });

  it('shows a rejected login as what failed and clears the password', async () => {
    const signIn = vi.fn().mockRejectedValue(new HttpError(401, 'invalid email or password', 'UNAUTHENTICATED'));
    renderPage(<LoginPage />, { path: '/login', session: sessionValue({ state: anonymous, signIn }) });

    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Could not sign in: invalid email or password.')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveValue('');
  });

  it('says why when the session expired', () => {
    renderPage(<LoginPage />, {
      path: '/login?expired=1',
      session: sessionValue({ state: { status: 'anonymous', expired: true } }),
    });

    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
  });

  it('sends a signed-in user on to the next page', async () => {
    const { router } = renderPage(<LoginPage />, { path: '/login?next=%2Fclients' });

    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/clients'));
  });
});

describe('safeNext', () => {
  it.each([
    ['/clients/1?tab=x', '/clients/1?tab=x'],
    ['https://evil.example', '/'],
    ['//evil.example/x', '/'],
    ['/login?next=/x', '/'],
    [null, '/'],
  ])('turns %s into %s', (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});
