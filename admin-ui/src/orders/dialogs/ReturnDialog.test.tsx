import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { getOperationAST, type DocumentNode } from 'graphql';
import { Provider, type Client } from 'urql';
import { expect, test, vi } from 'vitest';
import { fromValue } from 'wonka';

import { actions, order } from '../../test/fixtures';
import { availableAction } from '../types';
import { ReturnDialog } from './ReturnDialog';

interface Operation {
  query: DocumentNode;
  variables: Record<string, unknown>;
}

const operationName = (operation: Operation) => getOperationAST(operation.query)?.name?.value;

function setup(sourcing: boolean) {
  const data: Record<string, unknown> = {
    PostsalesReasons: { postsalesReasons: [{ code: 'TOO_SMALL', label: 'Too small' }] },
    ReturnSources: {
      settings: { postsalesSourcingStrategyEnabled: sourcing },
      returnSources: [
        { code: 'LON-WH', name: 'London warehouse', acceptsReturns: true },
        { code: 'MAN-SHOP', name: 'Manchester shop', acceptsReturns: true },
      ],
      order: {
        id: 'o',
        lines: [1, 2].map((n) => ({
          id: `line-${n}`,
          number: n,
          status: 'DELIVERED',
          source: { code: 'LON-WH', name: 'London warehouse' },
        })),
      },
    },
  };
  const executeMutation = vi.fn((operation: Operation) =>
    fromValue({
      operation,
      data: {
        returnCreate: {
          __typename: 'ReasonUnknown',
          code: 'REASON_UNKNOWN',
          message: 'Choose one of the return reasons.',
          field: ['input', 'lines', '0', 'reason'],
          allowedReasons: ['TOO_SMALL'],
        },
      },
      stale: false,
      hasNext: false,
    }),
  );
  const client = {
    executeQuery: vi.fn((operation: Operation) =>
      fromValue({ operation, data: data[operationName(operation) ?? ''], stale: false, hasNext: false }),
    ),
    executeMutation,
    executeSubscription: vi.fn(),
  } as unknown as Client;
  const action = availableAction(actions(), 'RETURN');
  if (!action) throw new Error('the fixture has no RETURN action');
  render(
    <Provider value={client}>
      <ReturnDialog order={order()} action={action} onClose={vi.fn()} onDone={vi.fn()} onStale={vi.fn()} />
    </Provider>,
  );
  return { executeMutation, dialog: screen.getByRole('dialog', { name: 'New return' }) };
}

test('an error on a line’s reason shows under that line, and the comment is mandatory', async () => {
  const { dialog, executeMutation } = setup(false);
  expect(within(dialog).queryByText('Returned to')).toBeNull();
  await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Return line 2' }));
  await userEvent.selectOptions(within(dialog).getByLabelText('Reason for line 2'), 'TOO_SMALL');
  const create = within(dialog).getByRole('button', { name: 'Create return' });
  expect(create).toBeDisabled();
  await userEvent.type(within(dialog).getByLabelText('Comment (mandatory)'), 'Too small.');
  await userEvent.click(create);
  expect(executeMutation.mock.calls[0]?.[0].variables).toMatchObject({
    lines: [{ lineId: 'line-2', reason: 'TOO_SMALL' }],
    comment: 'Too small.',
    dryRun: false,
  });
  expect(within(dialog).getByLabelText('Reason for line 2')).toHaveAccessibleDescription(
    'Choose one of the return reasons.',
  );
  expect(within(dialog).getByLabelText('Reason for line 1')).not.toHaveAttribute('aria-invalid');
});

test('with the sourcing strategy on, each line says where it goes back to', async () => {
  const { dialog, executeMutation } = setup(true);
  expect(within(dialog).getByRole('columnheader', { name: 'Returned to' })).toBeInTheDocument();
  await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Return line 1' }));
  await userEvent.selectOptions(within(dialog).getByLabelText('Reason for line 1'), 'TOO_SMALL');
  await userEvent.selectOptions(within(dialog).getByLabelText('Line 1 returned to'), 'MAN-SHOP');
  await userEvent.type(within(dialog).getByLabelText('Comment (mandatory)'), 'Into the shop.');
  await userEvent.click(within(dialog).getByRole('button', { name: 'Preview refund' }));
  expect(executeMutation.mock.calls[0]?.[0].variables).toMatchObject({
    lines: [{ lineId: 'line-1', reason: 'TOO_SMALL', returnTo: 'MAN-SHOP' }],
    dryRun: true,
  });
});
