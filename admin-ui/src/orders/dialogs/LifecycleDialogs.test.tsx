// The lifecycle dialogs against a stubbed urql client: cancellation needs a reason from the
// cancellation list and sends it; a refused shipping refund shows the maximum under the amount;
// an address change sends only what changed and shows a typed error under the field it names.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider, type Client } from 'urql';
import { expect, test, vi } from 'vitest';
import { fromValue } from 'wonka';

import { actions, order } from '../../test/fixtures';
import { availableAction } from '../types';
import { CancelDialog } from './CancelDialog';
import { ShippingAppeasementDialog } from './ShippingAppeasementDialog';
import { ShippingUpdateDialog } from './ShippingUpdateDialog';

const gbp = (amount: string) => ({ amount, currency: 'GBP' });

function client(reasons: { code: string; label: string }[], answer: (v: Record<string, unknown>) => unknown) {
  const executeMutation = vi.fn((operation: { variables: Record<string, unknown> }) =>
    fromValue({ operation, data: answer(operation.variables), stale: false, hasNext: false }),
  );
  const stub = {
    executeQuery: vi.fn((operation: unknown) =>
      fromValue({ operation, data: { postsalesReasons: reasons }, stale: false, hasNext: false }),
    ),
    executeMutation,
    executeSubscription: vi.fn(),
  } as unknown as Client;
  return { stub, executeMutation };
}

function action(kind: 'CANCEL' | 'SHIPPING_APPEASEMENT' | 'SHIPPING_UPDATE') {
  const found = availableAction(actions(), kind);
  if (!found) throw new Error(`the fixture has no ${kind} action`);
  return found;
}

test('a cancellation needs a reason from the cancellation list, and sends it', async () => {
  const { stub, executeMutation } = client([{ code: 'CUSTOMER_REQUEST', label: 'Customer request' }], () => ({
    orderCancel: {
      __typename: 'OrderCancelSuccess',
      order: { id: 'o', version: 4, status: 'CANCELLED', lines: [], availableActions: [], history: [] },
      action: {
        id: 'a',
        kind: 'CANCELLATION',
        status: 'COMPLETED',
        amount: null,
        reason: 'CUSTOMER_REQUEST',
        comment: null,
        lines: [],
      },
    },
  }));
  const onDone = vi.fn();
  render(
    <Provider value={stub}>
      <CancelDialog
        order={order({ status: 'ORDER_REVIEW' })}
        action={action('CANCEL')}
        onClose={vi.fn()}
        onDone={onDone}
        onStale={vi.fn()}
      />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'Cancel order' });
  const submit = within(dialog).getByRole('button', { name: 'Cancel full order' });
  expect(submit).toBeDisabled();
  await userEvent.selectOptions(within(dialog).getByLabelText('Cancellation reason'), 'CUSTOMER_REQUEST');
  await userEvent.click(submit);
  expect(executeMutation.mock.calls[0]?.[0].variables).toMatchObject({
    reason: 'CUSTOMER_REQUEST',
    lineIds: null,
  });
  expect(onDone).toHaveBeenCalledWith('Order cancelled.');
});

test('a refused shipping refund shows the maximum under the amount', async () => {
  const { stub } = client([{ code: 'LATE_DELIVERY', label: 'Late delivery' }], () => ({
    shippingAppeasementCreate: {
      __typename: 'ShippingNotRefundable',
      code: 'SHIPPING_NOT_REFUNDABLE',
      message: 'More than is left of the shipping charge.',
      field: ['input', 'amount'],
      maximumRefundable: gbp('4.95'),
    },
  }));
  render(
    <Provider value={stub}>
      <ShippingAppeasementDialog
        order={order({ shipping: gbp('4.95'), shippingRefundableAmount: gbp('4.95') })}
        action={action('SHIPPING_APPEASEMENT')}
        onClose={vi.fn()}
        onDone={vi.fn()}
        onStale={vi.fn()}
      />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'Refund shipping' });
  const amount = within(dialog).getByLabelText(/Shipping refund/);
  await userEvent.type(amount, '9.00');
  await userEvent.selectOptions(within(dialog).getByLabelText('Refund reason'), 'LATE_DELIVERY');
  await userEvent.click(within(dialog).getByRole('button', { name: 'Preview' }));
  expect(amount).toHaveAttribute('aria-invalid', 'true');
  expect(amount).toHaveAccessibleDescription(/Maximum refundable: £4\.95/);
  await userEvent.click(within(dialog).getByRole('button', { name: /Use the maximum/ }));
  expect(amount).toHaveValue('4.95');
});

test('an address change sends only what changed; a typed error shows under its field', async () => {
  const { stub, executeMutation } = client([], () => ({
    orderShippingUpdate: {
      __typename: 'ValidationFailed',
      code: 'VALIDATION_FAILED',
      message: 'Not a postal code of GB.',
      field: ['input', 'shippingAddress', 'postalCode'],
    },
  }));
  render(
    <Provider value={stub}>
      <ShippingUpdateDialog
        order={order({ status: 'ORDER_REVIEW' })}
        action={action('SHIPPING_UPDATE')}
        onClose={vi.fn()}
        onDone={vi.fn()}
        onStale={vi.fn()}
      />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'Change shipping' });
  const save = within(dialog).getByRole('button', { name: 'Save shipping' });
  expect(save).toBeDisabled();
  const postalCode = within(dialog).getByLabelText('Postal code');
  await userEvent.clear(postalCode);
  await userEvent.type(postalCode, 'nowhere');
  await userEvent.click(save);
  const variables = executeMutation.mock.calls[0]?.[0].variables;
  expect(variables).toMatchObject({ shippingMethod: null, shippingAddress: { postalCode: 'nowhere' } });
  expect(postalCode).toHaveAttribute('aria-invalid', 'true');
  expect(postalCode).toHaveAccessibleDescription('Not a postal code of GB.');
});
