// The React Native screen of docs/native.md (examples/react-native/), type-checked against the real
// react-native and react-native-webview types. They come from the example's own package.json and
// lockfile, installed here (`npm ci --ignore-scripts` from npm's cache, about 200 MB), not as the
// project's devDependencies: every `npm ci` of the project would carry them otherwise. Without the
// registry and the cache the check is skipped, saying so, except under CI=true, where that is a failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandError, copyApp, OFFLINE, run } from './support.js';

const examples = fileURLToPath(new URL('../../examples', import.meta.url));
let work: string;
let app: string;
let offline: string | undefined;

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), 'biometric-flow-react-native-'));
    app = copyApp(examples, 'react-native', work);
    try {
      // No install scripts: only the types are needed, and react-native's scripts build native code.
      await run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, timeoutMs: 240_000 });
    } catch (error) {
      const output = error instanceof CommandError ? error.output : String(error);
      if (!OFFLINE.test(output) || process.env.CI === 'true') throw error;
      offline = `npm cannot reach the registry: ${OFFLINE.exec(output)![1]}`;
    }
  },
  { timeout: 260_000 },
);
after(() => work && rmSync(work, { recursive: true, force: true }));

async function typecheck(): Promise<string> {
  return run(join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: app, timeoutMs: 120_000 }).catch(
    (error: CommandError) => error.output,
  );
}

function skipIfOffline(t: TestContext): boolean {
  if (offline) t.skip(offline);
  return offline !== undefined;
}

describe('the React Native example', { timeout: 300_000 }, () => {
  it('type-checks against react-native and react-native-webview', async (t) => {
    if (skipIfOffline(t)) return;
    assert.equal((await typecheck()).trim(), '');
  });

  it('fails the type-check on a WebView prop the library does not have, so the types are real', async (t) => {
    if (skipIfOffline(t)) return;
    writeFileSync(
      join(app, 'wrong.tsx'),
      `import { WebView } from 'react-native-webview';\nexport const view = <WebView source={{ uri: 'https://x.example' }} mediaCapturePermissionGrantType="always" />;\n`,
    );
    try {
      assert.match(await typecheck(), /wrong\.tsx\(2,\d+\): error TS/);
    } finally {
      rmSync(join(app, 'wrong.tsx'));
    }
  });
});
