import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the server's schema files, so a schema change shows up as
// a type error in the SPA on the next `npm run codegen`.
const config: CodegenConfig = {
  schema: '../graph/schema/*.graphqls',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: {
          Time: 'string',
          UUID: 'string',
          Map: 'Record<string, unknown>',
        },
      },
    },
  },
};

export default config;
