import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, test, vi } from 'vitest';

import { actions } from '../test/fixtures';
import { ActionButton } from './ActionButton';
import { availableAction } from './types';

test('an allowed action is a button that opens its dialog', async () => {
  const onClick = vi.fn();
  render(<ActionButton action={availableAction(actions(), 'RETURN')} label="New return" onClick={onClick} />);
  await userEvent.click(screen.getByRole('button', { name: 'New return' }));
  expect(onClick).toHaveBeenCalledOnce();
});

test('an action the role lacks is not shown at all', () => {
  const order = actions({ RETURN: { allowed: false, reason: 'MISSING_PERMISSION', lineIds: [] } });
  const { container } = render(
    <ActionButton action={availableAction(order, 'RETURN')} label="New return" onClick={vi.fn()} />,
  );
  expect(container).toBeEmptyDOMElement();
});

test('an action the order does not allow now is disabled and says why', () => {
  const order = actions({ CANCEL: { allowed: false, reason: 'ORDER_STATUS', lineIds: [] } });
  render(<ActionButton action={availableAction(order, 'CANCEL')} label="Cancel order" onClick={vi.fn()} />);
  const button = screen.getByRole('button', { name: 'Cancel order' });
  expect(button).toBeDisabled();
  expect(button).toHaveAccessibleDescription(/Only orders in Order review can be cancelled here/);
});

test('each lifecycle reason says what stops the action', () => {
  const order = actions({
    SHIPPING_UPDATE: { allowed: false, reason: 'ORDER_STATUS', lineIds: [] },
    SHIPPING_APPEASEMENT: { allowed: false, reason: 'NOTHING_REFUNDABLE', lineIds: [] },
    REFUND_RETRY: { allowed: false, reason: 'NO_FAILED_REFUND', lineIds: [] },
  });
  render(
    <>
      <ActionButton
        action={availableAction(order, 'SHIPPING_UPDATE')}
        label="Change shipping"
        onClick={vi.fn()}
      />
      <ActionButton
        action={availableAction(order, 'SHIPPING_APPEASEMENT')}
        label="Refund shipping"
        onClick={vi.fn()}
      />
      <ActionButton action={availableAction(order, 'REFUND_RETRY')} label="Send again" onClick={vi.fn()} />
    </>,
  );
  expect(screen.getByRole('button', { name: 'Change shipping' })).toHaveAccessibleDescription(
    /can change address or method/,
  );
  expect(screen.getByRole('button', { name: 'Refund shipping' })).toHaveAccessibleDescription(
    /Nothing is left of the shipping charge/,
  );
  expect(screen.getByRole('button', { name: 'Send again' })).toHaveAccessibleDescription(
    /No failed refund waits/,
  );
});
