import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PHOTO_BASE64_LENGTH,
  TECHNOLOGY_CODES,
  formatIssues,
  isValidIin,
  sessionIdSchema,
  sessionMetadataSchema,
  technologyCodeSchema,
} from '../../src/server/metadata.js';

const W1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
const weighted = (first11: string, weights: number[]) =>
  Array.from(first11, Number).reduce((sum, digit, i) => sum + digit * weights[i]!, 0) % 11;

/** The check digit the IIN rules give for 11 digits, or `undefined` when both passes give 10. */
function checkDigit(first11: string): number | undefined {
  const first = weighted(first11, W1);
  if (first !== 10) return first;
  const second = weighted(first11, W2);
  return second === 10 ? undefined : second;
}

/** Walks 11-digit prefixes from a birth-date-shaped start until `accept` likes one. */
function findPrefix(accept: (prefix: string) => boolean): string {
  for (let n = 0; n < 1_000_000; n++) {
    const prefix = `900101${String(n).padStart(5, '0')}`;
    if (accept(prefix)) return prefix;
  }
  throw new Error('no prefix found');
}

const plainPrefix = findPrefix((p) => weighted(p, W1) !== 10);
const fallbackPrefix = findPrefix((p) => weighted(p, W1) === 10 && weighted(p, W2) !== 10);
const impossiblePrefix = findPrefix((p) => weighted(p, W1) === 10 && weighted(p, W2) === 10);
const validIin = plainPrefix + checkDigit(plainPrefix);
const fallbackIin = fallbackPrefix + checkDigit(fallbackPrefix);

const issuesOf = (value: unknown) => {
  const result = sessionMetadataSchema.safeParse(value);
  assert.equal(result.success, false, 'expected the metadata to be refused');
  return formatIssues(result.error!);
};

describe('isValidIin', () => {
  it('accepts an IIN whose check digit comes from weights 1..11', () => {
    assert.equal(isValidIin(validIin), true);
  });

  it('refuses the same IIN with any other check digit', () => {
    for (let d = 0; d <= 9; d++) {
      if (String(d) === validIin[11]) continue;
      assert.equal(isValidIin(plainPrefix + d), false, `check digit ${d}`);
    }
  });

  it('uses weights 3..11,1,2 when the first pass gives 10', () => {
    assert.equal(isValidIin(fallbackIin), true);
    // A first-pass result of 10 is never itself a digit, so every other last digit must fail.
    for (let d = 0; d <= 9; d++) {
      if (String(d) === fallbackIin[11]) continue;
      assert.equal(isValidIin(fallbackPrefix + d), false, `check digit ${d}`);
    }
  });

  it('refuses every IIN whose both passes give 10', () => {
    for (let d = 0; d <= 9; d++) assert.equal(isValidIin(impossiblePrefix + d), false, `check digit ${d}`);
  });

  it('refuses wrong lengths and non-digits', () => {
    assert.equal(isValidIin(validIin.slice(0, 11)), false);
    assert.equal(isValidIin(validIin + '0'), false);
    assert.equal(isValidIin(validIin.slice(0, 11) + 'a'), false);
    assert.equal(isValidIin(` ${validIin.slice(1)}`), false);
    assert.equal(isValidIin('٠'.repeat(12)), false, 'Arabic-Indic digits are not ASCII digits');
  });
});

