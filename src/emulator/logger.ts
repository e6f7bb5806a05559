/**
 * The emulator's logger: anything with `info`, `warn` and `error` taking one line of text (`console`
 * fits). The emulator is silent unless given one, so tests stay quiet.
 *
 * @module
 */

export interface EmulatorLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** @returns a full logger from a partial one; missing methods do nothing. */
export function toLogger(logger: Partial<EmulatorLogger> | undefined): EmulatorLogger {
  const quiet = () => {};
  return {
    info: logger?.info?.bind(logger) ?? quiet,
    warn: logger?.warn?.bind(logger) ?? quiet,
    error: logger?.error?.bind(logger) ?? quiet,
  };
}
