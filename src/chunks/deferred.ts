// biometric-flow-deferred.js: what no start needs before its flow shows or it ends. Loaded through
// src/lazy.ts once a flow shows or a start ends (at once for an element in modal or popup mode).
export * from '../deferred.js';
