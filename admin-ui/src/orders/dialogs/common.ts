import type { FormError } from '../../graphql/errors';
import type { Order } from '../types';

/** What a dialog tells the page when an action is done: a sentence for the status line. */
export type Done = (message: string) => void;

export interface DialogProps<A> {
  order: Order;
  action: A;
  onClose: () => void;
  onDone: Done;
  /** The order changed meanwhile (VersionConflict): load it again. */
  onStale: () => void;
}

export function isStale(error: FormError | null): boolean {
  return error?.code === 'VERSION_CONFLICT';
}
