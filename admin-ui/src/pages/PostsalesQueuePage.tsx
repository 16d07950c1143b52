// The post-sales queue, oldest first (by default: returns awaiting approval), with approve and
// cancel for those whose role allows them.
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { Ageing } from '../components/Ageing';
import { Field, FormAlert } from '../components/Field';
import { Pager, usePaging } from '../components/Pager';
import { DateTime, Status } from '../components/Values';
import { humanize } from '../format/format';
import {
  PostsalesQueueDocument,
  type Permission,
  type PostsalesActionKind,
  type PostsalesActionStatus,
} from '../gql/graphql';
import { fromCombinedError } from '../graphql/errors';
import { PostsalesStepDialog, STEP_LABELS, type Step } from '../orders/dialogs/PostsalesStepDialog';
import { useSession, useViewer } from '../session/session';
import { usePageTitle } from '../components/usePageTitle';

const PAGE_SIZE = 25;
const KINDS: PostsalesActionKind[] = ['RETURN', 'APPEASEMENT', 'EXCHANGE', 'RESHIPMENT', 'CANCELLATION'];
const STATUSES: PostsalesActionStatus[] = [
  'AWAITING_APPROVAL',
  'REQUESTED',
  'PENDING_RELEASE',
  'APPROVED',
  'RELEASED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'REJECTED',
];
// The steps the queue offers, with the statuses each applies to (the mutation refuses any
// other): a return while REQUESTED; an appeasement until its refund is released.
const STEPS: Partial<Record<PostsalesActionKind, [Step, Permission, PostsalesActionStatus[]][]>> = {
  RETURN: [
    ['RETURN_APPROVE', 'RETURN_APPROVE', ['REQUESTED']],
    ['RETURN_CANCEL', 'RETURN_CANCEL', ['REQUESTED']],
  ],
  APPEASEMENT: [
    [
      'APPEASEMENT_CANCEL',
      'APPEASEMENT_CANCEL',
      ['AWAITING_APPROVAL', 'REQUESTED', 'PENDING_RELEASE', 'FAILED'],
    ],
  ],
};

export function PostsalesQueuePage() {
  const { can } = useSession();
  const viewer = useViewer();
  const paging = usePaging();
  const [kind, setKind] = useState<PostsalesActionKind | ''>('RETURN');
  const [status, setStatus] = useState<PostsalesActionStatus | ''>('REQUESTED');
  const [store, setStore] = useState('');
  const [lateOnly, setLateOnly] = useState(false);
  const [open, setOpen] = useState<{ step: Step; actionId: string; subject: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  usePageTitle('Post-sales queue');
  const filter = {
    ...(kind ? { kind } : {}),
    ...(status ? { status: [status] } : {}),
    ...(store ? { storeCodes: [store] } : {}),
    ...(lateOnly ? { breached: true } : {}),
  };
  const [{ data, error }] = useQuery({
    query: PostsalesQueueDocument,
    variables: { filter, first: PAGE_SIZE, after: paging.after },
  });
  const queue = data?.postsalesActions;

  return (
    <section aria-labelledby="ps-title">
      <h1 id="ps-title">Post-sales queue</h1>
      <form
        className="search search-grid"
        aria-label="Filter the post-sales queue"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Action">
          <select
            value={kind}
            onChange={(e) => {
              paging.reset();
              setKind(e.target.value as PostsalesActionKind | '');
            }}
          >
            <option value="">Any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {humanize(k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Status">
          <select
            value={status}
            onChange={(e) => {
              paging.reset();
              setStatus(e.target.value as PostsalesActionStatus | '');
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Purchase point">
          <select
            value={store}
            onChange={(e) => {
              paging.reset();
              setStore(e.target.value);
            }}
          >
            <option value="">All my stores</option>
            {viewer.stores.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={lateOnly}
            onChange={(e) => {
              paging.reset();
              setLateOnly(e.target.checked);
            }}
          />{' '}
          Late only (past the store’s service target)
        </label>
      </form>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <FormAlert message={fromCombinedError(error)?.message} />
      {queue && (
        <>
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Post-sales actions, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Action</th>
                  <th scope="col">Status</th>
                  <th scope="col">Items</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Steps</th>
                </tr>
              </thead>
              <tbody>
                {queue.edges.map(({ node }) => {
                  const steps = (STEPS[node.kind] ?? []).filter(
                    ([, p, statuses]) => can(p) && statuses.includes(node.status),
                  );
                  const subject = `${humanize(node.kind)} of line ${node.lines.map((l) => l.number).join(', ')} on order ${node.order.number}.`;
                  return (
                    <tr key={node.id}>
                      <td>
                        <DateTime value={node.createdAt} />
                        <div className="muted">by {node.createdBy?.displayName ?? 'the system'}</div>
                      </td>
                      <td>
                        <Ageing age={node.age} dueAt={node.dueAt} breached={node.breached} />
                      </td>
                      <td>
                        <Link to={`/orders/${encodeURIComponent(node.order.number)}`}>
                          {node.order.number}
                        </Link>
                        <div className="muted">{node.order.store.code}</div>
                      </td>
                      <td>{node.order.customer.name}</td>
                      <td>
                        {humanize(node.kind)}
                        {node.returnSource && <div className="muted">to {node.returnSource.name}</div>}
                      </td>
                      <td>
                        <Status value={node.status} />
                      </td>
                      <td>
                        <ul className="plain">
                          {node.lines.map((l) => (
                            <li key={l.id}>
                              {l.number}: {l.productName} <span className="muted">{l.sku}</span>
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>
                        {humanize(node.reason)}
                        {node.comment && <div className="muted">“{node.comment}”</div>}
                      </td>
                      <td>
                        {steps.map(([step]) => (
                          <button
                            key={step}
                            type="button"
                            aria-label={`${STEP_LABELS[step]} on order ${node.order.number}`}
                            onClick={() => {
                              setNotice(null);
                              setOpen({ step, actionId: node.id, subject });
                            }}
                          >
                            {STEP_LABELS[step]}
                          </button>
                        ))}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager
            paging={paging}
            totalCount={queue.totalCount}
            pageSize={PAGE_SIZE}
            shown={queue.edges.length}
            hasNextPage={queue.pageInfo.hasNextPage}
            endCursor={queue.pageInfo.endCursor}
            noun="actions"
          />
        </>
      )}
      {open && (
        <PostsalesStepDialog
          {...open}
          onClose={() => setOpen(null)}
          onDone={(message) => {
            setOpen(null);
            setNotice(message);
          }}
        />
      )}
    </section>
  );
}
