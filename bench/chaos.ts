// The chaos run (issue 21 item 4): two host instances (bench/chaos-host.ts, child processes) share a real
// redis-server behind a round-robin balancer; the emulator plays the vendor with its faults on (result
// errors and hangs, `{}` after the end, webhooks dropped, repeated, reordered and late, sessions that
// finish after their expiry); simulated browsers make sessions for many references, and close right
// after the end, never finish, or poll; one instance is killed (SIGKILL) mid-run and started again;
// forged webhooks for real session ids claim the wrong outcome; the host's database fails or hangs on
// some writes. Then every session's deliveries are checked against what really happened.
//
// `runChaos()` is used by `npm run bench -- --chaos` (this file run directly: bigger, printed) and by
// test/server/chaos.test.ts (smaller, inside `npm test`).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import type { EmulatorFaults } from '../src/emulator/index.js';
import { mulberry32 } from '../src/emulator/faults.js';
import { Redis } from 'ioredis';
import { startRedis } from '../test/server/redis-server.js';
import { SOURCE_HEADER, USER_HEADER } from './chaos-protocol.js';
import type { ChaosHostConfig } from './chaos-protocol.js';

/** How a run is set up. */
export interface ChaosOptions {
  sessions: number;
  references: number;
  seed: number;
  /** Share of browsers that close right after the end (no poll after it). */
  closeShare: number;
  /** Share of sessions never finished (the browser goes away mid-flow). */
  neverShare: number;
  /** Share of finished sessions that fail. */
  failShare: number;
  /** Share of sessions that get a forged `flow.end` claiming the opposite outcome. */
  forgedShare: number;
  /** Share of the host database's writes that fail (500), and that hang (never answered). */
  databaseFailureRate: number;
  databaseHangRate: number;
  sessionTtlSeconds: number;
  graceSeconds: number;
  sweepIntervalMs: number;
  deliveryTimeoutMs: number;
  /** The instances' time limit on each vendor call, in ms. */
  vendorTimeoutMs: number;
  /** The emulator's `{}` after the end, in ms. */
  resultDelayMs: number;
  /** How often a polling browser asks the status endpoint, in ms. */
  pollMs: number;
  /** Sessions are created over this long, in ms. */
  spreadMs: number;
  /** How long a person takes in the flow, in ms (uniform in this range). */
  flowMs: [number, number];
  /** When instance A is killed, and how long it stays down, in ms from the start. */
  killAtMs: number;
  downMs: number;
  faults: EmulatorFaults;
  /** The run gives up waiting for deliveries after this long, in ms. */
  timeLimitMs: number;
}

/** What a run found. */
export interface ChaosFigures {
  sessions: number;
  references: number;
  /** Sessions whose final verdict reached the host database exactly once (a correction after `expired` counted on its own). */
  deliveredOnce: number;
  /** Sessions that got `expired` and then their real verdict, once, as its correction. */
  corrected: number;
  /** Sessions whose verdict never reached the host database. */
  lost: number;
  /** Verdicts whose onVerdict returned successfully more than once (beyond the first). */
  duplicates: number;
  /**
   * Writes the host database saw again for one verdict although onVerdict returned once: an attempt
   * that wrote but did not return within deliveryTimeoutMs, or whose instance was killed before the
   * ledger marked it; the retry writes again, and an upsert by sessionId (the idempotency key) absorbs it.
   */
  repeatedWrites: number;
  /** Writes with another reference than the session's. */
  wrongReference: number;
  /** Forged `flow.end` webhooks posted, and writes whose outcome is what a forgery claimed and not what happened. */
  forgedPosted: number;
  forgedAccepted: number;
  /** Vendor result calls per session, all sources (median, max), and per source in total. */
  vendorCallsMedian: number;
  vendorCallsMax: number;
  vendorCallsBySource: Record<string, number>;
  /** From the flow's end to the first write of its verdict, in ms, for sessions whose result was not held past expiry. */
  endToVerdictP50: number;
  endToVerdictP95: number;
  /** Which source delivered the final verdicts. */
  via: Record<string, number>;
  /** Writes the host database refused or left hanging (each retried by the ledger). */
  databaseFailures: number;
  /** Sessions made on the vendor that no browser got an answer for (the instance died first): delivered too, not counted above. */
  orphans: number;
  kills: number;
  /** One line per session that was lost, delivered twice or with a wrong outcome: what it was told. */
  problems: string[];
  /** When every session had its verdict, in ms from the start (the time limit when one never did). */
  settledMs: number;
  elapsedMs: number;
}

