import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLOWS } from '../../src/emulator/index.js';
import { getJson, postJson, walkSession } from './helpers.js';

const CLI = fileURLToPath(new URL('../../src/emulator/cli.ts', import.meta.url));
/** The tests' environment without a fixed key, whatever the machine's has. */
const { BIOMETRIC_EMULATOR_KEY: _unset, ...ENV } = process.env;
const FIXED_KEY = 'dev-key-for-tests-0123456789';

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
      env: ENV,
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
      assert.match(output, /API keys are new on every start/);
      assert.doesNotMatch(output, /Fixed API key/);
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

  for (const [how, args, env, source] of [
    ['--key', ['--key', FIXED_KEY], ENV, '--key'],
    ['BIOMETRIC_EMULATOR_KEY', [], { ...ENV, BIOMETRIC_EMULATOR_KEY: FIXED_KEY }, 'BIOMETRIC_EMULATOR_KEY'],
  ] as const) {
    it(`takes a fixed key for the first flow from ${how}, says so, and keeps the others random`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--quiet', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      try {
        const output = await banner(child);
        assert.ok(output.includes(`Fixed API key in use (from ${source}) for "${DEFAULT_FLOWS[0]!.name}"`), output);
        const firstRow = output.split('\n').find((line) => line.includes(DEFAULT_FLOWS[0]!.name) && line.includes(FIXED_KEY));
        assert.ok(firstRow, output);
        const others = DEFAULT_FLOWS.slice(1).map((flow) => output.split('\n').find((line) => line.includes(flow.name)) ?? '');
        for (const row of others) assert.match(row, /\s[A-Za-z0-9_-]{48}\s/);
        const url = /emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
        const created = await postJson(`${url}/api/v1/flows/session/create/`, { api_key: FIXED_KEY });
        assert.equal(created.status, 200, JSON.stringify(created.body));
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  for (const [what, args, env, message] of [
    ['a short --key', ['--key', 'short'], ENV, /--key must be 16 to 512 printable ASCII characters without spaces/],
    ['a --key with spaces', ['--key', 'has a space in the middle of it'], ENV, /--key must be 16 to 512/],
    ['a BIOMETRIC_EMULATOR_KEY of 513 characters', [], { ...ENV, BIOMETRIC_EMULATOR_KEY: 'x'.repeat(513) }, /BIOMETRIC_EMULATOR_KEY must be 16 to 512/],
    ['more keys than flows', Array.from({ length: 4 }, (_, i) => ['--key', `${FIXED_KEY}-${i}`]).flat(), ENV, /--key given 4 times, for 3 flows/],
    ['one key for two flows', ['--key', FIXED_KEY, '--key', FIXED_KEY], ENV, /two flows share an API key/],
  ] as const) {
    it(`refuses ${what} with exit code 2 and a clear message`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      const [code] = await once(child, 'exit');
      assert.equal(code, 2);
      assert.match(stderr, message);
    });
  }

  it('prints help', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(output, /--webhook <url>/);
    assert.match(output, /--key <key>/);
    assert.match(output, /BIOMETRIC_EMULATOR_KEY/);
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
