// Fastify is not a dependency of this project, so the Fastify snippet is type-checked against this
// stand-in: Fastify's factory and `listen`, and the `route` method as `fastifyRoutes` needs it. It shows
// the snippet uses our API as typed; whether Fastify's own types accept it needs Fastify installed.
import type { FastifyLike } from '../../../src/server/index.js';

export interface FastifyInstance extends FastifyLike {
  listen(options: { port: number; host?: string }): Promise<string>;
}

export default function Fastify(): FastifyInstance;
