// Typed documents for exactly the contract's operations: frontend-contract/operations/*.graphql
// against frontend-contract/schema.graphql. Output in src/gql/ (generated, not committed).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../frontend-contract/schema.graphql',
  documents: ['../frontend-contract/operations/*.graphql'],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        avoidOptionals: { field: true, inputValue: false, object: false },
        strictScalars: true,
        scalars: { Date: 'string', DateTime: 'string', Decimal: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
