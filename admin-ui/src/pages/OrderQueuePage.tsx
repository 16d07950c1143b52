// The Customer Service order queue and search. The guide's rule: when the agent applies a
// search with exactly one result (totalCount == 1), that order opens.
import { useEffect, useMemo } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { FormAlert } from '../components/Field';
import { Pager, usePaging } from '../components/Pager';
import { DateTime, Money, Status } from '../components/Values';
import { humanize } from '../format/format';
import { OrderQueueDocument } from '../gql/graphql';
import { fromCombinedError } from '../graphql/errors';
import {
  filterFromSearch,
  paramsFromSearch,
  searchFromParams,
  type SearchForm as Search,
} from '../orders/filter';
import { SearchForm } from '../orders/SearchForm';
import { usePageTitle } from '../components/usePageTitle';

const PAGE_SIZE = 25;

export function OrderQueuePage() {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const paging = usePaging();
  const search = useMemo(() => searchFromParams(params), [params]);
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const applied = (location.state as { applied?: boolean } | null)?.applied === true;
  usePageTitle('Orders');

  const [{ data, fetching, error }] = useQuery({
    query: OrderQueueDocument,
    variables: { filter, first: PAGE_SIZE, after: paging.after, orderBy: search.sort },
  });
  const orders = data?.orders;

  useEffect(() => {
    if (!applied || fetching || !orders || orders.totalCount !== 1 || !filter) return;
    const only = orders.edges[0]?.node;
    if (!only) return;
    // Keep the search in history without the "applied" mark, so Back shows the list.
    void navigate({ search: params.toString() }, { replace: true, state: null });
    void navigate(`/orders/${encodeURIComponent(only.number)}`);
  }, [applied, fetching, orders, filter, navigate, params]);

  function apply(next: Search) {
    paging.reset();
    setParams(paramsFromSearch(next), { state: { applied: true } });
  }

  const problem = fromCombinedError(error);
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Orders</h1>
      <SearchForm key={params.toString()} initial={search} error={problem} onApply={apply} />
      {problem && !problem.key.startsWith('filter.') && <FormAlert message={problem.message} />}
      {orders && (
        <>
          <table className="table">
            <caption className="visually-hidden">Orders, {humanize(search.sort)}</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Purchase point</th>
                <th scope="col">Purchase date</th>
                <th scope="col">Bill to</th>
                <th scope="col">Ship to</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Grand total
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <Link to={`/orders/${encodeURIComponent(node.number)}`}>{node.number}</Link>
                    {node.reference && <div className="muted">{node.reference}</div>}
                  </td>
                  <td>{node.store.name}</td>
                  <td>
                    <DateTime value={node.purchasedAt} />
                  </td>
                  <td>
                    {node.billingAddress.name}
                    <div className="muted">
                      {node.billingAddress.city}, {node.billingAddress.country}
                    </div>
                  </td>
                  <td>
                    {node.shippingAddress.name}
                    <div className="muted">
                      {node.shippingAddress.city}, {node.shippingAddress.country}
                    </div>
                  </td>
                  <td>{humanize(node.orderType)}</td>
                  <td>
                    <Status value={node.status} />
                  </td>
                  <td className="num">
                    <Money value={node.grandTotal} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            paging={paging}
            totalCount={orders.totalCount}
            pageSize={PAGE_SIZE}
            shown={orders.edges.length}
            hasNextPage={orders.pageInfo.hasNextPage}
            endCursor={orders.pageInfo.endCursor}
            noun="orders"
          />
        </>
      )}
      {fetching && !orders && <p aria-busy="true">Loading…</p>}
    </section>
  );
}
