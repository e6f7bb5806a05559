import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the element entry imports in Node (no DOM) without throwing', async () => {
  const entry = await import('../../src/index.js');
  assert.equal(typeof entry.BiometricFlowElement, 'function');
  assert.equal(entry.TAG_NAME, 'biometric-flow');
  assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
});
