import type { AvailableActionKind, OrderActionsQuery, OrderDetailQuery } from '../gql/graphql';

export type Order = NonNullable<OrderDetailQuery['order']>;
export type OrderLine = Order['lines'][number];
export type OrderActions = NonNullable<OrderActionsQuery['order']>;
export type AvailableAction = OrderActions['availableActions'][number];

export function availableAction(
  actions: OrderActions,
  kind: AvailableActionKind,
): AvailableAction | undefined {
  return actions.availableActions.find((a) => a.kind === kind);
}

/** The order's lines the action accepts now, in line order. */
export function eligibleLines(order: Order, action: AvailableAction | undefined): OrderLine[] {
  const ids = new Set(action?.allowed ? action.lineIds : []);
  return order.lines.filter((line) => ids.has(line.id));
}

export function lineLabel(line: Pick<OrderLine, 'number' | 'productName' | 'sku'>): string {
  return `Line ${line.number}: ${line.productName} (${line.sku})`;
}
