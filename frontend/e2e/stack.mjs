// Starts the platform for end-to-end tests: the Go server on a throwaway
// platform database, and the LLM double as its OpenAI provider.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const postgres = process.env.SIDEKICK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable';

async function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function databaseURL(name) {
  const url = new URL(postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

async function psql(sql) {
  const { stdout } = await run('psql', [postgres, '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
  return stdout.trim();
}

function start(name, command, args, env) {
  const child = spawn(command, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, output };
}

async function waitFor(url, timeoutMs, proc) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with ${proc.child.exitCode}:\n${proc.output.join('')}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms:\n${proc.output.join('')}`);
}

async function stop(proc) {
  if (!proc || proc.child.exitCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}

/**
 * Builds and starts the stack; returns its base URL, a runner of the server
 * binary's commands, and stop(), which also drops every database it made.
 */
export async function startStack() {
  const work = mkdtempSync(join(tmpdir(), 'sidekick-e2e-'));
  const binary = join(work, 'sidekick-forge');
  const doubleBinary = join(work, 'llm-double');
  await run('go', ['build', '-o', binary, './server'], { cwd: repo });
  await run('go', ['build', '-o', doubleBinary, './tools/llm-double'], { cwd: repo });

  const dbName = `sfe2e_${randomBytes(6).toString('hex')}`;
  const [serverPort, llmPort] = [await freePort(), await freePort()];
  const env = {
    SIDEKICK_DATABASE_URL: databaseURL(dbName),
    SIDEKICK_LISTEN: `127.0.0.1:${serverPort}`,
    SIDEKICK_DATA_DIR: join(work, 'data'),
    SIDEKICK_OPENAI_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
    SIDEKICK_LOG_LEVEL: 'warn',
  };

  const llm = start('llm-double', doubleBinary, ['--listen', `127.0.0.1:${llmPort}`, '--delay', '15ms', '--log-requests=false'], {});
  const server = start('sidekick-forge', binary, ['serve'], env);
  const baseURL = `http://127.0.0.1:${serverPort}`;
  await waitFor(`${baseURL}/health`, 60000, server);

  return {
    baseURL,
    llmOutput: llm.output,
    serverOutput: server.output,
    /** Runs a command of the server binary with stdin, on the same database. */
    async command(args, stdin = '') {
      return new Promise((done, fail) => {
        const child = spawn(binary, args, { cwd: repo, env: { ...process.env, ...env } });
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.on('exit', (code) =>
          code === 0 ? done(out.trim()) : fail(new Error(`sidekick-forge ${args.join(' ')}: exit ${code}: ${err.trim()}`)),
        );
        child.stdin.end(stdin);
      });
    },
    async stop() {
      await stop(server);
      await stop(llm);
      rmSync(work, { recursive: true, force: true });
      await dropDatabases(dbName);
    },
  };
}

async function dropDatabases(platformDB) {
  const platformURL = databaseURL(platformDB);
  let tenants = [];
  try {
    const { stdout } = await run('psql', [
      platformURL,
      '-Atc',
      `SELECT database_name FROM clients WHERE database_mode = 'managed' AND database_name <> ''`,
    ]);
    tenants = stdout.split('\n').filter(Boolean);
  } catch {
    // No platform database: the server never migrated it.
  }
  for (const name of [...tenants, platformDB]) {
    await psql(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '')}" WITH (FORCE)`);
  }
}
