// biometric-flow-handoff.js: the handoff's decision, loaded through src/lazy.ts once a handoff can matter.
export * from '../handoff/handoff.js';