/** The defaults of `npm run bench -- --chaos`. */
export const BENCH_CHAOS: ChaosOptions = {
  sessions: 400,
  references: 40,
  seed: 21,
  closeShare: 0.3,
  neverShare: 0.1,
  failShare: 0.3,
  forgedShare: 0.15,
  databaseFailureRate: 0.1,
  databaseHangRate: 0.03,
  sessionTtlSeconds: 12,
  graceSeconds: 2,
  sweepIntervalMs: 500,
  deliveryTimeoutMs: 5000,
  vendorTimeoutMs: 2500,
  resultDelayMs: 1500,
  pollMs: 1000,
  spreadMs: 12_000,
  flowMs: [500, 4000],
  killAtMs: 5000,
  downMs: 1500,
  faults: {
    seed: 21,
    resultErrorRate: 0.1,
    resultTimeoutRate: 0.03,
    resultHangMs: 2500,
    webhookDropRate: 0.2,
    webhookDuplicateRate: 0.1,
    webhookReorderRate: 0.1,
    webhookLateRate: 0.1,
    webhookLateMs: 3000,
    finishAfterExpiryRate: 0.05,
    finishAfterExpiryMs: 4000,
  },
  timeLimitMs: 150_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Forwards a request to `target` (`http://host:port`); rejects when the target cannot be reached before it answered. */
function forward(target: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url ?? '/', target);
    const upstream = httpRequest(url, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      answer.on('end', resolve);
      answer.on('error', () => {
        response.destroy();
        resolve();
      });
    });
    upstream.on('error', reject);
    // A client that goes away (a timed-out vendor call) ends the upstream request too.
    response.on('close', () => upstream.destroy());
    upstream.end(body);
  });
}

interface Delivery {
  sessionId: string;
  reference: string;
  outcome: string;
  via: string;
  attempt: number;
  corrects?: string;
  instance: string;
  at: number;
}

interface Planned {
  index: number;
  user: string;
  kind: 'never' | 'close' | 'poll';
  fails: boolean;
  forged: boolean;
  sessionId?: string;
  token?: string;
  madeAt?: number;
  endedAt?: number;
}

const percentile = (values: number[], share: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
};

