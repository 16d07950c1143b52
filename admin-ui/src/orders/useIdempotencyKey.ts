// One idempotency key per distinct input: a retry of the same request (double click, network
// error) reuses it and never acts twice; an edited input gets a new key (the API refuses a key
// reused for another request).
import { useCallback, useRef } from 'react';

import { newIdempotencyKey } from '../graphql/client';

export function useIdempotencyKey(): (input: unknown) => string {
  const keys = useRef(new Map<string, string>());
  return useCallback((input: unknown) => {
    const id = JSON.stringify(input);
    let key = keys.current.get(id);
    if (!key) {
      key = newIdempotencyKey();
      keys.current.set(id, key);
    }
    return key;
  }, []);
}
