// The guide's customer-service story in a real browser: an agent signs in, finds a caller's
// order by name and postal code, sees where the parcel is, appeases a line and the shipping
// (preview, then create), takes a return with a reason per line and sees the history grow,
// changes the address of an order in review and cancels it with a reason; a supervisor
// approves the return and sends a failed refund again; an agent sees no store outside their
// access and no action their role lacks; an administrator manages users, roles, settings and
// reasons. Supervision: an agent over their limit creates an appeasement that waits and a
// supervisor approves it from the approval queue; a follow-up is created and done; the order
// page says when someone else changed the order. Every screen is scanned with axe-core and
// photographed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';

import {
  OrderCommentAddDocument,
  OrderActionsDocument,
  OrderDetailDocument,
  OrderQueueDocument,
  RoleLimitsDocument,
  RoleLimitsUpdateDocument,
} from '../src/gql/graphql';
import { run, token } from './api';
import { check, launch, open, signIn, type Session } from './browser';

const base = inject('baseUrl');
const { caller, reviewOrder, usOrder, failedRefund } = inject('scenario');
let browser: Browser;
const sessions: Session[] = [];

async function newSession(): Promise<Session> {
  const session = await open(browser, base);
  sessions.push(session);
  return session;
}

const historyCount = (page: Page) => page.locator('ol.timeline > li').count();

async function chooseLine(page: Page, label: string, lineNumber: number) {
  const select = page.getByRole('dialog').getByLabel(label);
  const value = await select.locator('option', { hasText: `Line ${lineNumber}:` }).getAttribute('value');
  await select.selectOption(value ?? '');
}

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  for (const s of sessions) expect(s.errors, 'errors in the browser console').toEqual([]);
  await browser.close();
});

