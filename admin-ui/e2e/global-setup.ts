// Starts csdesk for the suite: `csdesk db upgrade`, `csdesk seed --orders 300 --seed 1` into a
// temporary SQLite database, then `csdesk serve` (uvicorn) on a free port; finds the orders
// the scenarios need through the API, as a person would look them up.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { TestProject } from 'vitest/node';

import {
  OrderActionsDocument,
  OrderDetailDocument,
  OrderQueueDocument,
  OrderSearchDocument,
  PostsalesQueueDocument,
  type OrderFilter,
} from '../src/gql/graphql';

import { run, token } from './api';
import type { Scenario } from './scenario';

const ROOT = resolve(import.meta.dirname, '../..');
const CSDESK = process.env.CSDESK_BIN ?? join(ROOT, '.venv/bin/csdesk');
const DIST = join(ROOT, 'admin-ui/dist/index.html');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') done(address.port);
        else fail(new Error('no port'));
      });
    });
  });
}

async function waitForHealth(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`csdesk serve exited with ${server.exitCode}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('csdesk did not answer /health within 60 s');
}

/** An appeasement of the agent's stores whose refund the payment system could not release, and
 * the refund a supervisor may send again (REFUND_RETRY's refundIds). */
async function findFailedRefund(base: string, agent: string, supervisor: string) {
  const failed = await run(
    base,
    PostsalesQueueDocument,
    { filter: { kind: 'APPEASEMENT', status: ['FAILED'], storeCodes: ['UK', 'DE'] }, first: 20 },
    agent,
  );
  for (const { node } of failed.postsalesActions.edges) {
    const order = (await run(base, OrderActionsDocument, { number: node.order.number }, supervisor)).order;
    const refundId = order?.availableActions.find((a) => a.kind === 'REFUND_RETRY')?.refundIds[0];
    if (refundId !== undefined) return { order: node.order.number, refundId };
  }
  throw new Error('the seed has no failed refund to send again');
}

/** The scenario's orders: one a caller finds by name and postal code (exactly one result), with
 * two delivered lines to appease and return, a parcel with tracking, shipping paid that can be
 * refunded, and exchange and reshipment possible; one in review to change and cancel; one of a
 * store the agent does not see; one with a failed refund. */
async function findScenario(base: string): Promise<Scenario> {
  const agent = await token(base, 'agent');
  const admin = await token(base, 'admin');
  const supervisor = await token(base, 'supervisor');
  const failedRefund = await findFailedRefund(base, agent, supervisor);
  const queue = (filter: OrderFilter, as: string) =>
    run(base, OrderQueueDocument, { filter, first: 100 }, as);
  const delivered = await queue({ status: ['DELIVERED'], orderType: 'NORMAL' }, agent);
  for (const { node } of delivered.orders.edges) {
    const detail = (await run(base, OrderDetailDocument, { number: node.number }, agent)).order;
    const lines =
      detail?.lines.filter((l) => l.status === 'DELIVERED' && Number(l.refundableAmount.amount) > 10) ?? [];
    const [first, second] = lines;
    if (!first || !second || !detail?.shipments.length) continue;
    const filter = {
      customerName: node.billingAddress.name,
      postalCode: detail.billingAddress.postalCode,
    };
    if ((await run(base, OrderSearchDocument, { filter }, agent)).orders.totalCount !== 1) continue;
    const actions =
      (await run(base, OrderActionsDocument, { number: node.number }, agent)).order?.availableActions ?? [];
    const allowed = (kind: string) => actions.some((a) => a.kind === kind && a.allowed);
    if (!allowed('EXCHANGE') || !allowed('RESHIPMENT') || !allowed('SHIPPING_APPEASEMENT')) continue;
    if (node.number === failedRefund.order) continue;
    const review = (await queue({ status: ['ORDER_REVIEW'], orderType: 'NORMAL' }, agent)).orders.edges[0];
    const us = (await queue({ storeCodes: ['US'] }, admin)).orders.edges[0];
    if (!review || !us) break;
    return {
      caller: {
        number: node.number,
        name: filter.customerName,
        postalCode: filter.postalCode,
        appeaseLine: first.number,
        returnLine: second.number,
        refundable: first.refundableAmount.amount,
      },
      reviewOrder: review.node.number,
      usOrder: us.node.number,
      failedRefund,
    };
  }
  throw new Error('the seed has no orders for the scenario');
}

export default async function setup(project: TestProject) {
  if (!existsSync(DIST))
    throw new Error('admin-ui/dist is missing: run `npm run build` (make ui-build) first');
  if (!existsSync(CSDESK)) throw new Error(`${CSDESK} is missing: run \`make install\` first`);
  const tmp = mkdtempSync(join(tmpdir(), 'csdesk-e2e-'));
  const env = {
    ...process.env,
    CSDESK_DATABASE_URL: `sqlite+aiosqlite:///${join(tmp, 'e2e.db')}`,
    CSDESK_ENV: 'development',
    CSDESK_MAIL_DIR: join(tmp, 'mail'),
    CSDESK_SPOOL_DIR: join(tmp, 'spool'),
    CSDESK_WORKER_IN_PROCESS: 'false',
  };
  execFileSync(CSDESK, ['db', 'upgrade'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(CSDESK, ['seed', '--orders', '300', '--seed', '1'], { env, stdio: 'inherit' });
  const port = await freePort();
  const server = spawn(CSDESK, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // uvicorn's access log is noise in a passing run; it is printed when the suite cannot start.
  let log = '';
  server.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, server);
    project.provide('baseUrl', base);
    project.provide('scenario', await findScenario(base));
  } catch (error) {
    server.kill();
    console.error(log);
    throw error;
  }
  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  };
}
