// "New Order Comment" at the bottom of the order: free text kept in History and comments.
import { useState, type SyntheticEvent } from 'react';
import { useMutation } from 'urql';

import { Field, FormAlert } from '../components/Field';
import { OrderCommentAddDocument } from '../gql/graphql';
import { errorFor, fromCombinedError, fromUserError, generalError, type FormError } from '../graphql/errors';
import type { Done } from './dialogs/common';
import type { Order } from './types';

export function CommentForm({ order, onDone, onStale }: { order: Order; onDone: Done; onStale: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, add] = useMutation(OrderCommentAddDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await add({ orderId: order.id, text, expectedVersion: order.version });
    const answer = result.data?.orderCommentAdd;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'OrderCommentAddSuccess') {
      setText('');
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
      <FormAlert message={generalError(error, ['input.text'])} />
      <Field label="New comment" error={errorFor(error, 'input.text')}>
        <textarea
          name="comment"
          rows={3}
          maxLength={2000}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </Field>
      <button type="submit" className="button-primary" disabled={fetching || !text.trim()}>
        Save comment
      </button>
    </form>
  );
}
