import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fromValue, never } from 'wonka';

import { renderPage } from '@/test/render';

import type { ClientDetail } from './ClientLayout';
import { ProviderKeysCard } from './ProviderKeysCard';

const client: ClientDetail = {
  id: 'c1',
  name: 'Acme',
  slug: 'acme',
  databaseMode: 'MANAGED',
  provisioningStatus: 'READY',
  provisioningError: null,
  schemaVersion: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  providerKeys: [
    { provider: 'openai', configured: true, last4: 'WXYZ', baseUrl: null, updatedAt: '2026-01-01T00:00:00Z' },
    { provider: 'groq', configured: false, last4: null, baseUrl: null, updatedAt: null },
  ],
  livekit: { url: null, apiKey: null, agentName: null, configured: false, available: false },
};

describe('ProviderKeysCard', () => {
  it('shows configured keys only as a mask', () => {
    renderPage(<ProviderKeysCard client={client} canManage />, { client: { executeMutation: () => never } });

    expect(within(screen.getByTestId('provider-openai')).getByText('••••••••WXYZ')).toBeInTheDocument();
    expect(within(screen.getByTestId('provider-groq')).getByText('Not set')).toBeInTheDocument();
  });

  it('sends a new key and reports only its last four characters', async () => {
    const executeMutation = vi.fn(() =>
      fromValue({
        data: {
          setProviderKey: {
            __typename: 'ProviderKey',
            provider: 'groq',
            configured: true,
            last4: '9876',
            baseUrl: null,
            updatedAt: '2026-01-02T00:00:00Z',
          },
        },
      }),
    );
    renderPage(<ProviderKeysCard client={client} canManage />, { client: { executeMutation } });

    await userEvent.click(screen.getByRole('button', { name: 'Set groq key' }));
    await userEvent.type(screen.getByLabelText('groq API key'), 'gsk-secret-value-9876');
    await userEvent.click(screen.getByRole('button', { name: 'Save key' }));

    const [operation] = executeMutation.mock.calls[0] as unknown as [{ variables: unknown }];
    expect(operation.variables).toEqual({ clientId: 'c1', provider: 'groq', key: 'gsk-secret-value-9876', baseUrl: null });
    expect(await screen.findByText('The groq key was saved; it ends in 9876.')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain('gsk-secret-value-9876');
  });

  it('offers no changes to a read-only member', () => {
    renderPage(<ProviderKeysCard client={client} canManage={false} />, { client: { executeMutation: () => never } });

    expect(screen.queryByRole('button', { name: /Replace|Set|Remove/ })).not.toBeInTheDocument();
  });
});
