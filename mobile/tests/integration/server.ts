import { spawn, type ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const CLI = resolve(__dirname, '../../../.venv/bin/foryou-crm');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface DemoServer {
  baseUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `foryou-crm demo` on a free port with a fresh data dir; resolves once /healthz answers. */
export async function startDemoServer(timeoutMs = 90000): Promise<DemoServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: install the backend first (see mobile/README.md)`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'foryou-mobile-it-'));
  let log = '';
  const child: ChildProcess = spawn(CLI, ['demo', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, FORYOU_DATA_DIR: dataDir, FORYOU_PUBLIC_BASE_URL: baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      await new Promise<void>((res) => {
        const t = setTimeout(() => {
          if (exited === null) child.kill('SIGKILL');
          res();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          res();
        });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop();
      throw new Error(`foryou-crm demo exited with ${exited}:\n${log.slice(-3000)}`);
    }
    try {
      const r = await fetch(`${baseUrl}/healthz`);
      if (r.ok) return { baseUrl, output: () => log, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`foryou-crm demo did not answer /healthz within ${timeoutMs} ms:\n${log.slice(-3000)}`);
}
