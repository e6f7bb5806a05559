// The example apps install the packed package with `npm ci` from their own lockfiles, which record what
// the package asked for when they were made: a dependency added since (lean-qr, for the handoff's QR)
// would be missing from every app and break its build. Each lockfile must say what package.json says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const own = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
const apps = readdirSync(new URL('examples/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`examples/${entry.name}/package-lock.json`, root)))
  .map((entry) => entry.name)
  // The React Native screen talks to a backend and installs no biometric-flow.
  .filter((app) => 'biometric-flow' in (JSON.parse(readFileSync(new URL(`examples/${app}/package.json`, root), 'utf8')).dependencies ?? {}));

describe('the example apps’ lockfiles', () => {
  it('exist for the apps', () => assert.ok(apps.length >= 8, apps.join(', ')));
  for (const app of apps) {
    it(`${app}: biometric-flow's dependencies, bins and engines as package.json has them, each dependency locked`, () => {
      const lock = JSON.parse(readFileSync(new URL(`examples/${app}/package-lock.json`, root), 'utf8')) as {
        packages: Record<string, { dependencies?: Record<string, string>; bin?: Record<string, string>; engines?: Record<string, string> }>;
      };
      const entry = lock.packages['node_modules/biometric-flow'];
      assert.ok(entry, 'the lockfile has biometric-flow');
      assert.deepEqual(entry.dependencies, own.dependencies, 'regenerate: npm pack, then npm install --package-lock-only in the app');
      const bins = Object.fromEntries(Object.entries(own.bin).map(([name, path]) => [name, path.replace(/^\.\//, '')]));
      assert.deepEqual(entry.bin, bins);
      assert.deepEqual(entry.engines, own.engines);
      for (const name of Object.keys(own.dependencies)) {
        assert.ok(lock.packages[`node_modules/${name}`] ?? lock.packages[`node_modules/biometric-flow/node_modules/${name}`], `${name} is locked`);
      }
    });
  }
});
