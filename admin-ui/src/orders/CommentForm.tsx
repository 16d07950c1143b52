// "New Order Comment" at the bottom of the order: free text kept in History and comments, with
// its kind (the guide's communications, complaints, ticket notes, tracking information) and,
// optionally, the external ticket it belongs to.
import { useState, type SyntheticEvent } from 'react';
import { useMutation } from 'urql';

import { Field, FormAlert } from '../components/Field';
import { OrderCommentAddDocument, type CommentKind } from '../gql/graphql';
import { errorFor, fromCombinedError, fromUserError, generalError, type FormError } from '../graphql/errors';
import type { Done } from './dialogs/common';
import type { Order } from './types';

// Every kind, as agents call it: a Record so a kind the contract adds is a type error here.
const KIND_LABELS: Record<CommentKind, string> = {
  COMMUNICATION: 'Communication with the customer',
  COMPLAINT: 'Complaint',
  TICKET_NOTE: 'Ticket note',
  TRACKING_INFORMATION: 'Tracking information',
  OTHER: 'Other',
};
const KINDS = Object.keys(KIND_LABELS) as CommentKind[];

export function CommentForm({ order, onDone, onStale }: { order: Order; onDone: Done; onStale: () => void }) {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<CommentKind>('OTHER');
  const [ticket, setTicket] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, add] = useMutation(OrderCommentAddDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await add({
      orderId: order.id,
      text,
      kind,
      ticketReference: ticket.trim() || null,
      expectedVersion: order.version,
    });
    const answer = result.data?.orderCommentAdd;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'OrderCommentAddSuccess') {
      setText('');
      setTicket('');
      setError(null);
      onDone('Comment saved.');
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (problem.code === 'VERSION_CONFLICT') onStale();
  }

  return (
    <form className="comment-form" onSubmit={(e) => void submit(e)} noValidate>
      <FormAlert message={generalError(error, ['input.text', 'input.kind', 'input.ticketReference'])} />
      <Field label="New comment" error={errorFor(error, 'input.text')}>
        <textarea
          name="comment"
          rows={3}
          maxLength={2000}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </Field>
      <div className="comment-meta">
        <Field label="Kind" error={errorFor(error, 'input.kind')}>
          <select value={kind} onChange={(e) => setKind(e.target.value as CommentKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Ticket reference (optional)" error={errorFor(error, 'input.ticketReference')}>
          <input
            value={ticket}
            maxLength={64}
            autoComplete="off"
            onChange={(e) => setTicket(e.target.value)}
          />
        </Field>
      </div>
      <button type="submit" className="button-primary" disabled={fetching || !text.trim()}>
        Save comment
      </button>
    </form>
  );
}
