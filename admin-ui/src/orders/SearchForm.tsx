// The guide's search: every field, "Apply" and "Reset". Errors of the API name the field
// (["filter", "customerName"]) and show under it.
import { useState, type SyntheticEvent } from 'react';

import { Field } from '../components/Field';
import { humanize } from '../format/format';
import type { FormError } from '../graphql/errors';
import { errorFor } from '../graphql/errors';
import { useViewer } from '../session/session';
import {
  APPEASEMENT_STATUSES,
  emptySearch,
  ORDER_STATUSES,
  ORDER_TYPES,
  RETURN_STATUSES,
  SORTS,
  TEXT_FIELDS,
  type SearchForm as Search,
} from './filter';

export function SearchForm({
  initial,
  error,
  onApply,
}: {
  initial: Search;
  error: FormError | null;
  onApply: (search: Search) => void;
}) {
  const viewer = useViewer();
  const [form, setForm] = useState<Search>(initial);
  const set = (patch: Partial<Search>) => setForm((f) => ({ ...f, ...patch }));
  const toggle = <T extends string>(values: T[], value: T): T[] =>
    values.includes(value) ? values.filter((v) => v !== value) : [...values, value];

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    onApply(form);
  }

  return (
    <form className="search" onSubmit={submit} aria-label="Search orders">
      <div className="search-grid">
        {TEXT_FIELDS.map(([key, label]) => (
          <Field key={key} label={label} error={errorFor(error, `filter.${key}`)}>
            <input
              name={key}
              type={key === 'email' ? 'email' : key === 'telephone' ? 'tel' : 'text'}
              value={form.text[key]}
              maxLength={200}
              onChange={(e) => set({ text: { ...form.text, [key]: e.target.value } })}
            />
          </Field>
        ))}
        <Field label="From date (order created)" error={errorFor(error, 'filter.createdFrom')}>
          <input
            name="createdFrom"
            type="date"
            value={form.createdFrom}
            onChange={(e) => set({ createdFrom: e.target.value })}
          />
        </Field>
        <Field label="To date (order created)" error={errorFor(error, 'filter.createdTo')}>
          <input
            name="createdTo"
            type="date"
            value={form.createdTo}
            onChange={(e) => set({ createdTo: e.target.value })}
          />
        </Field>
        <Field label="Appeasement status">
          <select
            name="appeasementStatus"
            value={form.appeasementStatus}
            onChange={(e) => set({ appeasementStatus: e.target.value as Search['appeasementStatus'] })}
          >
            <option value="">Any</option>
            {APPEASEMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Return status">
          <select
            name="returnStatus"
            value={form.returnStatus}
            onChange={(e) => set({ returnStatus: e.target.value as Search['returnStatus'] })}
          >
            <option value="">Any</option>
            {RETURN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Order type">
          <select
            name="orderType"
            value={form.orderType}
            onChange={(e) => set({ orderType: e.target.value as Search['orderType'] })}
          >
            <option value="">All order types</option>
            {ORDER_TYPES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Sort">
          <select
            name="sort"
            value={form.sort}
            onChange={(e) => set({ sort: e.target.value as Search['sort'] })}
          >
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="search-choices">
        <fieldset>
          <legend>Status</legend>
          {ORDER_STATUSES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={form.status.includes(s)}
                onChange={() => set({ status: toggle(form.status, s) })}
              />
              {humanize(s)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Purchase point</legend>
          {viewer.stores.map((store) => (
            <label key={store.code} className="check">
              <input
                type="checkbox"
                checked={form.storeCodes.includes(store.code)}
                onChange={() => set({ storeCodes: toggle(form.storeCodes, store.code) })}
              />
              {store.name} ({store.code})
            </label>
          ))}
        </fieldset>
      </div>
      <div className="buttons">
        <button type="submit" className="button-primary">
          Apply
        </button>
        <button
          type="button"
          onClick={() => {
            setForm(emptySearch());
            onApply(emptySearch());
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
