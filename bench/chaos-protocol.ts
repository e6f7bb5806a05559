// What the chaos run (bench/chaos.ts) and its host instances (bench/chaos-host.ts) agree on.

/** What the run gives an instance (env `CHAOS_HOST`, JSON). */
export interface ChaosHostConfig {
  name: string;
  redisUrl: string;
  apiBaseUrl: string;
  apiKey: string;
  tokenSecret: string;
  pathToken: string;
  databaseUrl: string;
  sessionTtlSeconds: number;
  graceSeconds: number;
  sweepIntervalMs: number;
  deliveryTimeoutMs: number;
  /** Every vendor call's time limit: what a sweep's claim is sized by, and so how long an instance killed mid-sweep holds its sessions. */
  vendorTimeoutMs: number;
}

/** The header that names a vendor call's source. */
export const SOURCE_HEADER = 'x-chaos-source';
/** The request header that stands for the signed-in user (a real host reads its session cookie). */
export const USER_HEADER = 'x-chaos-user';
