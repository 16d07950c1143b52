// Approve or cancel a requested return, or cancel an appeasement not yet released: from the
// order's Post Sales Actions section and from the post-sales queue.
import { useState } from 'react';
import { useMutation } from 'urql';

import { Dialog } from '../../components/Dialog';
import { FormAlert } from '../../components/Field';
import { formatMoney } from '../../format/format';
import { AppeasementCancelDocument, ReturnApproveDocument, ReturnCancelDocument } from '../../gql/graphql';
import { fromCombinedError, fromUserError, type FormError } from '../../graphql/errors';
import { useIdempotencyKey } from '../useIdempotencyKey';
import type { Done } from './common';

export type Step = 'RETURN_APPROVE' | 'RETURN_CANCEL' | 'APPEASEMENT_CANCEL';

export const STEP_LABELS: Record<Step, string> = {
  RETURN_APPROVE: 'Approve return',
  RETURN_CANCEL: 'Cancel return',
  APPEASEMENT_CANCEL: 'Cancel appeasement',
};

const EXPLAIN: Record<Step, string> = {
  RETURN_APPROVE:
    'The lines become Returned, each line’s remaining amount is refunded and the customer is emailed.',
  RETURN_CANCEL: 'The lines go back to the status they had, and the warehouse stops expecting the parcel.',
  APPEASEMENT_CANCEL: 'The amount becomes refundable again and the credit note is withdrawn.',
};

export function PostsalesStepDialog({
  step,
  actionId,
  subject,
  expectedVersion,
  onClose,
  onDone,
}: {
  step: Step;
  actionId: string;
  subject: string;
  expectedVersion?: number;
  onClose: () => void;
  onDone: Done;
}) {
  const [error, setError] = useState<FormError | null>(null);
  const [approve, runApprove] = useMutation(ReturnApproveDocument);
  const [cancelReturn, runCancelReturn] = useMutation(ReturnCancelDocument);
  const [cancelAppeasement, runCancelAppeasement] = useMutation(AppeasementCancelDocument);
  const keyFor = useIdempotencyKey();
  const fetching = approve.fetching || cancelReturn.fetching || cancelAppeasement.fetching;

  async function confirm() {
    const input = { actionId, expectedVersion: expectedVersion ?? null };
    const variables = { ...input, idempotencyKey: keyFor({ step, ...input }) };
    if (step === 'RETURN_APPROVE') {
      const result = await runApprove(variables);
      const answer = result.data?.returnApprove;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'ReturnApproveSuccess') return setError(fromUserError(answer));
      const refunded = answer.refunds.map((r) => formatMoney(r.gross)).join(' + ');
      onDone(`Return approved${refunded ? `; refund of ${refunded} requested` : ' (no refund: exchange)'}.`);
    } else if (step === 'RETURN_CANCEL') {
      const result = await runCancelReturn(variables);
      const answer = result.data?.returnCancel;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'ReturnCancelSuccess') return setError(fromUserError(answer));
      onDone('Return cancelled.');
    } else {
      const result = await runCancelAppeasement(variables);
      const answer = result.data?.appeasementCancel;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'AppeasementCancelSuccess') return setError(fromUserError(answer));
      onDone('Appeasement cancelled.');
    }
  }

  return (
    <Dialog title={`${STEP_LABELS[step]}?`} onClose={onClose}>
      <p>{subject}</p>
      <p>{EXPLAIN[step]}</p>
      <FormAlert message={error?.message} />
      <div className="buttons">
        <button
          type="button"
          className={step === 'RETURN_APPROVE' ? 'button-primary' : 'button-danger'}
          disabled={fetching}
          onClick={() => void confirm()}
        >
          {STEP_LABELS[step]}
        </button>
        <button type="button" onClick={onClose}>
          Back
        </button>
      </div>
    </Dialog>
  );
}
