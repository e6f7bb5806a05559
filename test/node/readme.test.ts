import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

// The README's tables are the reference people read; the manifest is what the source declares. They
// must name the same things.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const manifest = JSON.parse(readFileSync(new URL('../../custom-elements.json', import.meta.url), 'utf8'));
const element = manifest.modules
  .flatMap((module: { declarations?: unknown[] }) => module.declarations ?? [])
  .find((declaration: { customElement?: boolean }) => declaration.customElement);

/** The first cells of every README table row: `| \`name\` | ...`. */
const tableNames = new Set(
  [...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]),
);

function missing(names: string[]): string[] {
  return names.filter((name) => !tableNames.has(name));
}

test('every attribute of the manifest is in a README table', () => {
  const names = element.attributes.map((attribute: { name: string }) => attribute.name);
  assert.ok(names.length >= 11);
  assert.deepEqual(missing(names), []);
});

test('every event of the manifest is in a README table', () => {
  const names = element.events.map((event: { name: string }) => event.name);
  assert.equal(names.length, 7);
  assert.deepEqual(missing(names), []);
});

test('every slot, part and custom property of the manifest is in a README table', () => {
  const slots = element.slots.map((slot: { name: string }) => slot.name);
  const parts = element.cssParts.map((part: { name: string }) => part.name);
  const properties = element.cssProperties.map((property: { name: string }) => property.name);
  assert.deepEqual(missing([...slots, ...parts, ...properties]), []);
});

test('every public method and property of the manifest is in a README table', () => {
  const members = element.members
    .filter((member: { privacy?: string; static?: boolean; name: string }) => member.privacy !== 'private' && !member.static && !member.name.startsWith('_'))
    .filter((member: { attribute?: string }) => !element.attributes.some((a: { fieldName?: string }) => a.fieldName === (member as { name: string }).name));
  const names = members.map((member: { kind: string; name: string }) => (member.kind === 'method' ? `${member.name}()` : member.name));
  assert.ok(names.includes('start()') && names.includes('context'), names.join(', '));
  assert.deepEqual(missing(names), []);
});

/** The anchors of the README's headings, as GitHub and npm make them. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

test('the README anchors the console messages, the doctor and the README itself point to exist', () => {
  const anchors = headingAnchors(readme);
  assert.ok(anchors.has('popups-and-cross-origin-opener-policy') && anchors.has('troubleshooting'), [...anchors].join(', '));
  const used = (file: string) =>
    [...readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').matchAll(/'#([a-z0-9-]+)'/g)].map((match) => match[1]!);
  const deferred = used('src/diagnostics/explain.ts');
  // Every configuration mistake the element tells of names its section (see explain() in src/diagnostics/explain.ts).
  assert.ok(deferred.length >= 13, deferred.join(', '));
  const doctor = used('src/doctor/doctor.ts');
  assert.ok(doctor.length >= 5, doctor.join(', '));
  const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!);
  assert.ok(links.length > 0);
  assert.deepEqual([...deferred, ...doctor, ...links].filter((anchor) => !anchors.has(anchor)), []);
});

test('the README links into the repository by absolute URLs to files that exist, so the links work on npm too', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    repository: { url: string };
    homepage: string;
    bugs: { url: string };
  };
  const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
  assert.equal(pkg.homepage, `${repository}#readme`);
  assert.equal(pkg.bugs.url, `${repository}/issues`);
  const relative = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)]+)\)/g)].map((match) => match[1]);
  assert.deepEqual(relative, [], 'a relative link breaks on npmjs.com, where the tarball has no docs/ or examples/');
  // Links to other projects (a React issue, say) are not ours to check.
  const links = [...readme.matchAll(/\]\((https:\/\/github\.com\/[^)]+)\)/g)]
    .map((match) => match[1]!)
    .filter((link) => link.startsWith(`${repository}/`));
  assert.ok(links.length >= 5, links.join(', '));
  for (const link of links) {
    const path = new RegExp(`^${repository.replace(/[.]/g, '\\.')}/(?:blob|tree)/main/([^#]+)`).exec(link)?.[1];
    assert.ok(path, `${link} points into ${repository}`);
    assert.ok(existsSync(new URL(`../../${path}`, import.meta.url)), `${path} exists`);
  }
});
