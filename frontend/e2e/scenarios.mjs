// The admin SPA's end-to-end scenarios, in the order a new platform admin
// goes through them. Later scenarios use what earlier ones created.
import assert from 'node:assert/strict';

const providerKey = 'sk-e2e-0123456789abcdef-WXYZ';

export function scenarios(env) {
  const state = {};
  const admin = { email: 'ada@example.com', password: 'correct horse battery staple' };
  const other = { email: 'carl@example.com', password: 'another long passphrase' };

  return [
    {
      name: 'first admin signs in',
      async run({ page, capture }) {
        await env.createPlatformAdmin(admin.email, admin.password);
        await page.goto(`${env.baseURL}/admin/`);
        await page.waitForURL(/\/admin\/login/);
        await page.getByLabel('Email').fill(admin.email);
        await page.getByLabel('Password').fill('wrong password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();
        await page.getByLabel('Password').fill(admin.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
        await page.getByTestId('dashboard').waitFor();
      },
    },
    {
      name: 'admin creates a client and sees it become ready',
      async run({ page, capture }) {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await page.getByRole('link', { name: 'New client' }).click();
        await page.getByLabel('Name').fill('Acme Health');
        await page.getByRole('button', { name: 'Create client' }).click();
        await page.getByRole('heading', { name: /Acme Health/ }).waitFor();
        state.acmeURL = page.url();
        state.acmeId = page.url().split('/clients/')[1];
        await page.getByTestId('provisioning-status').getByText('Ready', { exact: true }).waitFor({ timeout: 60000 });
      },
    },
    {
      name: 'admin sets a provider key and sees only its mask',
      async run({ page, capture }) {
        await page.getByRole('button', { name: 'Set openai key' }).click();
        await page.getByLabel('openai API key').fill(providerKey);
        await page.getByRole('button', { name: 'Save key' }).click();
        const row = page.getByTestId('provider-openai');
        await row.getByText(`••••••••${providerKey.slice(-4)}`).waitFor();
        assert.equal(await page.content().then((html) => html.includes(providerKey)), false,
          'the page still contains the raw provider key after saving');
        await page.reload();
        await row.getByText(`••••••••${providerKey.slice(-4)}`).waitFor();
        assert.equal(await page.content().then((html) => html.includes(providerKey)), false,
          'the reloaded page contains the raw provider key');
        await capture('client-detail');
      },
    },
    {
      name: 'agent form shows server validation at the field',
      async run({ page, capture }) {
        await page.goto(`${state.acmeURL}/agents/new`);
        await page.getByLabel('Name').fill('Front desk');
        await page.getByLabel('Slug').fill('Front Desk!');
        await page.getByRole('button', { name: 'Create agent' }).click();
        const slug = page.getByLabel('Slug');
        await page.waitForFunction(() =>
          document.querySelector('input[name="slug"]')?.getAttribute('aria-invalid') === 'true');
        const described = await slug.getAttribute('aria-describedby');
        assert.ok(described?.includes('error'), 'the slug input is not described by an error');
      },
    },
    {
      name: 'admin creates an agent',
      async run({ page, capture }) {
        await page.getByLabel('Slug').fill('front-desk');
        await page.getByLabel('System prompt').fill('You greet visitors of Acme Health.');
        await page.getByLabel('LLM provider').fill('openai');
        await page.getByLabel('LLM model').fill('gpt-e2e');
        await page.getByLabel('Temperature').fill('0.4');
        await page.getByRole('button', { name: 'Create agent' }).click();
        await page.getByRole('heading', { name: /Front desk/ }).waitFor();
        assert.match(page.url(), /\/agents\/front-desk$/);
        state.agentURL = page.url();
        assert.equal(await page.getByLabel('LLM model').inputValue(), 'gpt-e2e');
        await capture('agent-edit');
      },
    },
    {
      name: 'admin chats with the agent in the try-it panel',
      async run({ page, capture }) {
        await page.getByRole('link', { name: 'Try it' }).click();
        await page.getByLabel('Message').fill('hello from the e2e test');
        await page.getByRole('button', { name: 'Send' }).click();
        const reply = page.getByTestId('chat-assistant').last();
        await reply.getByText('echo: hello from the e2e test').waitFor({ timeout: 30000 });
        await page.getByText(/^Conversation /).waitFor();
        await capture('try-it');
        await page.goto(`${env.baseURL}/admin/`);
        await page.getByTestId('dashboard').getByText('Text messages').waitFor();
        await page.waitForFunction(() => !document.querySelector('[role="status"] .spinner'));
        await capture('dashboard');
        await capture('dashboard-375', { width: 375 });
      },
    },
    {
      name: 'client admin of another client cannot see the first client',
      async run({ page, newSession }) {
        await page.goto(`${env.baseURL}/admin/clients/new`);
        await page.getByLabel('Name').fill('Beta Dental');
        await page.getByRole('button', { name: 'Create client' }).click();
        await page.getByRole('heading', { name: /Beta Dental/ }).waitFor();
        const betaId = page.url().split('/clients/')[1];
        await page.getByTestId('provisioning-status').getByText('Ready', { exact: true }).waitFor({ timeout: 60000 });
        await env.createClientAdmin(other.email, other.password, betaId);

        const carl = await newSession();
        await carl.goto(`${env.baseURL}/admin/login`);
        await carl.getByLabel('Email').fill(other.email);
        await carl.getByLabel('Password').fill(other.password);
        await carl.getByRole('button', { name: 'Sign in' }).click();
        await carl.getByRole('heading', { name: 'Dashboard' }).waitFor();

        await carl.goto(`${env.baseURL}/admin/clients`);
        await carl.getByRole('link', { name: 'Beta Dental' }).waitFor();
        assert.equal(await carl.getByText('Acme Health').count(), 0, 'the client list shows Acme Health');

        await carl.goto(state.acmeURL);
        await carl.getByRole('heading', { name: 'Client not found' }).waitFor();
        await carl.goto(state.agentURL);
        await carl.getByRole('heading', { name: 'Agent not found' }).waitFor();
        await carl.goto(`${env.baseURL}/admin/agents`);
        await carl.getByRole('link', { name: 'Beta Dental' }).waitFor();
        assert.equal(await carl.getByText('Acme Health').count(), 0, 'the agents page shows Acme Health');
      },
    },
  ];
}
