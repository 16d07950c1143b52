// A delivered UK order as OrderDetail and OrderActions return it, for component tests.
import type { Order, OrderActions } from '../orders/types';

const gbp = (amount: string) => ({ amount, currency: 'GBP' });

export function order(overrides: Partial<Order> = {}): Order {
  const address = {
    name: 'Jürgen Müller',
    line1: '10 Downing Street',
    line2: null,
    city: 'London',
    region: null,
    postalCode: 'SW1A 2AA',
    country: 'GB',
    phone: null,
  };
  return {
    id: 'T3JkZXI6MQ==',
    number: '100045',
    reference: 'WEB-UK-1',
    version: 3,
    status: 'DELIVERED',
    orderType: 'NORMAL',
    purchasedAt: '2026-03-29T00:30:00+00:00',
    store: { code: 'UK', name: 'csdesk UK' },
    language: 'en',
    vatCountry: 'GB',
    customer: { id: 'C1', type: 'REGISTERED', name: 'Jürgen Müller', email: 'j@example.com', phone: null },
    shippingAddress: address,
    shippingMethod: 'Next day',
    billingAddress: address,
    paymentMethod: 'Card',
    lines: [1, 2].map((n) => ({
      id: `line-${n}`,
      number: n,
      imageUrl: null,
      sku: `SKU-${n}`,
      productName: `Shirt ${n}`,
      originalPrice: gbp('20.00'),
      discount: gbp('0.00'),
      netAmount: gbp('20.00'),
      tax: gbp('4.00'),
      total: gbp('24.00'),
      status: 'DELIVERED' as const,
      refundableAmount: gbp(n === 1 ? '20.00' : '7.50'),
      deliveredAt: '2026-04-01T10:00:00+00:00',
    })),
    subtotal: gbp('40.00'),
    discount: gbp('0.00'),
    tax: gbp('8.00'),
    shipping: gbp('0.00'),
    grandTotal: gbp('48.00'),
    shippingRefundableAmount: gbp('0.00'),
    shipments: [],
    refunds: [],
    postsalesActions: [],
    history: [],
    originOrder: null,
    derivedOrders: [],
    ...overrides,
  };
}

export function actions(
  overrides: Partial<Record<string, Partial<OrderActions['availableActions'][number]>>> = {},
): OrderActions {
  const kinds = [
    'EXCHANGE',
    'RESHIPMENT',
    'APPEASEMENT',
    'RETURN',
    'CANCEL',
    'COMMENT',
    'RETURN_APPROVE',
    'RETURN_CANCEL',
    'APPEASEMENT_CANCEL',
    'SHIPPING_UPDATE',
    'SHIPPING_APPEASEMENT',
    'REFUND_RETRY',
  ] as const;
  return {
    id: 'T3JkZXI6MQ==',
    number: '100045',
    version: 3,
    status: 'DELIVERED',
    warnings: [],
    availableActions: kinds.map((kind) => ({
      kind,
      allowed: true,
      reason: null,
      permission: 'ORDER_VIEW' as const,
      lineIds: ['line-1', 'line-2'],
      actionIds: [],
      refundIds: [],
      needsApproval: false,
      approvalLimit: null,
      ...overrides[kind],
    })),
  };
}
