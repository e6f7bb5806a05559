// Every reason code has its sentence in every locale, in that locale's own script, and no sentence asks for
// a retry that cannot help or coaches a spoof.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LOCALES } from '../../src/i18n/locale.js';
import { REASON_TEXTS, reasonText } from '../../src/i18n/reasons.js';
import { REASON_ADVICE, REASON_CODES } from '../../src/reason-codes.js';
import { reasonCode } from '../../src/server/vendor-reasons.js';

/** Names written in Latin letters whatever the language. */
const PROPER_NAMES = /\beGov\b/g;
/** Letters of the Kazakh alphabet that Russian does not have. */
const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
/** "Try again" in each language, which a reason a new try cannot fix must not say. */
const TRY_AGAIN: Record<(typeof LOCALES)[number], RegExp> = {
  ru: /попробуйте (ещё раз|снова)|повторите/i,
  kk: /қайталап көр/i,
  en: /try again/i,
};

describe('reason texts', () => {
  it('give every reason code one non-empty sentence or two in every locale, and nothing else', () => {
    for (const locale of LOCALES) {
      const texts = REASON_TEXTS[locale];
      assert.deepEqual(Object.keys(texts).sort(), [...REASON_CODES].sort(), locale);
      for (const code of REASON_CODES) {
        const text = texts[code];
        assert.ok(text.trim().length > 10, `${locale} ${code} is empty`);
        assert.match(text, /^\S.*[.!]$/, `${locale} ${code} is not a sentence`);
        assert.ok(text.split(/[.!]\s/).length <= 2, `${locale} ${code} has more than two sentences`);
      }
    }
  });

  it('write ru and kk in Cyrillic (proper names aside), kk in Kazakh rather than Russian, en in Latin', () => {
    for (const code of REASON_CODES) {
      for (const locale of ['ru', 'kk'] as const) {
        assert.doesNotMatch(REASON_TEXTS[locale][code].replace(PROPER_NAMES, ''), /[A-Za-z]/, `${locale} ${code} has Latin words`);
      }
      assert.doesNotMatch(REASON_TEXTS.en[code], /[\u0400-\u04ff]/, `en ${code} has Cyrillic words`);
      assert.match(REASON_TEXTS.kk[code], KAZAKH_LETTERS, `kk ${code} reads as Russian`);
      assert.doesNotMatch(REASON_TEXTS.ru[code], KAZAKH_LETTERS, `ru ${code} has Kazakh letters`);
      assert.notEqual(REASON_TEXTS.kk[code], REASON_TEXTS.ru[code], code);
    }
  });

  it('say "try again" for no reason a new try cannot fix', () => {
    for (const code of REASON_CODES.filter((candidate) => !REASON_ADVICE[candidate].retry)) {
      for (const locale of LOCALES) assert.doesNotMatch(REASON_TEXTS[locale][code], TRY_AGAIN[locale], `${locale} ${code}`);
    }
  });

  it('tell a spoof-like reason only that a check did not pass', () => {
    for (const detail of ['Mask Attack', 'Incorrect image hash']) {
      for (const locale of LOCALES) {
        const text = reasonText(locale, reasonCode(detail, 'CALC_RESULT'));
        assert.equal(text, REASON_TEXTS[locale]['check-failed'], `${locale} ${detail}`);
        assert.doesNotMatch(text, /mask|маск|light|свет|жарық|camera|камер|hash|image/i, `${locale} ${detail}`);
      }
    }
  });

  it("give a code that is not known vendor-error's sentence", () => {
    for (const locale of LOCALES) {
      for (const code of ['something-new', undefined, 42]) assert.equal(reasonText(locale, code), REASON_TEXTS[locale]['vendor-error']);
      assert.equal(reasonText(locale, 'eyes-closed'), REASON_TEXTS[locale]['eyes-closed']);
    }
  });
});

describe('README: Failure reasons', () => {
  it('lists every code with who fixes it, whether a new try helps, the next step and the English sentence', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Failure reasons'), readme.indexOf('### The emulator'));
    const rows = [...section.matchAll(/^\| `([a-z-]+)` \| .+? \| (the person|the site|nobody now) \| (yes|no: [a-z-]+) \| (.+) \|$/gm)];
    const fixers = { person: 'the person', site: 'the site', 'nobody-now': 'nobody now' };
    assert.deepEqual(
      rows.map(([, code, fixer, retry, text]) => [code, fixer, retry, text]),
      REASON_CODES.map((code) => {
        const advice = REASON_ADVICE[code];
        return [code, fixers[advice.fixer], advice.retry ? 'yes' : `no: ${advice.next}`, REASON_TEXTS.en[code]];
      }),
    );
  });
});