/**
 * Runs the chaos set-up once.
 *
 * @returns the figures; the caller decides what must hold.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const started = Date.now();
  const dice = mulberry32(options.seed);
  const pathToken = `chaos-path-token-${randomUUID()}`;
  const tokenSecret = `chaos-token-secret-${randomUUID()}`;
  const cleanups: (() => Promise<void>)[] = [];

  try {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    // To say what the ledger holds for a session that went wrong.
    const redisClient = new Redis(redis.url);
    cleanups.push(async () => {
      redisClient.disconnect();
    });

    // The host's own database: what onVerdict writes. Some writes fail, some hang. A write counts once
    // its answer has gone to an instance that still waited for it (one that gave up rolled it back).
    const deliveries: Delivery[] = [];
    let databaseFailures = 0;
    const database = createServer(async (request, response) => {
      const body = JSON.parse((await readBody(request)).toString('utf8')) as Delivery;
      const roll = dice();
      if (roll < options.databaseFailureRate) {
        databaseFailures++;
        response.writeHead(500).end();
      } else if (roll < options.databaseFailureRate + options.databaseHangRate) {
        databaseFailures++; // never answered: the instance's onVerdict times out
      } else {
        const at = Date.now();
        response.on('finish', () => {
          if (!request.socket.destroyed) deliveries.push({ ...body, at });
        });
        response.writeHead(204).end();
      }
    });
    const databaseUrl = await listen(database);
    cleanups.push(() => close(database));

    // The balancer: round robin over the live instances; an instance that cannot be reached is skipped.
    const live: { name: string; url: string }[] = [];
    let turn = 0;
    const balancer = createServer(async (request, response) => {
      const body = await readBody(request);
      for (let tries = 0; tries < live.length + 1; tries++) {
        const target = live[turn++ % Math.max(1, live.length)];
        if (target === undefined) break;
        try {
          await forward(target.url, request, body, response);
          return;
        } catch {
          // Killed: the next one.
        }
      }
      if (!response.headersSent) response.writeHead(502).end();
    });
    const balancerUrl = await listen(balancer);
    cleanups.push(() => close(balancer));

    const emulator = await startEmulator({
      webhooks: [`${balancerUrl}/webhooks/${pathToken}`],
      sessionTtlMs: options.sessionTtlSeconds * 1000,
      resultDelayMs: options.resultDelayMs,
      webhookRetry: { attempts: 5, baseDelayMs: 300 },
      webhookTimeoutMs: 3000,
      faults: options.faults,
    });
    cleanups.push(() => emulator.close());
    const flow = emulator.flows[0]!;

    // In front of the vendor: counts the result calls per session and source.
    const calls = new Map<string, number>();
    const bySource: Record<string, number> = {};
    // Per session: when (ms from the start), by whom, and what the vendor answered (status, or a body's start).
    const callLog = new Map<string, string[]>();
    const vendor = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://vendor');
      if (url.pathname.includes('/session/result/')) {
        const id = url.searchParams.get('session_id') ?? '';
        calls.set(id, (calls.get(id) ?? 0) + 1);
        const source = String(request.headers[SOURCE_HEADER] ?? 'other');
        bySource[source] = (bySource[source] ?? 0) + 1;
        const asked = Date.now() - started;
        response.on('close', () => {
          const log = callLog.get(id) ?? [];
          log.push(`${asked} ${source} ${response.headersSent ? response.statusCode : 'dropped'}`);
          callLog.set(id, log);
        });
      }
      const body = await readBody(request);
      forward(emulator.url, request, body, response).catch(() => {
        if (!response.headersSent) response.writeHead(502).end();
      });
    });
    const vendorUrl = await listen(vendor);
    cleanups.push(() => close(vendor));

    // Each successful return of onVerdict, per verdict (session, outcome, correction): more than one is a
    // duplicate delivery. The database may see a write more often than that: an attempt that wrote but
    // did not return in time, or whose instance was killed before the ledger's mark, is retried and
    // writes again (the idempotency key, sessionId, absorbs it; such repeats are counted apart).
    const returned = new Map<string, number>();
    const instances = new Map<string, ChildProcess>();
    const startInstance = async (name: string): Promise<void> => {
      const config: ChaosHostConfig = {
        name,
        redisUrl: redis.url,
        apiBaseUrl: vendorUrl,
        apiKey: flow.apiKey,
        tokenSecret,
        pathToken,
        databaseUrl,
        sessionTtlSeconds: options.sessionTtlSeconds,
        graceSeconds: options.graceSeconds,
        sweepIntervalMs: options.sweepIntervalMs,
        deliveryTimeoutMs: options.deliveryTimeoutMs,
        vendorTimeoutMs: options.vendorTimeoutMs,
      };
      const child = fork(fileURLToPath(new URL('./chaos-host.ts', import.meta.url)), [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, CHAOS_HOST: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      instances.set(name, child);
      child.on('message', (message: { type: string; sessionId?: string; outcome?: string; corrects?: string }) => {
        if (message.type !== 'returned') return;
        const key = `${message.sessionId}/${message.outcome}/${message.corrects}`;
        returned.set(key, (returned.get(key) ?? 0) + 1);
      });
      const url = await new Promise<string>((resolve, reject) => {
        const onReady = (message: { type: string; url: string }) => {
          if (message.type !== 'ready') return;
          child.off('message', onReady);
          resolve(message.url);
        };
        child.on('message', onReady);
        child.once('exit', (code) => reject(new Error(`instance ${name} exited (${code}) before it was ready`)));
      });
      live.push({ name, url });
    };
    const stopInstance = async (name: string, signal: NodeJS.Signals): Promise<void> => {
      const child = instances.get(name);
      live.splice(live.findIndex((entry) => entry.name === name) >>> 0, 1);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    };
    cleanups.push(async () => {
      await Promise.all([...instances.keys()].map((name) => stopInstance(name, 'SIGTERM')));
    });
    await Promise.all([startInstance('A'), startInstance('B')]);

    const planned: Planned[] = Array.from({ length: options.sessions }, (_, index) => {
      const kindRoll = dice();
      return {
        index,
        user: `user-${index % options.references}`,
        kind: kindRoll < options.neverShare ? 'never' : kindRoll < options.neverShare + options.closeShare ? 'close' : 'poll',
        fails: dice() < options.failShare,
        forged: dice() < options.forgedShare,
      };
    });
    const flowTimes = planned.map(() => options.flowMs[0] + dice() * (options.flowMs[1] - options.flowMs[0]));
    let forgedPosted = 0;

    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

    const forge = async (session: Planned) => {
      const claimsPassed = session.fails || session.kind === 'never';
      forgedPosted++;
      await post(`${balancerUrl}/webhooks/${pathToken}`, {
        id: randomUUID(),
        event: 'flow.end',
        session_id: session.sessionId,
        created: Math.floor(Date.now() / 1000),
        success: claimsPassed,
        flow_name: flow.name,
        metadata: {},
        data: { session_result: { status: claimsPassed ? 'FINISHED' : 'FAILED', session_id: session.sessionId, flow_session_result: claimsPassed } },
      }).catch(() => undefined);
    };

    const browser = async (session: Planned): Promise<void> => {
      await sleep((session.index / options.sessions) * options.spreadMs);
      // A person whose start failed (the instance died under the request) presses the button again.
      const answers: string[] = [];
      for (let tries = 0; tries < 20 && session.sessionId === undefined; tries++) {
        const answer = await post(`${balancerUrl}/session`, { locale: 'en' }, { [USER_HEADER]: session.user }).catch((error: unknown) => String(error));
        if (typeof answer !== 'string' && answer.ok) {
          const body = (await answer.json()) as { session_id: string; status_token: string };
          session.sessionId = body.session_id;
          session.token = body.status_token;
          session.madeAt = Date.now();
        } else {
          answers.push(typeof answer === 'string' ? answer : `${answer.status} ${await answer.text()}`);
          await sleep(250);
        }
      }
      if (session.sessionId === undefined) throw new Error(`session ${session.index} could not be made: ${answers.join('; ')}`);
      let open = true;
      let final = false;
      const poll = async () => {
        while (open && !final) {
          await sleep(options.pollMs);
          if (!open) return;
          const answer = await fetch(`${balancerUrl}/status?session_id=${session.sessionId}`, {
            headers: { 'Biometric-Status-Token': session.token!, [USER_HEADER]: session.user },
          }).catch(() => undefined);
          if (answer?.ok) {
            const { status } = (await answer.json()) as { status: string };
            final = status === 'FINISHED' || status === 'FAILED';
          }
        }
      };
      const polling = poll();
      if (session.forged && dice() < 0.5) await forge(session);
      await sleep(flowTimes[session.index]!);
      if (session.kind === 'never') {
        open = false;
        await polling;
        return;
      }
      // Events go to the flow as its page sends them; one refused (the session expired meanwhile) ends the walk.
      const event = async (body: Record<string, unknown>) => (await post(`${emulator.url}/flow/${session.sessionId}/events`, body)).ok;
      let walking = true;
      for (const [position, code] of flow.technologies.entries()) {
        const success = !(session.fails && position === flow.technologies.length - 1);
        walking &&= (await event({ type: 'technology.start', technology_code: code })) && (await event({ type: 'technology.end', technology_code: code, success }));
      }
      if (walking && (await event({ type: 'flow.end' }))) session.endedAt = Date.now();
      if (session.kind === 'close') open = false;
      if (session.forged) await forge(session);
      // A polling browser stops once it saw a final status, or after the session's lifetime.
      const giveUp = sleep(options.sessionTtlSeconds * 1000).then(() => {
        open = false;
      });
      await Promise.race([polling, giveUp]);
      open = false;
      await polling;
    };

    const killer = (async () => {
      await sleep(options.killAtMs);
      await stopInstance('A', 'SIGKILL');
      await sleep(options.downMs);
      await startInstance('A');
    })();

    await Promise.all([...planned.map(browser), killer]);

    // What really happened, as the vendor knows it: a session that ended passed or failed, one that never
    // ended (it expired) did not pass; the host must hear the former exactly, the latter as failed or expired.
    const truthOf = (session: Planned): { ended: boolean; outcome: 'passed' | 'failed' } => {
      const snapshot = emulator.sessions.get(session.sessionId!)!;
      return { ended: snapshot.endedAt !== null, outcome: snapshot.phase === 'finished' ? 'passed' : 'failed' };
    };
    const satisfies = (session: Planned, delivery: Delivery): boolean => {
      const truth = truthOf(session);
      return delivery.outcome === truth.outcome || (!truth.ended && delivery.outcome === 'expired');
    };
    const settled = (session: Planned): boolean => deliveries.some((delivery) => delivery.sessionId === session.sessionId && satisfies(session, delivery));
    const deadline = started + options.timeLimitMs;
    while (Date.now() < deadline && !planned.every(settled)) await sleep(200);
    const settledMs = Date.now() - started;
    // Whatever is still in flight (a correction after expired, a retry) gets a last interval.
    await sleep(options.sweepIntervalMs * 2);

    const known = new Map(planned.map((session) => [session.sessionId!, session]));
    let deliveredOnce = 0;
    let corrected = 0;
    let lost = 0;
    let duplicates = 0;
    let repeatedWrites = 0;
    let forgedAccepted = 0;
    const problems: string[] = [];
    const latencies: number[] = [];
    const via: Record<string, number> = {};
    for (const session of planned) {
      const own = deliveries.filter((delivery) => delivery.sessionId === session.sessionId);
      const truth = truthOf(session);
      const told = own.map((delivery) => `${delivery.outcome}${delivery.corrects ? ` (corrects ${delivery.corrects})` : ''} via ${delivery.via}, attempt ${delivery.attempt}, instance ${delivery.instance}`).join('; ');
      const times = `made ${session.madeAt! - started} ms${session.endedAt === undefined ? '' : `, ended ${session.endedAt - started} ms`} from the start`;
      const about = `session ${session.sessionId} (${session.kind}, vendor: ${truth.ended ? truth.outcome : 'never ended'}, ${times}): ${told || 'nothing delivered'}`;
      const seen = new Map<string, number>();
      for (const delivery of own) {
        const key = `${delivery.outcome}/${delivery.corrects ?? ''}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      repeatedWrites += [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
      const repeated = [...seen.keys()].reduce((sum, key) => sum + Math.max(0, (returned.get(`${session.sessionId}/${key}`) ?? 0) - 1), 0);
      duplicates += repeated;
      const wrong = own.filter((delivery) => delivery.outcome !== 'expired' && !satisfies(session, delivery));
      if (wrong.length > 0) {
        if (session.forged) forgedAccepted += wrong.length;
        problems.push(`wrong outcome${session.forged ? ' (forged)' : ''}: ${about}`);
      }
      const right = own.filter((delivery) => satisfies(session, delivery));
      if (right.length === 0) {
        lost++;
        problems.push(`lost: ${about}; the ledger's record: ${(await redisClient.get(`chaos:bf:ledger:s:${session.sessionId}`)) ?? 'none'}, due at ${(await redisClient.zscore('chaos:bf:ledger:due', session.sessionId!)) ?? 'never'}; vendor calls ${JSON.stringify(callLog.get(session.sessionId!) ?? [])}`);
        continue;
      }
      if (repeated > 0) problems.push(`duplicate: ${about}`);
      else deliveredOnce++;
      if (repeated === 0 && own.length > new Set(own.map((delivery) => `${delivery.outcome}/${delivery.corrects ?? ''}`)).size) {
        problems.push(`written again by a retry (absorbed by the idempotency key): ${about}`);
      }
      if (own.some((delivery) => delivery.outcome === 'expired') && own.some((delivery) => delivery.corrects === 'expired')) corrected++;
      const first = right.find((delivery) => delivery.outcome !== 'expired') ?? right[0]!;
      via[first.via] = (via[first.via] ?? 0) + 1;
      // A session whose result the vendor held past its expiry is expired first by design: not a latency.
      if (session.endedAt !== undefined && first.corrects === undefined && first.outcome !== 'expired') latencies.push(first.at - session.endedAt);
    }
    const wrongReference = deliveries.filter((delivery) => known.has(delivery.sessionId) && known.get(delivery.sessionId)!.user !== delivery.reference).length;
    const orphans = new Set(deliveries.filter((delivery) => !known.has(delivery.sessionId)).map((delivery) => delivery.sessionId)).size;
    const perSession = planned.map((session) => calls.get(session.sessionId!) ?? 0);
    return {
      sessions: planned.length,
      references: new Set(planned.map((session) => session.user)).size,
      deliveredOnce,
      corrected,
      lost,
      duplicates,
      repeatedWrites,
      wrongReference,
      forgedPosted,
      forgedAccepted,
      vendorCallsMedian: percentile(perSession, 0.5),
      vendorCallsMax: Math.max(...perSession),
      vendorCallsBySource: bySource,
      endToVerdictP50: percentile(latencies, 0.5),
      endToVerdictP95: percentile(latencies, 0.95),
      via,
      databaseFailures,
      orphans,
      kills: 1,
      problems,
      settledMs,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** The figures as the bench prints them, one per line. */
