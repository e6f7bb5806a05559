/**
 * Where the server helpers write their lines: `console` by default, or the host's own logger.
 *
 * @module
 */
/** Where the handlers report problems. Only redacted strings and plain objects are passed. Default: `console`. */
export interface Logger {
  /** Problems of the caller or the vendor. */
  warn(...args: unknown[]): void;
  /** Problems of the host's own code or configuration. */
  error(...args: unknown[]): void;
  /** What is normal but worth a line (a webhook answered "retry later" while the vendor's result lags); optional. */
  info?(...args: unknown[]): void;
}
