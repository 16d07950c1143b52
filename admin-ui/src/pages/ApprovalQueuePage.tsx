// Supervision "Approvals" (APPEASEMENT_APPROVE): appeasements above their creator's limit wait
// AWAITING_APPROVAL, oldest first, with how long they waited and when they are due. Approve or
// reject, each with a mandatory comment; your own ones are greyed out (four eyes).
import { useState, type SyntheticEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { Ageing } from '../components/Ageing';
import { Dialog } from '../components/Dialog';
import { Field, FormAlert } from '../components/Field';
import { Pager, usePaging } from '../components/Pager';
import { DateTime, Money } from '../components/Values';
import { usePageTitle } from '../components/usePageTitle';
import { approvalReasonText, formatMoney, humanize } from '../format/format';
import {
  AppeasementApproveDocument,
  AppeasementRejectDocument,
  ApprovalQueueDocument,
  type ApprovalQueueQuery,
} from '../gql/graphql';
import { errorFor, fromCombinedError, fromUserError, generalError, type FormError } from '../graphql/errors';
import { useIdempotencyKey } from '../orders/useIdempotencyKey';
import { useViewer } from '../session/session';

// urql wants a stable context object (a new one per render loops): refetch when a mutation
// returns a PostsalesAction, even while the list is empty.
const REFETCH_ON = { additionalTypenames: ['PostsalesAction'] };

const PAGE_SIZE = 25;
type Item = ApprovalQueueQuery['postsalesActions']['edges'][number]['node'];
type Decision = 'APPROVE' | 'REJECT';

const DECISIONS: Record<Decision, { label: string; explain: string }> = {
  APPROVE: {
    label: 'Approve',
    explain: 'The appeasement is requested and its credit note goes to the payment system.',
  },
  REJECT: {
    label: 'Reject',
    explain: 'Nothing is refunded and the reserved amount is refundable again.',
  },
};

function DecisionDialog({
  item,
  decision,
  onClose,
  onDone,
}: {
  item: Item;
  decision: Decision;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [approved, approve] = useMutation(AppeasementApproveDocument);
  const [rejected, reject] = useMutation(AppeasementRejectDocument);
  const keyFor = useIdempotencyKey();
  const { label, explain } = DECISIONS[decision];

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (!comment.trim()) {
      setError({ message: 'A comment is mandatory.', key: 'input.comment', code: 'VALIDATION', error: null });
      return;
    }
    const input = { actionId: item.id, comment: comment.trim(), expectedVersion: item.order.version };
    const variables = { ...input, idempotencyKey: keyFor({ decision, ...input }) };
    const amount = formatMoney(item.amount);
    if (decision === 'APPROVE') {
      const result = await approve(variables);
      const answer = result.data?.appeasementApprove;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'AppeasementApproveSuccess') return setError(fromUserError(answer));
      onDone(`Appeasement of ${amount} on order ${item.order.number} approved.`);
    } else {
      const result = await reject(variables);
      const answer = result.data?.appeasementReject;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'AppeasementRejectSuccess') return setError(fromUserError(answer));
      onDone(`Appeasement of ${amount} on order ${item.order.number} rejected.`);
    }
  }

  return (
    <Dialog title={`${label} the appeasement?`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          {formatMoney(item.amount)} on order {item.order.number} ({item.order.customer.name}), asked by{' '}
          {item.createdBy?.displayName ?? 'the system'}.
        </p>
        <p>{explain}</p>
        <FormAlert message={generalError(error, ['input.comment'])} />
        <Field label="Comment (mandatory)" error={errorFor(error, 'input.comment')}>
          <textarea
            name="comment"
            rows={3}
            maxLength={1000}
            required
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
        </Field>
        <div className="buttons">
          <button
            type="submit"
            className={decision === 'APPROVE' ? 'button-primary' : 'button-danger'}
            disabled={approved.fetching || rejected.fetching}
          >
            {label}
          </button>
          <button type="button" onClick={onClose}>
            Back
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ApprovalQueuePage() {
  const viewer = useViewer();
  const paging = usePaging();
  const [lateOnly, setLateOnly] = useState(false);
  const [store, setStore] = useState('');
  const [open, setOpen] = useState<{ item: Item; decision: Decision } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  usePageTitle('Approvals');
  const [{ data, error }] = useQuery({
    query: ApprovalQueueDocument,
    variables: {
      storeCodes: store ? [store] : null,
      breached: lateOnly ? true : null,
      first: PAGE_SIZE,
      after: paging.after,
    },
    context: REFETCH_ON,
  });
  const queue = data?.postsalesActions;

  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      <p className="muted">
        Appeasements above their creator’s limit, oldest first. Someone else decides on your own.
      </p>
      <form
        className="search search-grid"
        aria-label="Filter the approvals"
        onSubmit={(e) => e.preventDefault()}
      >
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
          Late only
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
              <caption className="visually-hidden">Appeasements awaiting approval, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Waiting</th>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Items</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {queue.edges.map(({ node }) => {
                  const own = node.createdBy?.username === viewer.username;
                  return (
                    <tr key={node.id}>
                      <td>
                        <Ageing age={node.age} dueAt={node.dueAt} breached={node.breached} />
                        <div className="muted">
                          asked <DateTime value={node.createdAt} /> by{' '}
                          {node.createdBy?.displayName ?? 'the system'}
                        </div>
                      </td>
                      <td>
                        <Link to={`/orders/${encodeURIComponent(node.order.number)}`}>
                          {node.order.number}
                        </Link>
                        <div className="muted">{node.order.store.code}</div>
                      </td>
                      <td>{node.order.customer.name}</td>
                      <td>
                        <Money value={node.amount} />
                        {node.approvalReason && (
                          <div className="muted">{approvalReasonText(node.approvalReason)}</div>
                        )}
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
                        {(['APPROVE', 'REJECT'] as const).map((decision) => (
                          <button
                            key={decision}
                            type="button"
                            disabled={own}
                            aria-label={`${DECISIONS[decision].label} the appeasement on order ${node.order.number}`}
                            onClick={() => {
                              setNotice(null);
                              setOpen({ item: node, decision });
                            }}
                          >
                            {DECISIONS[decision].label}
                          </button>
                        ))}
                        {own && <div className="muted">Yours: another supervisor decides.</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {queue.edges.length === 0 && <p>Nothing waits for approval.</p>}
          <Pager
            paging={paging}
            totalCount={queue.totalCount}
            pageSize={PAGE_SIZE}
            shown={queue.edges.length}
            hasNextPage={queue.pageInfo.hasNextPage}
            endCursor={queue.pageInfo.endCursor}
            noun="appeasements"
          />
        </>
      )}
      {open && (
        <DecisionDialog
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