describe('sessionMetadataSchema', () => {
  it('accepts no metadata fields at all', () => {
    assert.deepEqual(sessionMetadataSchema.parse({}), {});
  });

  it('accepts the three E-Document cases of the vendor guide', () => {
    const phone = '77011234567';
    const cases = [
      { iin: { value: validIin, changeable: false }, phone: { value: phone, changeable: false }, skip_input: true },
      { iin: { value: validIin, changeable: false }, phone: { value: phone } },
      { iin: { value: validIin }, phone: { value: phone, changeable: true } },
    ];
    for (const edocument of cases) assert.deepEqual(sessionMetadataSchema.parse({ edocument }), { edocument });
  });

  it('refuses skip_input unless both values are given and fixed, naming edocument.skip_input', () => {
    const phone = '77011234567';
    const bad = [
      { skip_input: true },
      { iin: { value: validIin, changeable: false }, skip_input: true },
      { iin: { value: validIin, changeable: false }, phone: { value: phone }, skip_input: true },
      { iin: { value: validIin }, phone: { value: phone, changeable: false }, skip_input: true },
      { iin: { changeable: false }, phone: { value: phone, changeable: false }, skip_input: true },
    ];
    for (const edocument of bad) {
      const issues = issuesOf({ edocument });
      assert.deepEqual(issues.map((i) => i.path), ['edocument.skip_input'], JSON.stringify(edocument));
      assert.match(issues[0]!.message, /changeable: false/);
    }
  });

  it('names the IIN field and does not echo its value', () => {
    const issues = issuesOf({ edocument: { iin: { value: plainPrefix + ((Number(validIin[11]) + 1) % 10) } } });
    assert.deepEqual(issues.map((i) => i.path), ['edocument.iin.value']);
    assert.ok(!issues[0]!.message.includes(plainPrefix));
  });

  it('refuses phones that are not 77 and 9 digits', () => {
    for (const value of ['87011234567', '7701123456', '770112345678', '+77011234567']) {
      assert.deepEqual(issuesOf({ edocument: { phone: { value } } }).map((i) => i.path), ['edocument.phone.value'], value);
    }
  });

  it('accepts base64 photos with and without padding', () => {
    for (const photo1 of ['QUJD', 'QUI=', 'QQ==', 'QUI', 'QQ', 'ab+/']) {
      assert.equal(sessionMetadataSchema.safeParse({ face2face: { photo1 } }).success, true, photo1);
    }
  });

  it('refuses empty, non-base64, data-URL and oversized photos', () => {
    const bad = ['', 'QUJD!', 'Q', 'QUI==', 'QU=I', 'ab-_', 'data:image/png;base64,QUJD', 'A'.repeat(MAX_PHOTO_BASE64_LENGTH + 4)];
    for (const photo1 of bad) {
      const issues = issuesOf({ face2face: { photo1 } });
      assert.deepEqual(issues.map((i) => i.path), ['face2face.photo1'], photo1.slice(0, 30));
    }
    assert.match(issuesOf({ face2face: { photo1: 'data:image/png;base64,QUJD' } })[0]!.message, /prefix/);
  });

  it('accepts a photo of exactly the maximum length', () => {
    assert.equal(sessionMetadataSchema.safeParse({ face2face: { photo1: 'A'.repeat(MAX_PHOTO_BASE64_LENGTH) } }).success, true);
  });

  it('accepts known interchangeable technologies and names an unknown one by index', () => {
    assert.equal(sessionMetadataSchema.safeParse({ general: { interchangeable_tech: [...TECHNOLOGY_CODES] } }).success, true);
    assert.deepEqual(
      issuesOf({ general: { interchangeable_tech: ['LD', 'NEW'] } }).map((i) => i.path),
      ['general.interchangeable_tech.1'],
    );
  });

  it('refuses unknown keys at the top level and inside, naming each', () => {
    const issues = issuesOf({ edocuments: {}, edocument: { skipInput: true } });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['edocument.skipInput', 'edocuments']);
  });

  it('reports field errors and a skip_input error together', () => {
    const issues = issuesOf({ edocument: { iin: { value: '1', changeable: false }, skip_input: true } });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['edocument.iin.value', 'edocument.skip_input']);
  });
});

describe('technologyCodeSchema and sessionIdSchema', () => {
  it('passes unknown uppercase technology codes through', () => {
    for (const code of ['LD', 'F2F', 'NEW_TECH', 'X9']) assert.equal(technologyCodeSchema.parse(code), code);
    for (const code of ['ld', '', '2FA', 'A'.repeat(33), 'L D']) assert.equal(technologyCodeSchema.safeParse(code).success, false, code);
  });

  it('accepts UUIDs of any version and case, nothing else', () => {
    for (const id of ['6f9619ff-8b86-d011-b42d-00c04fc964ff', '6F9619FF-8B86-D011-B42D-00C04FC964FF', '00000000-0000-0000-0000-000000000000', crypto.randomUUID()]) {
      assert.equal(sessionIdSchema.safeParse(id).success, true, id);
    }
    for (const id of ['', '6f9619ff8b86d011b42d00c04fc964ff', '../../etc/passwd', '6f9619ff-8b86-d011-b42d-00c04fc964ff/x']) {
      assert.equal(sessionIdSchema.safeParse(id).success, false, id);
    }
  });
});
