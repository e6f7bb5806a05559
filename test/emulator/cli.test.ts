import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLOWS } from '../../src/emulator/index.js';
import { getJson, postJson, walkSession } from './helpers.js';

const CLI = fileURLToPath(new URL('../../src/emulator/cli.ts', import.meta.url));

/** @returns the CLI's output up to the end of its banner. */
function banner(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  let output = '';
  child.stdout.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ctrl+C')) resolve(output);
    });
    child.once('exit', () => reject(new Error(`the CLI exited early: ${output}`)));
  });
}

describe('biometric-flow-emulator CLI', { timeout: 30_000 }, () => {
  it('prints its URL and the flows with this run’s keys, serves with a 3 s result delay, and exits cleanly on SIGTERM', async () => {
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
      const keys = DEFAULT_FLOWS.map((flow) => {
        const line = output.split('\n').find((candidate) => candidate.includes(flow.name));
        const key = line && /\s([A-Za-z0-9_-]{48})\s/.exec(line)?.[1];
        assert.ok(key, `no key printed for ${flow.name}:\n${output}`);
        return key;
      });
      assert.equal(new Set(keys).size, keys.length);
      const created = await postJson(`${url}/api/v1/flows/session/create/`, { api_key: keys[0] }, null);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const id: string = created.body.session_id;
      await walkSession({ url }, id, ['LD', 'F2F']);
      const query = new URLSearchParams({ session_id: id, flow_api_key: keys[0]! });
      assert.deepEqual((await getJson(`${url}/api/v1/flows/session/result/?${query}`)).body, {});
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('takes fault flags, says which are on, and misbehaves as they ask', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--quiet', '--result-error-rate', '1', '--seed=-3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const output = await banner(child);
      assert.match(output, /Faults: --result-error-rate 1 \(seed -3\)/);
      const url = /emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      const key = /\s([A-Za-z0-9_-]{48})\s/.exec(output)![1]!;
      const id = (await postJson(`${url}/api/v1/flows/session/create/`, { api_key: key })).body.session_id;
      const query = new URLSearchParams({ session_id: id, flow_api_key: key });
      const result = await getJson(`${url}/api/v1/flows/session/result/?${query}`);
      assert.ok([500, 502, 503].includes(result.status), `status ${result.status}`);
    } finally {
      child.kill('SIGKILL');
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

  for (const args of [
    ['--port', 'abc'],
    ['--result-delay', 'soon'],
    ['--allowed-origin', 'host.example'],
    ['--webhook-drop-rate', '2'],
    ['--result-timeout-rate', 'often'],
    ['--seed', '1.5'],
  ]) {
    it(`refuses ${args.join(' ')} with exit code 2`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], { stdio: 'ignore' });
      const [code] = await once(child, 'exit');
      assert.equal(code, 2);
    });
  }
});
