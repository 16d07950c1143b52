// The sections of the Order Detail page: information, shipping, billing and payment, the item
// snapshot (with each line's delivery time), totals, shipments with tracking ("where is my
// parcel?"), refunds with status ("has my money been sent?"), post-sales actions with each
// line's reason and receipt, and history & comments with their details.
import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { DateTime, Money, Status } from '../components/Values';
import { humanize } from '../format/format';
import { STEP_LABELS, type Step } from './dialogs/PostsalesStepDialog';
import type { Order, OrderActions } from './types';
import { availableAction } from './types';

const orderLink = (number: string) => `/orders/${encodeURIComponent(number)}`;

function Address({ address }: { address: Order['shippingAddress'] }) {
  return (
    <address>
      {address.name}
      <br />
      {address.line1}
      {address.line2 && (
        <>
          <br />
          {address.line2}
        </>
      )}
      <br />
      {address.postalCode} {address.city}
      {address.region && `, ${address.region}`}
      <br />
      {address.country}
      {address.phone && (
        <>
          <br />
          {address.phone}
        </>
      )}
    </address>
  );
}

export function OrderInformation({ order }: { order: Order }) {
  return (
    <section className="card" aria-labelledby="info-title">
      <h2 id="info-title">Order information</h2>
      <dl className="pairs">
        <dt>Order ID</dt>
        <dd>{order.number}</dd>
        <dt>Client reference</dt>
        <dd>{order.reference ?? '—'}</dd>
        <dt>Origin date</dt>
        <dd>
          <DateTime value={order.purchasedAt} />
        </dd>
        <dt>Store</dt>
        <dd>
          {order.store.name} ({order.store.code})
        </dd>
        <dt>Language</dt>
        <dd>{order.language}</dd>
        <dt>VAT country</dt>
        <dd>{order.vatCountry}</dd>
        <dt>Customer ID</dt>
        <dd>{order.customer.id}</dd>
        <dt>Customer type</dt>
        <dd>{humanize(order.customer.type)}</dd>
        <dt>Customer</dt>
        <dd>
          {order.customer.name}
          <br />
          {order.customer.email}
          {order.customer.phone && (
            <>
              <br />
              {order.customer.phone}
            </>
          )}
        </dd>
        <dt>Order type</dt>
        <dd>{humanize(order.orderType)}</dd>
        {order.originOrder && (
          <>
            <dt>Origin order</dt>
            <dd>
              <Link to={orderLink(order.originOrder.number)}>{order.originOrder.number}</Link>
            </dd>
          </>
        )}
        {order.derivedOrders.length > 0 && (
          <>
            <dt>Exchanges and reshipments</dt>
            <dd>
              <ul className="inline-list">
                {order.derivedOrders.map((d) => (
                  <li key={d.id}>
                    <Link to={orderLink(d.number)}>{d.number}</Link> ({humanize(d.orderType)},{' '}
                    {humanize(d.status)})
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

export function ShippingAndBilling({ order }: { order: Order }) {
  return (
    <>
      <section className="card" aria-labelledby="shipping-title">
        <h2 id="shipping-title">Shipping</h2>
        <Address address={order.shippingAddress} />
        <p>
          <strong>Shipping method:</strong> {order.shippingMethod}
        </p>
      </section>
      <section className="card" aria-labelledby="billing-title">
        <h2 id="billing-title">Billing and payment</h2>
        <Address address={order.billingAddress} />
        <p>
          <strong>Payment method:</strong> {order.paymentMethod}
        </p>
      </section>
    </>
  );
}

export function Items({ order }: { order: Order }) {
  return (
    <section aria-labelledby="items-title">
      <h2 id="items-title">Item snapshot</h2>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Image</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Original price
              </th>
              <th scope="col" className="num">
                Discount
              </th>
              <th scope="col" className="num">
                Line without taxes
              </th>
              <th scope="col" className="num">
                Taxes
              </th>
              <th scope="col" className="num">
                Line total
              </th>
              <th scope="col">Status</th>
              <th scope="col">Delivered</th>
              <th scope="col" className="num">
                Refundable
              </th>
            </tr>
          </thead>
          <tbody>
            {order.lines.map((line) => (
              <tr key={line.id}>
                <td>{line.number}</td>
                <td>
                  {line.imageUrl && (
                    <img
                      src={line.imageUrl}
                      alt=""
                      width={40}
                      height={40}
                      loading="lazy"
                      onError={(e) => {
                        e.currentTarget.style.visibility = 'hidden';
                      }}
                    />
                  )}
                </td>
                <td>
                  {line.productName}
                  <div className="muted">{line.sku}</div>
                </td>
                <td className="num">
                  <Money value={line.originalPrice} />
                </td>
                <td className="num">
                  <Money value={line.discount} />
                </td>
                <td className="num">
                  <Money value={line.netAmount} />
                </td>
                <td className="num">
                  <Money value={line.tax} />
                </td>
                <td className="num">
                  <Money value={line.total} />
                </td>
                <td>
                  <Status value={line.status} />
                </td>
                <td>{line.deliveredAt ? <DateTime value={line.deliveredAt} /> : '—'}</td>
                <td className="num">
                  <Money value={line.refundableAmount} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="pairs totals" aria-label="Totals">
        <dt>Subtotal</dt>
        <dd>
          <Money value={order.subtotal} />
        </dd>
        <dt>Discount</dt>
        <dd>
          <Money value={order.discount} />
        </dd>
        <dt>Taxes</dt>
        <dd>
          <Money value={order.tax} />
        </dd>
        <dt>Shipping</dt>
        <dd>
          <Money value={order.shipping} />
        </dd>
        <dt>Grand total</dt>
        <dd>
          <strong>
            <Money value={order.grandTotal} />
          </strong>
        </dd>
      </dl>
    </section>
  );
}

const STEPS: Step[] = ['RETURN_APPROVE', 'RETURN_CANCEL', 'APPEASEMENT_CANCEL'];

export function PostsalesActions({
  order,
  actions,
  onStep,
}: {
  order: Order;
  actions: OrderActions | undefined;
  onStep: (step: Step, actionId: string, subject: string) => void;
}) {
  return (
    <section aria-labelledby="postsales-title">
      <h2 id="postsales-title">Post sales actions</h2>
      {order.postsalesActions.length === 0 ? (
        <p>No post-sales action yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Lines</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Reason</th>
                <th scope="col">Details</th>
                <th scope="col">Created</th>
                <th scope="col">Steps</th>
              </tr>
            </thead>
            <tbody>
              {order.postsalesActions.map((a) => {
                const steps = actions
                  ? STEPS.filter((s) => availableAction(actions, s)?.actionIds.includes(a.id))
                  : [];
                const subject = `${humanize(a.kind)} of line ${a.lines.map((l) => l.number).join(', ')} on order ${order.number}.`;
                return (
                  <tr key={a.id}>
                    <td>
                      {humanize(a.kind)}
                      {a.noRefund && <div className="muted">no refund (exchange)</div>}
                    </td>
                    <td>
                      <Status value={a.status} />
                    </td>
                    <td>{a.lines.map((l) => l.number).join(', ')}</td>
                    <td className="num">
                      <Money value={a.amount} />
                    </td>
                    <td>
                      <ActionReasons action={a} />
                    </td>
                    <td>
                      {a.returnSource && <div>Returned to {a.returnSource.name}</div>}
                      {a.actionLines
                        .filter((l) => l.receivedAt)
                        .map((l) => (
                          <div key={l.line.id}>
                            Line {l.line.number} received <DateTime value={l.receivedAt} />
                            {l.disposition && ` (${humanize(l.disposition)})`}
                          </div>
                        ))}
                      {a.resultingOrder && (
                        <div>
                          New order{' '}
                          <Link to={orderLink(a.resultingOrder.number)}>{a.resultingOrder.number}</Link>
                        </div>
                      )}
                      {a.comment && <div className="muted">“{a.comment}”</div>}
                    </td>
                    <td>
                      <DateTime value={a.createdAt} />
                      <div className="muted">by {a.createdBy?.displayName ?? 'the system'}</div>
                    </td>
                    <td>
                      {steps.map((s) => (
                        <button key={s} type="button" onClick={() => onStep(s, a.id, subject)}>
                          {STEP_LABELS[s]}
                        </button>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function History({ order }: { order: Order }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History and comments ({order.history.length})</h2>
      <ol className="timeline" aria-label="History, oldest first">
        {order.history.map((h) => (
          <li key={h.id} className={`timeline-${h.kind.toLowerCase()}`}>
            <div className="timeline-meta">
              <DateTime value={h.at} /> · <span className="kind">{humanize(h.kind)}</span> ·{' '}
              {h.actor.displayName}
            </div>
            <p>
              {h.message}
              {h.relatedOrder && (
                <>
                  {' '}
                  <Link to={orderLink(h.relatedOrder.number)}>{h.relatedOrder.number}</Link>
                </>
              )}
            </p>
            <HistoryDetails details={h.details} />
          </li>
        ))}
      </ol>
    </section>
  );
}

type PostsalesAction = Order['postsalesActions'][number];

/** The action's reason, or each line's own when its lines were returned for different ones. */
function ActionReasons({ action }: { action: PostsalesAction }) {
  const perLine = action.actionLines.filter((l) => l.reason);
  const reasons = new Set(perLine.map((l) => l.reason));
  if (reasons.size <= 1) return <>{humanize(action.reason ?? perLine[0]?.reason)}</>;
  return (
    <ul className="plain">
      {perLine.map((l) => (
        <li key={l.line.id}>
          Line {l.line.number}: {humanize(l.reason)}
        </li>
      ))}
    </ul>
  );
}

function Tracking({ carrier, number, url }: { carrier: string | null; number: string; url: string | null }) {
  return (
    <>
      {carrier && `${carrier} `}
      {url ? (
        <a href={url} target="_blank" rel="noreferrer noopener">
          {number}
        </a>
      ) : (
        number
      )}
    </>
  );
}

export function Shipments({ order }: { order: Order }) {
  return (
    <section aria-labelledby="shipments-title">
      <h2 id="shipments-title">Shipments</h2>
      {order.shipments.length === 0 ? (
        <p>Nothing has shipped yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Tracking</th>
                <th scope="col">Lines</th>
                <th scope="col">Shipped</th>
                <th scope="col">Delivered</th>
              </tr>
            </thead>
            <tbody>
              {order.shipments.map((s) => (
                <tr key={`${s.carrier}-${s.trackingNumber}`}>
                  <td>
                    <Tracking carrier={s.carrier} number={s.trackingNumber} url={s.trackingUrl} />
                  </td>
                  <td>{s.lines.map((l) => l.number).join(', ')}</td>
                  <td>
                    <DateTime value={s.shippedAt} />
                  </td>
                  <td>{s.deliveredAt ? <DateTime value={s.deliveredAt} /> : 'On the way'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export type Refund = Order['refunds'][number];

export function Refunds({
  order,
  actions,
  onRetry,
}: {
  order: Order;
  actions: OrderActions | undefined;
  onRetry: (refund: Refund) => void;
}) {
  const retryable = new Set(actions ? (availableAction(actions, 'REFUND_RETRY')?.refundIds ?? []) : []);
  return (
    <section aria-labelledby="refunds-title">
      <h2 id="refunds-title">Refunds</h2>
      {order.refunds.length === 0 ? (
        <p>No refund yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Refund</th>
                <th scope="col">Kind</th>
                <th scope="col">On</th>
                <th scope="col" className="num">
                  Net
                </th>
                <th scope="col" className="num">
                  Tax
                </th>
                <th scope="col" className="num">
                  Gross
                </th>
                <th scope="col">Status</th>
                <th scope="col">Requested</th>
                <th scope="col">Last change</th>
                <th scope="col">Steps</th>
              </tr>
            </thead>
            <tbody>
              {order.refunds.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.id}
                    {r.retryOf !== null && <div className="muted">sends {r.retryOf} again</div>}
                  </td>
                  <td>{r.kind === 'VOID' ? 'Void' : `Credit note (${humanize(r.kind)})`}</td>
                  <td>{r.line ? `Line ${r.line.number}` : 'Shipping'}</td>
                  <td className="num">
                    <Money value={r.net} />
                  </td>
                  <td className="num">
                    <Money value={r.tax} />
                  </td>
                  <td className="num">
                    <Money value={r.gross} />
                  </td>
                  <td>
                    <Status value={r.status} />
                    {r.failureReason && <div className="muted">{r.failureReason}</div>}
                  </td>
                  <td>
                    <DateTime value={r.createdAt} />
                  </td>
                  <td>
                    <DateTime value={r.updatedAt} />
                  </td>
                  <td>
                    {retryable.has(r.id) && (
                      <button
                        type="button"
                        aria-label={`Send refund ${r.id} again`}
                        onClick={() => onRetry(r)}
                      >
                        Send again
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type Details = Order['history'][number]['details'];

/** "shippingAddress.postalCode" → "Postal code", "shippingMethod" → "Shipping method". */
function fieldLabel(path: string): string {
  const last = path.split('.').pop() ?? path;
  const words = last
    .replace(/([A-Z])/g, ' $1')
    .replace(/(\d+)/g, ' $1')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The typed facts of a history entry the message does not spell out. */
function HistoryDetails({ details }: { details: Details }) {
  const items: ReactNode[] = [];
  if (details.tracking) {
    const t = details.tracking;
    items.push(
      <li key="tracking">
        Tracking: <Tracking carrier={t.carrier} number={t.trackingNumber} url={t.trackingUrl} />
      </li>,
    );
  }
  for (const c of details.changes) {
    items.push(
      <li key={`change-${c.field}`}>
        {fieldLabel(c.field)}: {c.old ?? '—'} → {c.new ?? '—'}
      </li>,
    );
  }
  if (details.commentKind) items.push(<li key="kind">{humanize(details.commentKind)}</li>);
  if (details.ticketReference) items.push(<li key="ticket">Ticket {details.ticketReference}</li>);
  if (details.failureReason) items.push(<li key="failure">Failure: {details.failureReason}</li>);
  if (items.length === 0) return null;
  return <ul className="timeline-details">{items}</ul>;
}
