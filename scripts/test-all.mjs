#!/usr/bin/env node
// `npm test`: every suite in turn, each one's own output as it runs, and one closing line that sums them
// all: `N passed, N failed`. Exits non-zero when anything failed or a suite could not run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'biometric-flow-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSuites = [];
/** Each failed test's name, printed again at the end: a CI log may keep only its last lines. */
const failedTests = [];

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

function testFiles(dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

/** One check that is not a test runner (typecheck, manifest freshness): counts as one test. */
async function check(name, command, args) {
  console.log(`\n▶ ${name}`);
  const code = await run(command, args);
  if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failedSuites.push(name);
  }
}

/** The names of the failed tests in a TAP report, each with its suites' names. */
function tapFailures(text) {
  const path = [];
  const failures = [];
  for (const line of text.split('\n')) {
    const subtest = line.match(/^( *)# Subtest: (.*)$/);
    if (subtest) {
      const depth = subtest[1].length / 4;
      path.length = depth;
      path[depth] = subtest[2];
      continue;
    }
    const result = line.match(/^( *)not ok \d+ - (.*?)(?: # .*)?$/);
    if (result) failures.push([...path.slice(0, result[1].length / 4), result[2]].join(' › '));
  }
  // a suite fails with its tests: name only the tests
  return failures.filter((failure) => !failures.some((other) => other.startsWith(`${failure} › `)));
}

/** Node's test runner over some files; counts come from its TAP summary. */
async function nodeSuite(name, files, extraArgs = []) {
  if (files.length === 0) return;
  console.log(`\n▶ ${name}`);
  const tap = join(work, `${name.replace(/\W+/g, '-')}.tap`);
  const code = await run('node', [
    '--import',
    'tsx',
    '--test',
    ...extraArgs,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const number = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = number('pass');
  const failed = number('fail') + number('cancelled');
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += number('skipped') + number('todo');
  failedTests.push(...tapFailures(text).map((test) => `${name}: ${test}`));
  if (code !== 0 || failed > 0 || passed === 0) {
    failedSuites.push(name);
    if (failed === 0) totals.failed += 1; // the runner failed outside any test
  }
}

/** Web Test Runner in Chromium, Firefox and WebKit; counts come from test/support/counting-reporter.mjs. */
async function browserSuite() {
  console.log('\n▶ element tests (Chromium, Firefox, WebKit)');
  const countFile = join(work, 'wtr.json');
  const code = await run('npx', ['web-test-runner'], { WTR_COUNT_FILE: countFile });
  const counts = existsSync(countFile) ? JSON.parse(readFileSync(countFile, 'utf8')) : undefined;
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
    failedTests.push(...(counts.failures ?? []).map((test) => `element tests, ${test}`));
  }
  if (code !== 0 || !counts || counts.failed > 0 || counts.passed === 0) {
    failedSuites.push('element tests');
    if (!counts || counts.failed === 0) totals.failed += 1;
  }
}

await check('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
await check('custom-elements.json is current', 'node', ['scripts/check-manifest.mjs']);
// The page weight every host pays; builds dist/ first when it is missing or stale.
await check('size budget of the CDN file', 'node', ['scripts/bench.mjs', '--sizes=cdn']);
await nodeSuite('node tests', [...testFiles('test/node'), ...testFiles('test/server'), ...testFiles('test/emulator')]);
await browserSuite();
await nodeSuite('end-to-end tests', testFiles('test/e2e'), ['--test-concurrency=1']);
// Each app of examples/, made by its framework's own tooling, installs the packed package, type-checks,
// builds and reaches a verdict in Chromium (npm run test:examples runs only these).
await nodeSuite('example apps', testFiles('test/examples'));

rmSync(work, { recursive: true, force: true });
if (failedTests.length > 0) console.log(`\nFailed tests:\n${failedTests.map((test) => `  ${test}`).join('\n')}`);
if (failedSuites.length > 0) console.log(`\nFailed: ${failedSuites.join(', ')}`);
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(failedSuites.length > 0 ? 1 : 0);
