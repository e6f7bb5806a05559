#!/usr/bin/env node
// `npm run test:examples`: the apps in examples/ (test/examples), each installed from the packed tarball,
// type-checked, built and walked in Chromium; the runner's own output as it goes, then one closing line
// like `npm test`'s: `N passed, N failed`. Exits non-zero when anything failed or the runner did not run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'biometric-flow-test-examples-'));
const tap = join(work, 'examples.tap');

const code = await new Promise((resolve) => {
  const child = spawn(
    'node',
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      'test/examples/examples.test.ts',
      'test/examples/react-native.test.ts',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  child.on('error', () => resolve(1));
});

const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
rmSync(work, { recursive: true, force: true });
const number = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
const passed = number('pass');
let failed = number('fail') + number('cancelled');
const skipped = number('skipped') + number('todo');
// The runner failed outside any test (a hook, a crash), or ran nothing at all: one failure more. (Apps
// skipped for want of the registry are not failures, except under CI=true, where the test fails them.)
if ((code !== 0 || passed + skipped === 0) && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
