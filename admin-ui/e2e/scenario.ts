export interface Scenario {
  caller: {
    number: string;
    name: string;
    postalCode: string;
    appeaseLine: number;
    returnLine: number;
    refundable: string;
  };
  reviewOrder: string;
  usOrder: string;
  /** An order of the agent's stores whose appeasement refund FAILED, and that refund. */
  failedRefund: { order: string; refundId: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    scenario: Scenario;
  }
}
