// Follow-ups ("contact the customer by …"): create from the order detail, complete ("Done")
// and reassign from the follow-up list. Due times are typed and shown in the agent's time zone.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../components/Dialog';
import { Field, FormAlert } from '../components/Field';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../format/format';
import {
  FollowUpAssigneesDocument,
  FollowUpCompleteDocument,
  FollowUpCreateDocument,
  FollowUpReassignDocument,
} from '../gql/graphql';
import { errorFor, fromCombinedError, fromUserError, generalError, type FormError } from '../graphql/errors';
import { useViewer } from '../session/session';

type Done = (message: string) => void;

function invalid(key: string, message: string): FormError {
  return { message, key, code: 'VALIDATION', error: null };
}

export function FollowUpCreateDialog({
  order,
  onClose,
  onDone,
  onStale,
}: {
  order: { id: string; number: string; version: number };
  onClose: () => void;
  onDone: Done;
  onStale: () => void;
}) {
  const viewer = useViewer();
  // Tomorrow, same time, as the default due time.
  const [dueAt, setDueAt] = useState(() => isoToLocalInput(Date.now() + 24 * 3600 * 1000, viewer.timeZone));
  const [note, setNote] = useState('');
  const [assigneeId, setAssigneeId] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ data: assignees }] = useQuery({
    query: FollowUpAssigneesDocument,
    variables: { orderId: order.id },
  });
  const [{ fetching }, create] = useMutation(FollowUpCreateDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const due = localInputToIso(dueAt, viewer.timeZone);
    if (!due) return setError(invalid('input.dueAt', 'Enter the date and time to contact the customer by.'));
    if (!note.trim()) return setError(invalid('input.note', 'Say what to contact the customer about.'));
    const result = await create({
      orderId: order.id,
      dueAt: due,
      note: note.trim(),
      assigneeId: assigneeId || null,
      expectedVersion: order.version,
    });
    const answer = result.data?.followUpCreate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'FollowUpChanged') {
      const problem = fromUserError(answer);
      setError(problem);
      if (problem.code === 'VERSION_CONFLICT') onStale();
      return;
    }
    const who = answer.followUp.assignee?.displayName ?? 'you';
    onDone(
      `Follow-up for ${who} by ${formatDateTime(answer.followUp.dueAt, viewer.timeZone)} created on order ${order.number}.`,
    );
  }

  return (
    <Dialog title="New follow-up" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, ['input.dueAt', 'input.note', 'input.assigneeId'])} />
        <Field label={`Contact the customer by (${viewer.timeZone})`} error={errorFor(error, 'input.dueAt')}>
          <input
            type="datetime-local"
            name="dueAt"
            value={dueAt}
            onChange={(e) => setDueAt(e.target.value)}
          />
        </Field>
        <Field label="What about" error={errorFor(error, 'input.note')}>
          <textarea
            name="note"
            rows={3}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </Field>
        <Field label="Who contacts them" error={errorFor(error, 'input.assigneeId')}>
          <select name="assigneeId" value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)}>
            <option value="">Me</option>
            {assignees?.followUpAssignees
              .filter((u) => u.username !== viewer.username)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
          </select>
        </Field>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching}>
            Create follow-up
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export interface FollowUpItem {
  id: string;
  note: string;
  dueAt: string;
  assignee?: { id: string; displayName: string } | null;
  order: { id: string; number: string; customer: { name: string } };
}

export function FollowUpCompleteDialog({
  item,
  onClose,
  onDone,
}: {
  item: FollowUpItem;
  onClose: () => void;
  onDone: Done;
}) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, complete] = useMutation(FollowUpCompleteDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await complete({ id: item.id, note: note.trim() || null });
    const answer = result.data?.followUpComplete;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'FollowUpChanged') return setError(fromUserError(answer));
    onDone(`Follow-up on order ${item.order.number} done.`);
  }

  return (
    <Dialog title="Customer contacted?" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          {item.order.customer.name}, order {item.order.number}: “{item.note}”
        </p>
        <FormAlert message={generalError(error, ['input.note'])} />
        <Field label="Outcome (optional)" error={errorFor(error, 'input.note')}>
          <textarea
            name="note"
            rows={3}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </Field>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching}>
            Mark done
          </button>
          <button type="button" onClick={onClose}>
            Back
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Whom the viewer may hand this order's follow-ups to: themselves and the users they manage
 * who see its store. Only someone who manages another user gets a "Reassign" button. */
export function useReassignTargets(orderId: string) {
  const viewer = useViewer();
  const [{ data }] = useQuery({ query: FollowUpAssigneesDocument, variables: { orderId } });
  const users = data?.followUpAssignees ?? [];
  return { users, managesSomeone: users.some((u) => u.username !== viewer.username) };
}

export function FollowUpReassignDialog({
  item,
  onClose,
  onDone,
}: {
  item: FollowUpItem;
  onClose: () => void;
  onDone: Done;
}) {
  const viewer = useViewer();
  const { users } = useReassignTargets(item.order.id);
  const [assigneeId, setAssigneeId] = useState('');
  const [dueAt, setDueAt] = useState(isoToLocalInput(item.dueAt, viewer.timeZone));
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, reassign] = useMutation(FollowUpReassignDocument);
  const choices = users.filter((u) => u.id !== item.assignee?.id);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (!assigneeId) return setError(invalid('input.assigneeId', 'Choose who contacts the customer.'));
    const due = localInputToIso(dueAt, viewer.timeZone);
    const result = await reassign({ id: item.id, assigneeId, dueAt: due });
    const answer = result.data?.followUpReassign;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'FollowUpChanged') return setError(fromUserError(answer));
    onDone(
      `Follow-up on order ${item.order.number} handed to ${answer.followUp.assignee?.displayName ?? 'someone else'}.`,
    );
  }

  return (
    <Dialog title="Reassign the follow-up" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          Order {item.order.number}, now with {item.assignee?.displayName ?? 'nobody'}: “{item.note}”
        </p>
        <FormAlert message={generalError(error, ['input.assigneeId', 'input.dueAt'])} />
        <Field label="Hand it to" error={errorFor(error, 'input.assigneeId')}>
          <select name="assigneeId" value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)}>
            <option value="">Choose a user</option>
            {choices.map((u) => (
              <option key={u.id} value={u.id}>
                {u.username === viewer.username ? `Me (${u.displayName})` : u.displayName}
              </option>
            ))}
          </select>
        </Field>
        <Field label={`Due by (${viewer.timeZone})`} error={errorFor(error, 'input.dueAt')}>
          <input
            type="datetime-local"
            name="dueAt"
            value={dueAt}
            onChange={(e) => setDueAt(e.target.value)}
          />
        </Field>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching}>
            Reassign
          </button>
          <button type="button" onClick={onClose}>
            Back
          </button>
        </div>
      </form>
    </Dialog>
  );
}
