/*
 * harness.mjs - what the browser tests and the screenshot script share:
 * a real `limes serve` on a temporary database with one user per role
 * (like tests/api/harness.py), serving the web interface from web/, and a
 * headless Debian chromium driven by playwright-core.
 *
 * Environment: LIMES_BIN (the program, default build/limes), LIMES_SOURCE
 * (the source tree, default two levels up), CHROMIUM (default
 * /usr/bin/chromium).
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const SOURCE = process.env.LIMES_SOURCE || resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.LIMES_BIN || join(SOURCE, 'build', 'limes');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ROLES = ['officer', 'second_line', 'supervisor', 'analyst', 'liaison', 'admin'];
export const PASSWORD = 'correct horse battery';

/* Exit 77 (skipped) only when node's partner, chromium, is truly missing. */
export function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    console.log('SKIP: ' + CHROMIUM + ' not found (Debian package chromium)');
    process.exit(77);
  }
}

export async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    console.error('playwright-core is not installed: run `npm ci` in ' + SOURCE + ' (make check does)');
    process.exit(1);
  }
}

function cli(args, input) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(BIN + ' ' + args.join(' ') + ' failed: ' + r.stdout + r.stderr);
  return r.stdout;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

/* The generated files of web/ (countries, fonts): quick and idempotent. */
export function buildWebAssets() {
  execFileSync('python3', [join(SOURCE, 'tools', 'web-assets.py'), SOURCE], { stdio: 'inherit' });
}

export class Server {
  static async start({ extraArgs = [], demo = false } = {}) {
    const s = new Server();
    s.dir = mkdtempSync(join(tmpdir(), 'limes-web-'));
    s.db = join(s.dir, 'limes.db');
    s.port = await freePort();
    s.base = 'http://127.0.0.1:' + s.port;
    cli(['db', '--db', s.db]);
    for (const role of ROLES) {
      cli(['user', 'add', role + '1', '--role', role, '--password-stdin', '--db', s.db], PASSWORD + '\n');
    }
    const log = openSync(join(s.dir, 'server.log'), 'w');
    const args = demo
      ? ['demo', '--db', s.db, '--listen', '127.0.0.1:' + s.port, '--web', join(SOURCE, 'web')]
      : ['serve', '--db', s.db, '--listen', '127.0.0.1:' + s.port, '--threads', '4', '--web', join(SOURCE, 'web')];
    s.proc = spawn(BIN, args.concat(extraArgs), { cwd: SOURCE, stdio: ['ignore', log, log], env: { ...process.env, LIMES_SHARED_DATA: process.env.LIMES_SHARED_DATA || '' } });
    /* a test that dies half-way must not leave its server behind */
    process.once('exit', () => { if (s.proc.exitCode === null) s.proc.kill('SIGKILL'); });
    await s.waitReady();
    return s;
  }

  log() { try { return readFileSync(join(this.dir, 'server.log'), 'utf8'); } catch (e) { return ''; } }

  async waitReady() {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error('server exited: ' + this.log());
      try {
        const r = await fetch(this.base + '/healthz');
        if (r.status === 200) return;
      } catch (e) { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server not ready: ' + this.log());
  }

  /* A JSON call with a bearer-less session of `user` (for set-up from tests). */
  async login(user) {
    const r = await fetch(this.base + '/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: PASSWORD }) });
    const body = await r.json();
    return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: body.csrf_token };
  }

  /* One API call as `user` (a fresh session), for the tests' set-up. */
  async call(user, method, path, body, contentType) {
    const s = await this.login(user);
    const headers = { Cookie: s.cookie, 'X-CSRF-Token': s.csrf };
    if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
    const r = await fetch(this.base + path, { method, headers,
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
    return { status: r.status, json, text };
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 10000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/*
 * Debian's chromium, headless, with no traffic of its own (this machine has
 * no network beyond loopback).  Playwright gives every launch a fresh,
 * empty --user-data-dir of its own and removes it on close.
 */
export async function launchBrowser(chromium) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