export function describeChaos(figures: ChaosFigures): string[] {
  const sources = Object.entries(figures.vendorCallsBySource)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  const via = Object.entries(figures.via)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  return [
    `chaos: sessions ${figures.sessions} for ${figures.references} references, 2 instances on one redis-server, ${figures.kills} SIGKILL and restart; every verdict in after ${(figures.settledMs / 1000).toFixed(1)} s, run ${(figures.elapsedMs / 1000).toFixed(1)} s`,
    `chaos: delivered exactly once ${figures.deliveredOnce} (of which expired then corrected once ${figures.corrected}); via ${via}`,
    `chaos: lost ${figures.lost}; duplicate successful deliveries ${figures.duplicates}; wrong reference ${figures.wrongReference}; forged accepted ${figures.forgedAccepted} of ${figures.forgedPosted} posted`,
    `chaos: writes repeated by a retry whose earlier attempt had written but not returned in time, or whose instance died before the ledger's mark (absorbed by the idempotency key): ${figures.repeatedWrites}`,
    `chaos: vendor calls per session median ${figures.vendorCallsMedian}, max ${figures.vendorCallsMax} (${sources})`,
    `chaos: flow end to onVerdict p50 ${figures.endToVerdictP50} ms, p95 ${figures.endToVerdictP95} ms; host database failed or hung ${figures.databaseFailures} writes (retried); orphan sessions ${figures.orphans}`,
    ...figures.problems.map((problem) => `chaos: ${problem}`),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await runChaos(BENCH_CHAOS);
  for (const line of describeChaos(figures)) console.log(line);
  const ok = figures.lost === 0 && figures.duplicates === 0 && figures.wrongReference === 0 && figures.forgedAccepted === 0 && figures.deliveredOnce === figures.sessions;
  process.exit(ok ? 0 : 1);
}
