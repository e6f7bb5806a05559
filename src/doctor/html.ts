/**
 * What the doctor reads from a page's HTML with a plain scan (no DOM): the `<biometric-flow>` tags with
 * their attributes, the policies in `<meta http-equiv>`, and anything that looks like an API key.
 *
 * @module
 */

/** The attributes of one `<biometric-flow>` tag, names in lower case, entities in values decoded. */
export type ElementAttributes = Record<string, string>;

const TAG = /<biometric-flow(?=[\s/>])([^>]*)>/gi;
const ATTRIBUTE = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const META = /<meta\b[^>]*>/gi;

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (whole, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ?? whole;
  });
}

function attributesOf(text: string): ElementAttributes {
  const attributes: ElementAttributes = {};
  for (const match of text.matchAll(ATTRIBUTE)) {
    const name = match[1]!.toLowerCase();
    if (!(name in attributes)) attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** Every `<biometric-flow>` tag in the HTML, in order. */
export function findElements(html: string): ElementAttributes[] {
  return [...html.matchAll(TAG)].map((match) => attributesOf(match[1]!));
}

const SCRIPT_OR_PRELOAD = /<(script|link)\b[^>]*>/gi;

/** The URLs of `<script src>` and `<link rel="modulepreload">`, as written, in order. */
export function scriptSources(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(SCRIPT_OR_PRELOAD)) {
    const attributes = attributesOf(match[0].slice(match[1]!.length + 1, -1));
    const source = match[1]!.toLowerCase() === 'script' ? attributes.src : attributes.rel?.toLowerCase() === 'modulepreload' ? attributes.href : undefined;
    if (source) found.push(source);
  }
  return found;
}

/** The `content` of every `<meta http-equiv="<name>">` (case-insensitive name). */
export function metaPolicies(html: string, name: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(META)) {
    const attributes = attributesOf(tag.slice(5, -1));
    if (attributes['http-equiv']?.toLowerCase() === name.toLowerCase() && attributes.content) found.push(attributes.content);
  }
  return found;
}

/** A vendor key is 47 or more characters (docs/vendor.md); base64 and base64url alphabets. */
const KEY_NEAR_NAME = /(?:flow_api_key|api[_-]?key)\\?["']?\s*(?:[:=]|&quot;:)\s*\\?["']?(?:&quot;)?([A-Za-z0-9_\-+/=.]{47,})/gi;

/** One value that looks like an API key, never kept whole. */
export interface KeyLookalike {
  /** What it was next to (`api_key`, `apiKey`, `flow_api_key`...). */
  name: string;
  /** The first four characters and the length: `abcd… (48 characters)`. */
  redacted: string;
}

export function redact(value: string): string {
  return `${value.slice(0, 4)}… (${value.length} characters)`;
}

/** Values of 47+ token characters right after a name like `api_key`, `apiKey` or `flow_api_key` (JSON, JS, query, attribute). */
export function findKeyLookalikes(text: string): KeyLookalike[] {
  const found: KeyLookalike[] = [];
  for (const match of text.matchAll(KEY_NEAR_NAME)) {
    const name = /^(flow_api_key|api[_-]?key)/i.exec(match[0])![1]!;
    found.push({ name, redacted: redact(match[1]!) });
  }
  return found;
}
