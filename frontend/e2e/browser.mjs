// Launches Debian's Chromium through playwright-core (no browser download).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const executablePath = process.env.SIDEKICK_E2E_CHROMIUM ?? '/usr/bin/chromium';

const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts a headless Chromium with a fresh profile. Every page it opens
 * records console errors and uncaught exceptions in `problems`, which the
 * scenarios check: the SPA must run without console errors.
 */
export async function launchBrowser({ width = 1280, height = 900 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'sidekick-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: flags,
    viewport: { width, height },
  });
  const problems = [];
  context.on('page', (page) => watch(page, problems));
  for (const page of context.pages()) watch(page, problems);
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Chromium logs every 4xx response as a console error. The session contract
// returns "no session" and "wrong password" with 401, so those two are
// expected; any other failed request is a problem.
const expected401 = /\/auth\/(session|login)$/;

function isExpected(message) {
  return (
    message.text().includes('status of 401') && expected401.test(message.location().url ?? '')
  );
}

function watch(page, problems) {
  page.on('console', (message) => {
    if (message.type() !== 'error' || isExpected(message)) return;
    problems.push(`console error on ${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception on ${page.url()}: ${error.message}`));
}
