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
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    scenario: Scenario;
  }
}
