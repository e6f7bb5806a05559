import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLOWS } from '../../src/emulator/index.js';

const CLI = fileURLToPath(new URL('../../src/emulator/cli.ts', import.meta.url));

describe('biometric-flow-emulator CLI', { timeout: 30_000 }, () => {
  it('prints its URL and the flows with their keys, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('Ctrl+C')) resolve();
        });
        child.once('exit', () => reject(new Error(`the CLI exited early: ${output}`)));
      });
      const url = /emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(url, output);
      for (const flow of DEFAULT_FLOWS) {
        assert.ok(output.includes(flow.name) && output.includes(flow.apiKey), output);
      }
      const response = await fetch(`${url}/api/v1/flows/session/create/`, {
        method: 'POST',
        body: JSON.stringify({ api_key: DEFAULT_FLOWS[0]!.apiKey }),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('prints help', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(output, /--webhook <url>/);
  });

  it('refuses a bad option with exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', 'abc'], { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
  });
});
