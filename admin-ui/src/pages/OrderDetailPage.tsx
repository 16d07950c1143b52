// The Order Detail page: Actions (from Order.availableActions), the order's information and
// item snapshot, Shipments, Refunds (with "send again" for a failed one), Post Sales Actions,
// History & Comments and the comment form.
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

import { FormAlert } from '../components/Field';
import { Status } from '../components/Values';
import { humanize } from '../format/format';
import { OrderActionsDocument, OrderDetailDocument } from '../gql/graphql';
import { fromCombinedError } from '../graphql/errors';
import { ActionButton } from '../orders/ActionButton';
import { CommentForm } from '../orders/CommentForm';
import { LiveChanges } from '../orders/LiveChanges';
import { useSession } from '../session/session';
import { FollowUpCreateDialog } from '../followups/FollowUpDialogs';
import { AppeasementDialog } from '../orders/dialogs/AppeasementDialog';
import { CancelDialog } from '../orders/dialogs/CancelDialog';
import { ExchangeDialog } from '../orders/dialogs/ExchangeDialog';
import { PostsalesStepDialog, type Step } from '../orders/dialogs/PostsalesStepDialog';
import { ReshipmentDialog } from '../orders/dialogs/ReshipmentDialog';
import { RefundRetryDialog } from '../orders/dialogs/RefundRetryDialog';
import { ReturnDialog } from '../orders/dialogs/ReturnDialog';
import { ShippingAppeasementDialog } from '../orders/dialogs/ShippingAppeasementDialog';
import { ShippingUpdateDialog } from '../orders/dialogs/ShippingUpdateDialog';
import {
  History,
  Items,
  OrderInformation,
  PostsalesActions,
  Refunds,
  Shipments,
  ShippingAndBilling,
  type Refund,
} from '../orders/sections';
import { availableAction } from '../orders/types';
import { usePageTitle } from '../components/usePageTitle';

const DIALOGS = {
  EXCHANGE: ['New exchange', ExchangeDialog],
  RESHIPMENT: ['New reshipment', ReshipmentDialog],
  APPEASEMENT: ['New appeasement', AppeasementDialog],
  RETURN: ['New return', ReturnDialog],
  SHIPPING_APPEASEMENT: ['Refund shipping', ShippingAppeasementDialog],
  SHIPPING_UPDATE: ['Change shipping', ShippingUpdateDialog],
  CANCEL: ['Cancel order', CancelDialog],
} as const;
type DialogKind = keyof typeof DIALOGS;
type Open =
  | { kind: DialogKind }
  | { kind: 'STEP'; step: Step; actionId: string; subject: string }
  | { kind: 'RETRY'; refund: Refund }
  | { kind: 'FOLLOW_UP' }
  | null;

export function OrderDetailPage() {
  const number = useParams().number ?? '';
  const [detail, reloadDetail] = useQuery({ query: OrderDetailDocument, variables: { number } });
  const [actionsResult, reloadActions] = useQuery({ query: OrderActionsDocument, variables: { number } });
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { can } = useSession();
  usePageTitle(`Order ${number}`);

  const reload = useCallback(() => {
    reloadDetail({ requestPolicy: 'network-only' });
    reloadActions({ requestPolicy: 'network-only' });
  }, [reloadDetail, reloadActions]);
  const done = useCallback((message: string) => {
    setOpen(null);
    setNotice(message);
  }, []);

  const order = detail.data?.order;
  const actions = actionsResult.data?.order ?? undefined;
  if (detail.error && !order) {
    return <FormAlert message={fromCombinedError(detail.error)?.message} />;
  }
  if (!detail.data) return <p aria-busy="true">Loading…</p>;
  if (!order) {
    return (
      <section aria-labelledby="missing-title">
        <h1 id="missing-title">Order {number} not found</h1>
        <p>No order {number} exists in the stores you can see.</p>
        <Link to="/orders">Back to the orders</Link>
      </section>
    );
  }

  const dialogProps = { order, onClose: () => setOpen(null), onDone: done, onStale: reload };
  return (
    <article aria-labelledby="order-title" className="order">
      <header className="order-header">
        <h1 id="order-title">
          Order {order.number} <Status value={order.status} />
        </h1>
        <p className="muted">
          {humanize(order.orderType)} order · {order.store.name} · version {order.version}
        </p>
      </header>
      <LiveChanges number={order.number} version={order.version} onReload={reload} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {actions && actions.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {actions.warnings.map((w) => (
            <li key={`${w.code}-${w.lineId ?? ''}-${w.actionId ?? ''}`}>{w.message}</li>
          ))}
        </ul>
      )}
      <section aria-labelledby="actions-title" className="actions">
        <h2 id="actions-title">Actions</h2>
        {actions ? (
          <div className="buttons">
            {(Object.keys(DIALOGS) as DialogKind[]).map((kind) => (
              <ActionButton
                key={kind}
                action={availableAction(actions, kind)}
                label={DIALOGS[kind][0]}
                onClick={() => {
                  setNotice(null);
                  setOpen({ kind });
                }}
              />
            ))}
            {can('COMMENT_ADD') && (
              <button
                type="button"
                onClick={() => {
                  setNotice(null);
                  setOpen({ kind: 'FOLLOW_UP' });
                }}
              >
                New follow-up
              </button>
            )}
          </div>
        ) : (
          <p aria-busy="true">Loading actions…</p>
        )}
      </section>
      <div className="cards">
        <OrderInformation order={order} />
        <ShippingAndBilling order={order} />
      </div>
      <Items order={order} />
      <Shipments order={order} />
      <Refunds order={order} actions={actions} onRetry={(refund) => setOpen({ kind: 'RETRY', refund })} />
      <PostsalesActions
        order={order}
        actions={actions}
        onStep={(step, actionId, subject) => setOpen({ kind: 'STEP', step, actionId, subject })}
      />
      <History order={order} />
      {actions && availableAction(actions, 'COMMENT')?.allowed && (
        <CommentForm order={order} onDone={setNotice} onStale={reload} />
      )}
      {open && open.kind === 'STEP' && (
        <PostsalesStepDialog
          step={open.step}
          actionId={open.actionId}
          subject={open.subject}
          expectedVersion={order.version}
          onClose={() => setOpen(null)}
          onDone={done}
        />
      )}
      {open && open.kind === 'RETRY' && (
        <RefundRetryDialog
          order={order}
          refund={open.refund}
          onClose={() => setOpen(null)}
          onDone={done}
          onStale={reload}
        />
      )}
      {open && open.kind === 'FOLLOW_UP' && (
        <FollowUpCreateDialog order={order} onClose={() => setOpen(null)} onDone={done} onStale={reload} />
      )}
      {open &&
        open.kind !== 'STEP' &&
        open.kind !== 'RETRY' &&
        open.kind !== 'FOLLOW_UP' &&
        actions &&
        (() => {
          const Component = DIALOGS[open.kind][1];
          const action = availableAction(actions, open.kind);
          return action ? <Component {...dialogProps} action={action} /> : null;
        })()}
    </article>
  );
}
