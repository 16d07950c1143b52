import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider, type Client } from 'urql';
import { describe, expect, test, vi } from 'vitest';
import { fromValue } from 'wonka';

import { actions, order } from '../../test/fixtures';
import { availableAction } from '../types';
import { AppeasementDialog } from './AppeasementDialog';

const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const success = (dryRun: boolean, needsApproval = false) => ({
  __typename: 'AppeasementCreateSuccess',
  dryRun,
  needsApproval,
  approvalReason: needsApproval ? 'PER_ACTION_LIMIT' : null,
  refund: {
    line: { id: 'line-1', number: 1 },
    net: gbp('5.00'),
    tax: gbp('1.00'),
    gross: gbp('6.00'),
    remainingRefundable: gbp('15.00'),
  },
  action: null,
  order: { id: 'o', version: 3, lines: [], history: [] },
});

function setup(limit: { amount: string; currency: string } | null = null) {
  const executeMutation = vi.fn((operation: { variables: Record<string, unknown> }) => {
    const v = operation.variables;
    const answer =
      v.amount === '99'
        ? {
            __typename: 'AmountExceedsRefundable',
            code: 'AMOUNT_EXCEEDS_REFUNDABLE',
            message: 'More than the line has left to refund.',
            field: ['input', 'amount'],
            lineId: 'line-1',
            maximumRefundable: gbp('20.00'),
          }
        : success(v.dryRun === true, v.amount === '50');
    return fromValue({ operation, data: { appeasementCreate: answer }, stale: false, hasNext: false });
  });
  const client = {
    executeQuery: vi.fn((operation: unknown) =>
      fromValue({
        operation,
        data: { postsalesReasons: [{ code: 'LATE_DELIVERY', label: 'Late delivery' }] },
        stale: false,
        hasNext: false,
      }),
    ),
    executeMutation,
    executeSubscription: vi.fn(),
  } as unknown as Client;
  const onDone = vi.fn();
  const action = availableAction(
    actions({ APPEASEMENT: { needsApproval: limit !== null, approvalLimit: limit } }),
    'APPEASEMENT',
  );
  if (!action) throw new Error('the fixture has no APPEASEMENT action');
  render(
    <Provider value={client}>
      <AppeasementDialog
        order={order()}
        action={action}
        onClose={vi.fn()}
        onDone={onDone}
        onStale={vi.fn()}
      />
    </Provider>,
  );
  return { executeMutation, onDone, dialog: screen.getByRole('dialog', { name: 'New appeasement' }) };
}

describe('New appeasement', () => {
  test('a refused amount shows the maximum next to the amount field', async () => {
    const { dialog } = setup();
    await userEvent.type(within(dialog).getByLabelText(/Refund amount/), '99');
    await userEvent.selectOptions(within(dialog).getByLabelText('Refund reason'), 'LATE_DELIVERY');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Preview' }));
    const amount = within(dialog).getByLabelText(/Refund amount/);
    expect(amount).toHaveAttribute('aria-invalid', 'true');
    expect(amount).toHaveAccessibleDescription(/Maximum refundable: £20\.00\./);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Use the maximum (£20.00)' }));
    expect(amount).toHaveValue('20.00');
  });

  test('preview first (a dry run), then create with an idempotency key', async () => {
    const { dialog, executeMutation, onDone } = setup();
    await userEvent.type(within(dialog).getByLabelText(/Refund amount/), '5.00');
    await userEvent.selectOptions(within(dialog).getByLabelText('Refund reason'), 'LATE_DELIVERY');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Preview' }));
    const preview = within(dialog).getByRole('region', { name: 'Refund preview' });
    expect(preview).toHaveTextContent('£6.00');
    expect(executeMutation.mock.calls[0]?.[0].variables).toMatchObject({
      dryRun: true,
      idempotencyKey: null,
      expectedVersion: 3,
    });

    await userEvent.click(within(dialog).getByRole('button', { name: 'Create appeasement' }));
    const created = executeMutation.mock.calls[1]?.[0].variables;
    expect(created).toMatchObject({
      dryRun: false,
      lineId: 'line-1',
      amount: '5.00',
      reason: 'LATE_DELIVERY',
    });
    expect(created?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
    expect(onDone).toHaveBeenCalledWith('Appeasement of £5.00 (net) on line 1 requested.');
  });

  test('editing the amount after a preview asks for a new preview', async () => {
    const { dialog } = setup();
    await userEvent.type(within(dialog).getByLabelText(/Refund amount/), '5.00');
    await userEvent.selectOptions(within(dialog).getByLabelText('Refund reason'), 'LATE_DELIVERY');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Preview' }));
    await userEvent.type(within(dialog).getByLabelText(/Refund amount/), '1');
    expect(within(dialog).queryByRole('region', { name: 'Refund preview' })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Preview' })).toBeEnabled();
  });

  test('above the agent’s limit the preview says it waits for a supervisor', async () => {
    const { dialog, onDone } = setup(gbp('10.00'));
    expect(dialog).toHaveTextContent('Up to £10.00 without approval; more waits for a supervisor.');
    await userEvent.type(within(dialog).getByLabelText(/Refund amount/), '50');
    await userEvent.selectOptions(within(dialog).getByLabelText('Refund reason'), 'LATE_DELIVERY');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Preview' }));
    const preview = within(dialog).getByRole('region', { name: 'Refund preview' });
    expect(preview).toHaveTextContent(/Needs approval\. Above the limit per appeasement\./);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create appeasement' }));
    expect(onDone).toHaveBeenCalledWith(
      'Appeasement of £5.00 (net) on line 1 waits for a supervisor’s approval.',
    );
  });
});
