import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    // Client code takes zod's schemas as types only: a value import of a schema module puts zod
    // whole in the page's JavaScript (the *-plain modules hold what the pages need at run time).
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['zod', '@/lib/schemas/auth', '@/lib/schemas/evaluations', '@/lib/schemas/vector-health', '@/lib/schemas/migrations', '@/lib/api/errors'].map(
            (name) => ({ name, allowTypeImports: true, message: 'Import its types only (import type), or the value from the *-plain module.' }),
          ),
        },
      ],
    },
  },
  { ignores: ['.next/**', 'node_modules/**', '.strata/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'scratch/**'] },
];

export default config;
