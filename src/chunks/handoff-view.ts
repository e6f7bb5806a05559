// biometric-flow-handoff-view.js: the handoff's view, its texts and the QR library, loaded through
// src/lazy.ts only once a start may go to a phone.
export * from '../handoff/handoff-view.js';
