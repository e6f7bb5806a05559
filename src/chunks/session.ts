// biometric-flow-session.js: what a start needs only once its session answer is there: the answer's check
// (zod/mini and the schemas), the reading of the flow's messages, and the status poller with the verdict.
// Loaded through src/lazy.ts as a start begins, while the session request is in flight, and awaited only
// when the answer is in (npm run bench -- --network shows it there first).
export { parseFlowMessage } from '../schemas.js';
export { sessionOf } from '../net/session.js';
export { CONFIRM_POLLS, CONFIRM_WAIT_SECONDS, FINAL_STATUSES, HELD_MS, OPEN_POLLS, SEVERED_POLLS, nextPollDelay, outcomeOf, statusOf } from '../status-poller.js';