describe('an agent on the phone with a caller', () => {
  let page: Page;

  test('signs in (a wrong password is refused)', async () => {
    ({ page } = await newSession());
    await page.goto('/admin/orders');
    await page.getByRole('heading', { name: 'csdesk · Customer Service' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Username').fill('agent');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/wrong password/i);
    await check(page, '01-login');
    await signIn(page, 'agent');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).toBe(
      'OrdersPost-sales queueFollow-ups',
    );
  });

  test('walks the queue with keyset paging and the total', async () => {
    await page.getByRole('heading', { name: 'Orders' }).waitFor();
    await page.getByText(/^1–25 of \d+ orders$/).waitFor();
    await check(page, '02-order-queue');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/^26–50 of \d+ orders$/).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText(/^1–25 of \d+ orders$/).waitFor();
  });

  test('finds the order by name and postal code: the single result opens', async () => {
    await page.getByLabel('Client name').fill(caller.name);
    await page.getByLabel('ZIP / postal code').fill(caller.postalCode);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: `Order ${caller.number}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/orders/${caller.number}`);
    expect(await page.title()).toBe(`Order ${caller.number} · csdesk`);
    await page.getByRole('heading', { name: 'Actions', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New appeasement' }).waitFor();
    await check(page, '03-order-detail');
    // Back shows the search with its one result instead of opening the order again.
    await page.goBack();
    await page.getByText(/^1–1 of 1 orders$/).waitFor();
    await page.getByRole('link', { name: caller.number }).click();
    await page.getByRole('heading', { name: `Order ${caller.number}` }).waitFor();
  });

  test('sees where the parcel is (tracking, delivery per line) and the refunds with status', async () => {
    const shipments = page.getByRole('region', { name: 'Shipments' });
    const parcel = shipments.getByRole('row').nth(1);
    expect(await parcel.getByRole('link').count()).toBe(1);
    expect(await parcel.textContent()).toMatch(/\d{4}/);
    const line = page.getByRole('region', { name: 'Item snapshot' }).getByRole('row').nth(caller.appeaseLine);
    expect(await line.textContent()).toMatch(/Delivered.*\d{2}:\d{2}/);
    await page.getByRole('region', { name: 'Refunds' }).waitFor();
    await shipments.scrollIntoViewIfNeeded();
    await check(page, '15-shipments-and-refunds');
  });

  test('sees the exchange and reshipment dialogs (sibling SKUs with stock, address override)', async () => {
    await page.getByRole('button', { name: 'New exchange' }).click();
    const exchange = page.getByRole('dialog', { name: 'New exchange' });
    await exchange.getByRole('checkbox').first().check();
    await exchange
      .getByText(/in stock\)/)
      .first()
      .waitFor({ state: 'attached' });
    await check(page, '04-exchange-dialog');
    await exchange.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'New reshipment' }).click();
    const reship = page.getByRole('dialog', { name: 'New reshipment' });
    await reship.getByRole('checkbox').first().check();
    await reship.getByLabel(/Ship to another address/).check();
    await reship.getByLabel('Postal code').fill('');
    await reship.getByRole('button', { name: 'Create reshipment' }).click();
    await expect.poll(() => reship.getByLabel('Postal code').getAttribute('aria-invalid')).toBe('true');
    await check(page, '05-reshipment-dialog');
    await reship.getByRole('button', { name: 'Cancel' }).click();
  });

  test('appeases a line: a refused amount shows the maximum, then preview, then create', async () => {
    const before = await historyCount(page);
    await page.getByRole('button', { name: 'New appeasement' }).click();
    const dialog = page.getByRole('dialog', { name: 'New appeasement' });
    await chooseLine(page, 'Item', caller.appeaseLine);
    await dialog.getByLabel(/Refund amount/).fill('99999');
    await dialog.getByLabel('Refund reason').selectOption({ index: 1 });
    await dialog.getByLabel('Comment').fill('Parcel arrived late; goodwill gesture.');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const amount = dialog.getByLabel(/Refund amount/);
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').textContent()).toMatch(/Maximum refundable: .*\d/);

    await amount.fill('5.00');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByRole('region', { name: 'Refund preview' }).waitFor();
    expect(await dialog.getByRole('region', { name: 'Refund preview' }).textContent()).toContain('5.00');
    await check(page, '06-appeasement-preview');
    await dialog.getByRole('button', { name: 'Create appeasement' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Appeasement of .*5\.00/);
    await expect.poll(() => historyCount(page)).toBeGreaterThan(before);
    const row = page
      .getByRole('region', { name: 'Post sales actions' })
      .getByRole('row')
      .filter({ hasText: 'Appeasement' });
    await expect.poll(() => row.last().textContent()).toMatch(/Requested/);
  });

  test('refunds shipping: a refused amount shows the maximum, then preview, then create', async () => {
    const refunds = page.getByRole('region', { name: 'Refunds' }).getByRole('row');
    const before = await refunds.count();
    await page.getByRole('button', { name: 'Refund shipping' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund shipping' });
    const amount = dialog.getByLabel(/Shipping refund/);
    await amount.fill('99999');
    await dialog.getByLabel('Refund reason').selectOption({ index: 1 });
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').textContent()).toMatch(/Maximum refundable: .*\d/);
    await dialog.getByRole('button', { name: /Use the maximum/ }).click();
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByRole('region', { name: 'Refund preview' }).waitFor();
    await check(page, '16-shipping-appeasement');
    await dialog.getByRole('button', { name: 'Refund shipping' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/Shipping refund of .* requested/);
    await expect.poll(() => refunds.count()).toBeGreaterThan(before);
    expect(await refunds.last().textContent()).toContain('Shipping');
    // Nothing is left of the shipping charge: the button says so.
    const again = page.getByRole('button', { name: 'Refund shipping' });
    await expect.poll(() => again.isDisabled()).toBe(true);
    expect(await again.getAttribute('aria-describedby')).toBeTruthy();
  });

  test('takes a return (a reason per line, mandatory comment) and sees the history grow', async () => {
    const before = await historyCount(page);
    await page.getByRole('button', { name: 'New return' }).click();
    const dialog = page.getByRole('dialog', { name: 'New return' });
    await dialog.getByRole('checkbox', { name: `Return line ${caller.appeaseLine}` }).check();
    await dialog.getByLabel(`Reason for line ${caller.appeaseLine}`).selectOption('TOO_SMALL');
    await dialog.getByRole('checkbox', { name: `Return line ${caller.returnLine}` }).check();
    await dialog.getByLabel(`Reason for line ${caller.returnLine}`).selectOption('DAMAGED');
    await dialog.getByLabel('Comment (mandatory)').fill('Customer sends it back: wrong size.');
    await dialog.getByRole('button', { name: 'Preview refund' }).click();
    await dialog.getByRole('region', { name: 'Refund preview' }).waitFor();
    await check(page, '07-return-dialog');
    await dialog.getByRole('button', { name: 'Create return' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Return of line .* requested/);
    await expect.poll(() => historyCount(page)).toBeGreaterThan(before);
    const row = page
      .getByRole('region', { name: 'Post sales actions' })
      .getByRole('row')
      .filter({ hasText: 'Return' })
      .last();
    await expect.poll(() => row.textContent()).toContain(`Line ${caller.appeaseLine}: Too small`);
    expect(await row.textContent()).toContain(`Line ${caller.returnLine}: Damaged`);
    // The agent's role holds neither RETURN_APPROVE nor RETURN_CANCEL: no such button.
    expect(await page.getByRole('button', { name: 'Approve return' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel return' }).count()).toBe(0);
  });

  test('adds a comment at the bottom of the order', async () => {
    const before = await historyCount(page);
    await page.getByLabel('New comment').fill('Customer will call back tomorrow.');
    await page.getByLabel('Kind').selectOption('COMMUNICATION');
    await page.getByLabel('Ticket reference (optional)').fill('ZD-4711');
    await page.getByRole('button', { name: 'Save comment' }).click();
    await expect.poll(() => historyCount(page)).toBe(before + 1);
    const entry = await page.locator('ol.timeline > li').last().textContent();
    expect(entry).toContain('Customer will call back tomorrow.');
    expect(entry).toContain('Ticket ZD-4711');
    await page.locator('ol.timeline').scrollIntoViewIfNeeded();
    await check(page, '08-history-and-comments');
  });

  test('changes the shipping address of an order in review (a typed error under its field)', async () => {
    await page.goto(`/admin/orders/${reviewOrder}`);
    await page.getByRole('heading', { name: `Order ${reviewOrder}` }).waitFor();
    const before = await historyCount(page);
    await page.getByRole('button', { name: 'Change shipping' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change shipping' });
    await dialog.getByLabel('City').fill('');
    await dialog.getByRole('button', { name: 'Save shipping' }).click();
    await expect.poll(() => dialog.getByLabel('City').getAttribute('aria-invalid')).toBe('true');
    await check(page, '17-shipping-update');
    await dialog.getByLabel('City').fill('Little Snoring');
    await dialog.getByLabel('Address line 1').fill('1 Deansgate');
    await dialog.getByRole('button', { name: 'Save shipping' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Shipping address changed/);
    await expect.poll(() => historyCount(page)).toBe(before + 1);
    expect(await page.locator('ol.timeline > li').last().textContent()).toMatch(/City: .* → Little Snoring/);
    expect(await page.getByRole('region', { name: 'Shipping', exact: true }).textContent()).toContain(
      '1 Deansgate',
    );
  });

  test('cancels the order in review with a reason from the list', async () => {
    const before = await historyCount(page);
    await page.getByRole('button', { name: 'Cancel order' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel order' });
    await dialog.getByLabel('Cancel selected lines').check();
    await dialog.getByLabel('Cancel full order').check();
    const submit = dialog.getByRole('button', { name: 'Cancel full order' });
    expect(await submit.isDisabled()).toBe(true);
    await dialog.getByLabel('Cancellation reason').selectOption('CUSTOMER_REQUEST');
    await dialog.getByLabel('Comment').fill('Caller ordered twice.');
    await check(page, '09-cancel-dialog');
    await submit.click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Order cancelled.');
    await expect.poll(() => historyCount(page)).toBeGreaterThan(before);
    await page.getByRole('heading', { name: /Cancelled/ }).waitFor();
    // Past Order review the address can no longer change: the button says why.
    const change = page.getByRole('button', { name: 'Change shipping' });
    await expect.poll(() => change.isDisabled()).toBe(true);
    const reasonId = await change.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${reasonId}"]`).textContent()).toMatch(/Only orders in Order review/);
  });

  test('sees a failed refund but cannot send it again (the role lacks it)', async () => {
    await page.goto(`/admin/orders/${failedRefund.order}`);
    const row = page
      .getByRole('region', { name: 'Refunds' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: String(failedRefund.refundId), exact: true }) });
    await expect.poll(() => row.textContent()).toContain('Failed');
    expect(await page.getByRole('button', { name: /^Send refund/ }).count()).toBe(0);
  });

  test('cannot see an order of a store outside their access', async () => {
    await page.goto(`/admin/orders/${usOrder}`);
    await page.getByRole('heading', { name: `Order ${usOrder} not found` }).waitFor();
    await page.goto(`/admin/orders?reference=${usOrder}`);
    await page.getByText('No orders', { exact: true }).waitFor();
  });

  test('cannot use administration their role lacks', async () => {
    await page.goto('/admin/users');
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
  });
});

describe('a supervisor', () => {
  let page: Page;

  test('approves the return from the post-sales queue', async () => {
    ({ page } = await newSession());
    await signIn(page, 'supervisor');
    await page.goto('/admin/postsales');
    const approve = page.getByRole('button', { name: `Approve return on order ${caller.number}` });
    await approve.waitFor();
    await check(page, '10-postsales-queue');
    await approve.click();
    const dialog = page.getByRole('dialog', { name: 'Approve return?' });
    await check(page, '11-approve-return');
    await dialog.getByRole('button', { name: 'Approve return' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Return approved; refund of/);

    await page.goto(`/admin/orders/${caller.number}`);
    const returns = page
      .getByRole('region', { name: 'Post sales actions' })
      .getByRole('row')
      .filter({ hasText: 'Return' });
    await expect.poll(() => returns.last().textContent()).toMatch(/Approved/);
    const line = page.getByRole('region', { name: 'Item snapshot' }).getByRole('row').nth(caller.returnLine);
    expect(await line.textContent()).toContain('Returned');
    // The approval is in the history, by the supervisor.
    const byMe = page.locator('ol.timeline > li').filter({ hasText: 'Sam Supervisor' });
    await expect.poll(() => byMe.count()).toBeGreaterThan(0);
  });

  test('sends a failed refund again', async () => {
    await page.goto(`/admin/orders/${failedRefund.order}`);
    await page.getByRole('button', { name: `Send refund ${failedRefund.refundId} again` }).waitFor();
    const refunds = page.getByRole('region', { name: 'Refunds' }).getByRole('row');
    const before = await refunds.count();
    await page.getByRole('button', { name: `Send refund ${failedRefund.refundId} again` }).click();
    const dialog = page.getByRole('dialog', { name: 'Send the refund again?' });
    await check(page, '18-refund-retry');
    await dialog.getByRole('button', { name: 'Send refund again' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/sent again as refund \d+/);
    await expect.poll(() => refunds.count()).toBe(before + 1);
    expect(await refunds.last().textContent()).toContain(`sends ${failedRefund.refundId} again`);
    expect(
      await page.getByRole('button', { name: `Send refund ${failedRefund.refundId} again` }).count(),
    ).toBe(0);
  });
});

describe('an administrator', () => {
  test('manages users, roles, settings and reasons', async () => {
    const { page } = await newSession();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'agent', exact: true }).waitFor();
    await check(page, '12-users');
    await page.getByRole('link', { name: 'Roles' }).click();
    await page
      .getByRole('table', { name: 'Roles you manage' })
      .getByRole('cell', { name: 'CS Agent', exact: true })
      .waitFor();
    // Appeasement limits per role, below the roles (no limit until the supervision story).
    await page.getByRole('button', { name: 'Edit the limits of CS Agent' }).waitFor();
    await check(page, '13-roles');
    await page.getByRole('link', { name: 'Settings' }).click();
    const sourcing = page.getByRole('checkbox', { name: /Enabled: returns may go back/ });
    await sourcing.click();
    await page.getByText('Sourcing strategy enabled.').waitFor();
    await check(page, '14-settings');

    await page.getByRole('link', { name: 'Reasons' }).click();
    await page.getByRole('cell', { name: 'LATE_DELIVERY', exact: true }).waitFor();
    await page.getByLabel('List').selectOption('CANCELLATION');
    await page.getByRole('cell', { name: 'CUSTOMER_REQUEST', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New reason' }).click();
    const dialog = page.getByRole('dialog', { name: 'New cancellation reason' });
    await dialog.getByLabel('Code').fill('9 lives');
    await dialog.getByLabel('Label', { exact: true }).fill('Found it cheaper');
    await dialog.getByRole('button', { name: 'Create reason' }).click();
    await expect.poll(() => dialog.getByLabel('Code').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Code').fill('found_cheaper');
    await dialog.getByLabel('Label in FR (optional)').fill('Trouvé moins cher');
    await dialog.getByRole('button', { name: 'Create reason' }).click();
    await page.getByText('Reason FOUND_CHEAPER saved.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'FOUND_CHEAPER' });
    expect(await row.textContent()).toContain('Trouvé moins cher');
    await row.getByRole('checkbox', { name: /Offer FOUND_CHEAPER/ }).click();
    await page.getByText('Reason FOUND_CHEAPER deactivated.').waitFor();
    await expect.poll(() => row.textContent()).toContain('Inactive');
    await check(page, '19-reasons');
  });
});

describe('supervision', () => {
  let agent: Page;
  let supervisor: Page;
  /** An order of the agent's stores, not yet touched by the story, whose first line the agent
   * may appease by more than their limit. */
  let target = '';

  beforeAll(async () => {
    // The demo agent gets a limit of 1.00 per appeasement (the API, as an administrator would
    // in Roles › Appeasement limits).
    const admin = await token(base, 'admin');
    const { roles } = await run(base, RoleLimitsDocument, {}, admin);
    const role = roles.find((r) => r.name === 'CS Agent');
    if (!role) throw new Error('no CS Agent role');
    const limits = ['GBP', 'EUR'].map((currency) => ({ currency, perAction: '1.00', perDay: null }));
    const { roleUpdate } = await run(base, RoleLimitsUpdateDocument, { roleId: role.id, limits }, admin);
    expect(roleUpdate.__typename).toBe('RoleUpdateSuccess');

    const agentToken = await token(base, 'agent');
    const used = [target, reviewOrder, failedRefund.order];
    const { orders } = await run(
      base,
      OrderQueueDocument,
      { filter: { status: ['DELIVERED'], orderType: 'NORMAL' }, first: 100 },
      agentToken,
    );
    for (const { node } of orders.edges) {
      if (used.includes(node.number)) continue;
      const actions = (await run(base, OrderActionsDocument, { number: node.number }, agentToken)).order;
      const appease = actions?.availableActions.find((a) => a.kind === 'APPEASEMENT');
      if (!appease?.allowed || !appease.needsApproval) continue;
      const detail = (await run(base, OrderDetailDocument, { number: node.number }, agentToken)).order;
      const line = detail?.lines.find((l) => l.id === appease.lineIds[0]);
      if (line && Number(line.refundableAmount.amount) > 5) {
        target = node.number;
        break;
      }
    }
    expect(target, 'an order the agent may appease above their limit').not.toBe('');
  });

  test('an agent over their limit creates an appeasement that waits for approval', async () => {
    ({ page: agent } = await newSession());
    await signIn(agent, 'agent');
    await agent.goto(`/admin/orders/${target}`);
    await agent.getByRole('button', { name: 'New appeasement' }).click();
    const dialog = agent.getByRole('dialog', { name: 'New appeasement' });
    await dialog.getByText(/without approval; more waits for a supervisor/).waitFor();
    await dialog.getByLabel(/Refund amount/).fill('2.00');
    await dialog.getByLabel('Refund reason').selectOption({ index: 1 });
    await dialog.getByLabel('Comment').fill('Customer waited two weeks; above my limit.');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText('Needs approval.').waitFor();
    await check(agent, '20-appeasement-needs-approval');
    await dialog.getByRole('button', { name: 'Create appeasement' }).click();
    await expect
      .poll(() => agent.getByRole('status').textContent())
      .toMatch(/2\.00.*waits for a supervisor’s approval/);
    const row = agent
      .getByRole('region', { name: 'Post sales actions' })
      .getByRole('row')
      .filter({ hasText: 'Awaiting approval' });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
  });

  test('a supervisor approves it from the approval queue, with a mandatory comment', async () => {
    ({ page: supervisor } = await newSession());
    await signIn(supervisor, 'supervisor');
    await supervisor.getByRole('link', { name: 'Approvals' }).click();
    const approve = supervisor.getByRole('button', {
      name: `Approve the appeasement on order ${target}`,
    });
    await approve.first().waitFor();
    const item = supervisor.getByRole('row').filter({ hasText: target });
    expect(await item.first().textContent()).toMatch(/Due /);
    await check(supervisor, '21-approvals');
    await approve.first().click();
    const dialog = supervisor.getByRole('dialog', { name: 'Approve the appeasement?' });
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => dialog.getByLabel(/Comment/).getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel(/Comment/).fill('Checked the delivery delay: approved.');
    await check(supervisor, '22-approve-appeasement');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => supervisor.getByRole('status').textContent())
      .toMatch(new RegExp(`on order ${target} approved`));

    // The post-sales queue shows how long each action waited, and filters the late ones.
    await supervisor.getByRole('link', { name: 'Post-sales queue' }).click();
    await supervisor.getByRole('columnheader', { name: 'Waiting' }).waitFor();
    await supervisor.getByRole('checkbox', { name: /Late only/ }).check();
    await supervisor
      .getByText(/of \d+ actions|No /)
      .first()
      .waitFor();
    await check(supervisor, '23-postsales-late-only');
  });

  test('a follow-up is created on the order and done from the follow-up list', async () => {
    await agent.goto(`/admin/orders/${target}`);
    await agent.getByRole('button', { name: 'New follow-up' }).click();
    const dialog = agent.getByRole('dialog', { name: 'New follow-up' });
    await dialog.getByLabel('What about').fill('Call back about the refund of the late parcel.');
    await check(agent, '24-follow-up-create');
    await dialog.getByRole('button', { name: 'Create follow-up' }).click();
    await expect.poll(() => agent.getByRole('status').textContent()).toMatch(/Follow-up for .* created/);

    await agent.getByRole('link', { name: /Follow-ups/ }).click();
    const done = agent.getByRole('button', { name: `Done on order ${target}` });
    await done.waitFor();
    await check(agent, '25-follow-ups');
    await done.click();
    const close = agent.getByRole('dialog', { name: 'Customer contacted?' });
    await close.getByLabel(/Outcome/).fill('Customer reached, happy with the refund.');
    await close.getByRole('button', { name: 'Mark done' }).click();
    await expect
      .poll(() => agent.getByRole('status').textContent())
      .toMatch(new RegExp(`order ${target} done`));
    await expect.poll(() => done.count()).toBe(0);
  });

  test('the order page says when someone else changed the order', async () => {
    await agent.goto(`/admin/orders/${target}`);
    await agent.getByRole('heading', { name: new RegExp(`Order ${target}`) }).waitFor();
    const banner = agent.getByText(/This order changed/);
    expect(await banner.count()).toBe(0);
    // Give the socket a moment to subscribe, then comment from another session over HTTP.
    const other = await token(base, 'supervisor');
    const order = (await run(base, OrderDetailDocument, { number: target }, other)).order;
    if (!order) throw new Error('no order');
    await expect
      .poll(
        async () => {
          const { orderCommentAdd } = await run(
            base,
            OrderCommentAddDocument,
            { orderId: order.id, text: 'Supervisor note while the agent has the order open.' },
            other,
          );
          expect(orderCommentAdd.__typename).toBe('OrderCommentAddSuccess');
          return banner.count();
        },
        { timeout: 15_000, interval: 2_000 },
      )
      .toBeGreaterThan(0);
    await check(agent, '26-order-changed');
    await agent.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    const note = agent.locator('ol.timeline > li').filter({ hasText: 'Supervisor note while the agent' });
    await expect.poll(() => note.count()).toBeGreaterThan(0);
  });
});
