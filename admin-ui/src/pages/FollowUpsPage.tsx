// Supervision "Follow-ups": customers that have to be contacted, soonest due first. Mine or
// all I see, overdue only; "Done" for the assignee (or their supervisor), "Reassign" for those
// who manage other users. Follow-ups are created from the order detail.
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { Field, FormAlert } from '../components/Field';
import { Pager, usePaging } from '../components/Pager';
import { DateTime } from '../components/Values';
import { usePageTitle } from '../components/usePageTitle';
import { FollowUpsDocument, type FollowUpsQuery } from '../gql/graphql';
import { fromCombinedError } from '../graphql/errors';
import {
  FollowUpCompleteDialog,
  FollowUpReassignDialog,
  useReassignTargets,
  type FollowUpItem,
} from '../followups/FollowUpDialogs';
import { useSession, useViewer } from '../session/session';

// urql wants a stable context object (a new one per render loops): refetch when a mutation
// returns a FollowUp, even while the list is empty.
const REFETCH_ON = { additionalTypenames: ['FollowUp'] };

const PAGE_SIZE = 25;
type Node = FollowUpsQuery['followUps']['edges'][number]['node'];
type Open = { kind: 'DONE' | 'REASSIGN'; item: FollowUpItem } | null;

function RowButtons({ node, onOpen }: { node: Node; onOpen: (open: Open) => void }) {
  const viewer = useViewer();
  const { can } = useSession();
  const { managesSomeone } = useReassignTargets(node.order.id);
  const mine = node.assignee?.username === viewer.username;
  const label = `on order ${node.order.number}`;
  return (
    <>
      {can('COMMENT_ADD') && (mine || managesSomeone) && (
        <button
          type="button"
          aria-label={`Done ${label}`}
          onClick={() => onOpen({ kind: 'DONE', item: node })}
        >
          Done
        </button>
      )}
      {can('COMMENT_ADD') && managesSomeone && (
        <button
          type="button"
          aria-label={`Reassign ${label}`}
          onClick={() => onOpen({ kind: 'REASSIGN', item: node })}
        >
          Reassign
        </button>
      )}
    </>
  );
}

export function FollowUpsPage() {
  const paging = usePaging();
  const [scope, setScope] = useState<'MINE' | 'ALL'>('MINE');
  const [overdue, setOverdue] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  usePageTitle('Follow-ups');
  const [{ data, error }] = useQuery({
    query: FollowUpsDocument,
    variables: {
      filter: { assignedToMe: scope === 'MINE', overdue },
      first: PAGE_SIZE,
      after: paging.after,
    },
    context: REFETCH_ON,
  });
  const list = data?.followUps;

  return (
    <section aria-labelledby="fu-title">
      <h1 id="fu-title">Follow-ups</h1>
      <p className="muted">Customers to contact, soonest due first. Create one from an order’s page.</p>
      <form
        className="search search-grid"
        aria-label="Filter the follow-ups"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Whose">
          <select
            value={scope}
            onChange={(e) => {
              paging.reset();
              setScope(e.target.value as 'MINE' | 'ALL');
            }}
          >
            <option value="MINE">Mine</option>
            <option value="ALL">All I see</option>
          </select>
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={overdue}
            onChange={(e) => {
              paging.reset();
              setOverdue(e.target.checked);
            }}
          />{' '}
          Overdue only
        </label>
      </form>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <FormAlert message={fromCombinedError(error)?.message} />
      {list && (
        <>
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Open follow-ups, soonest due first</caption>
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                  <th scope="col">About</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Steps</th>
                </tr>
              </thead>
              <tbody>
                {list.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td>
                      <DateTime value={node.dueAt} />
                      {node.overdue && <div className="late">Overdue</div>}
                    </td>
                    <td>
                      <Link to={`/orders/${encodeURIComponent(node.order.number)}`}>{node.order.number}</Link>
                      <div className="muted">{node.order.store.code}</div>
                    </td>
                    <td>{node.order.customer.name}</td>
                    <td>
                      {node.note}
                      <div className="muted">by {node.createdBy?.displayName ?? 'the system'}</div>
                    </td>
                    <td>{node.assignee?.displayName ?? '—'}</td>
                    <td>
                      <RowButtons
                        node={node}
                        onOpen={(o) => {
                          setNotice(null);
                          setOpen(o);
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.edges.length === 0 && <p>No follow-up to show.</p>}
          <Pager
            paging={paging}
            totalCount={list.totalCount}
            pageSize={PAGE_SIZE}
            shown={list.edges.length}
            hasNextPage={list.pageInfo.hasNextPage}
            endCursor={list.pageInfo.endCursor}
            noun="follow-ups"
          />
        </>
      )}
      {open?.kind === 'DONE' && (
        <FollowUpCompleteDialog
          item={open.item}
          onClose={() => setOpen(null)}
          onDone={(m) => {
            setOpen(null);
            setNotice(m);
          }}
        />
      )}
      {open?.kind === 'REASSIGN' && (
        <FollowUpReassignDialog
          item={open.item}
          onClose={() => setOpen(null)}
          onDone={(m) => {
            setOpen(null);
            setNotice(m);
          }}
        />
      )}
    </section>
  );
}
