// The Angular example of docs/frameworks.md, compiled by Angular's own compiler (ngc) with
// `strictTemplates`, against the package's types: CUSTOM_ELEMENTS_SCHEMA lets the tag through, and the
// element's events reach `$event` typed from GlobalEventHandlersEventMap.
//
// Angular 21 (the last that runs on Node 20) needs TypeScript 6, and TypeScript 6 cannot be a
// devDependency of this project next to TypeScript 7: both packages have a `tsc` bin, and whichever npm
// linked last would type-check the project. So test/node/angular/ pins Angular and TypeScript 6 in a
// lockfile of its own, and this test installs it into a temporary folder (`npm ci`, about 70 MB, a few
// seconds from npm's cache). Without the registry and the cache, the test is skipped, saying so.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./angular/', import.meta.url));
/** npm's codes for "the registry cannot be reached". */
const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED)\b/;

interface Failure {
  code?: number;
  stdout?: string;
  stderr?: string;
}

/** The first ```ts block of the `## Angular` section of docs/frameworks.md. */
function angularExample(): string {
  const docs = readFileSync(join(root, 'docs', 'frameworks.md'), 'utf8');
  const section = docs.slice(docs.indexOf('\n## Angular'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'docs/frameworks.md has an Angular example');
  // The example calls the host's own function; here it only needs a type.
  return `declare function showOutcome(outcome: 'passed' | 'failed' | 'unconfirmed'): void;\n${block[1]}`;
}

let work: string;
let offline: string | undefined;

/** Compiles `source` as src/verify.component.ts with ngc; resolves with ngc's output when it fails. */
async function compile(source: string): Promise<{ ok: boolean; output: string }> {
  writeFileSync(join(work, 'src', 'verify.component.ts'), source);
  const ngc = join(work, 'node_modules', '@angular', 'compiler-cli', 'bundles', 'src', 'bin', 'ngc.js');
  try {
    await run(process.execPath, [ngc, '-p', 'tsconfig.json'], { cwd: work, timeout: 60_000 });
    return { ok: true, output: '' };
  } catch (error) {
    const failure = error as Failure;
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), 'biometric-flow-angular-'));
    copyFileSync(join(fixture, 'package.json'), join(work, 'package.json'));
    copyFileSync(join(fixture, 'package-lock.json'), join(work, 'package-lock.json'));
    try {
      await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: work, timeout: 120_000 });
    } catch (error) {
      const output = `${(error as Failure).stdout ?? ''}${(error as Failure).stderr ?? ''}`;
      if (!OFFLINE.test(output)) throw new Error(`npm ci of test/node/angular failed:\n${output}`);
      offline = `npm cannot reach the registry: ${OFFLINE.exec(output)![1]}`;
      return;
    }

    // The package's types as `npm run build` makes them (tsconfig.build.json), written here rather than
    // read from dist/, which test/node/package.test.ts rebuilds meanwhile.
    const installed = join(work, 'node_modules', 'biometric-flow');
    await run(
      join(root, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--sourceMap', 'false', '--inlineSources', 'false', '--outDir', join(installed, 'dist')],
      { cwd: root, timeout: 60_000 },
    );
    copyFileSync(join(root, 'package.json'), join(installed, 'package.json'));
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) {
      const link = join(work, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), link, 'dir');
    }

    mkdirSync(join(work, 'src'));
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ES2022',
          moduleResolution: 'bundler',
          lib: ['ES2023', 'DOM'],
          types: [],
          strict: true,
          skipLibCheck: true,
          rootDir: 'src',
          outDir: 'out',
        },
        files: ['src/verify.component.ts'],
        angularCompilerOptions: { strictTemplates: true, strictInjectionParameters: true },
      }),
    );
  },
  { timeout: 180_000 },
);

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Angular (docs/frameworks.md)', () => {
  test('compiles the documented component with CUSTOM_ELEMENTS_SCHEMA and strictTemplates', { timeout: 60_000 }, async (t) => {
    if (offline) return t.skip(offline);
    const { ok, output } = await compile(angularExample());
    assert.ok(ok, `ngc failed:\n${output}`);
    const emitted = readFileSync(join(work, 'out', 'verify.component.js'), 'utf8');
    assert.match(emitted, /ɵɵdomListener\("finished"/, 'the (finished) binding listens to the element event');
  });

  test('types $event of an element event from the event map: a handler for another detail does not compile', { timeout: 60_000 }, async (t) => {
    if (offline) return t.skip(offline);
    const example = angularExample();
    const wrong = example.replace('(flow-error)="onError($event)"', '(flow-error)="onFinished($event)"');
    assert.notEqual(wrong, example, 'the example binds (flow-error) to onError($event)');
    const { ok, output } = await compile(wrong);
    assert.equal(ok, false, 'ngc refuses a flow-error event for a finished handler');
    assert.match(output, /CustomEvent<FlowErrorDetail>' is not assignable to parameter of type 'CustomEvent<FinishedDetail>'/);
  });
});
