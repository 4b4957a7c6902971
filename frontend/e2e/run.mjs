// End-to-end tests of the admin SPA: playwright-core drives Debian's
// Chromium against the real server, PostgreSQL and the LLM double.
//
//   npm run e2e                 run the scenarios
//   npm run e2e -- --screenshots  also refresh docs/screenshots/*.png
//
// SIDEKICK_E2E_BASE_URL runs the scenarios against a server that is already
// running (its users must exist); the harness then starts nothing.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { launchBrowser } from './browser.mjs';
import { scenarios } from './scenarios.mjs';
import { startStack } from './stack.mjs';

const screenshots = process.argv.includes('--screenshots');
const screenshotDir = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const stepTimeoutMs = 20000;

async function environment() {
  const external = process.env.SIDEKICK_E2E_BASE_URL;
  if (external) {
    return { baseURL: external, createPlatformAdmin: async () => {}, createClientAdmin: async () => {}, stop: async () => {} };
  }
  const stack = await startStack();
  return {
    baseURL: stack.baseURL,
    serverOutput: stack.serverOutput,
    stop: () => stack.stop(),
    async createPlatformAdmin(email, password) {
      try {
        await stack.command(['users', 'create', '--email', email, '--platform-admin'], `${password}\n`);
      } catch (error) {
        if (!String(error).includes('unknown command')) throw error;
        throw new Error(
          'the server has no `users create` command yet; these tests need the session API ' +
            '(users create, POST /auth/login, GET /auth/session) to sign in',
        );
      }
    },
    // A client admin is a user with an ADMIN membership, granted through
    // GraphQL by a platform key, as an operator would script it.
    async createClientAdmin(email, password, clientId) {
      await stack.command(['users', 'create', '--email', email], `${password}\n`);
      const key = await stack.command(['keys', 'create', '--name', 'e2e-membership']);
      const response = await fetch(`${stack.baseURL}/graphql`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($c: UUID!, $e: String!) { setClientMember(clientId: $c, email: $e, role: ADMIN) { userId } }',
          variables: { c: clientId, e: email },
        }),
      });
      const body = await response.json();
      if (body.errors?.length) throw new Error(`setClientMember: ${JSON.stringify(body.errors)}`);
    },
  };
}

async function main() {
  if (screenshots) mkdirSync(screenshotDir, { recursive: true });
  const env = await environment();
  const browser = await launchBrowser();
  const extraBrowsers = [];
  const page = await browser.newPage();
  page.setDefaultTimeout(stepTimeoutMs);

  const capture = async (name, { width } = {}) => {
    if (!screenshots) return;
    const size = page.viewportSize();
    if (width) {
      await page.setViewportSize({ width, height: 812 });
      await page.waitForTimeout(200);
    }
    await page.screenshot({ path: resolve(screenshotDir, `${name}.png`), fullPage: true });
    if (width && size) await page.setViewportSize(size);
    console.log(`  saved docs/screenshots/${name}.png`);
  };
  // A second browser profile, so another user gets its own session cookie.
  const newSession = async () => {
    const other = await launchBrowser();
    extraBrowsers.push(other);
    const p = await other.newPage();
    p.setDefaultTimeout(stepTimeoutMs);
    return p;
  };

  let passed = 0;
  let failed = 0;
  let blocked = null;
  try {
    for (const scenario of scenarios(env)) {
      if (blocked) {
        console.log(`FAIL ${scenario.name}: not run, because "${blocked}" failed`);
        failed++;
        continue;
      }
      const started = Date.now();
      try {
        await scenario.run({ page, capture, newSession });
        const problems = [...browser.problems, ...extraBrowsers.flatMap((b) => b.problems)];
        if (problems.length > 0) throw new Error(`the browser reported:\n  ${problems.join('\n  ')}`);
        console.log(`PASS ${scenario.name} (${Date.now() - started} ms)`);
        passed++;
      } catch (error) {
        console.log(`FAIL ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
        failed++;
        blocked = scenario.name;
        if (process.env.SIDEKICK_E2E_ARTIFACTS) {
          await page.screenshot({ path: resolve(process.env.SIDEKICK_E2E_ARTIFACTS, 'failure.png'), fullPage: true });
        }
      }
    }
  } finally {
    await browser.close();
    for (const b of extraBrowsers) await b.close();
    await env.stop();
  }
  if (failed > 0 && env.serverOutput) {
    console.log('--- last server output ---');
    console.log(env.serverOutput.slice(-40).join(''));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
