// The JupyterLab extension template's ESLint configuration, applied to the whole repository's
// TypeScript and JavaScript; the interface naming rule applies to the extension only. `make lint` runs it
// from the repository root with `-c lint/.eslintrc.js`, so every pattern below is relative to the root.
// Formatting is prettier's alone (`make lint` runs it first): 'prettier' only turns off the rules it owns,
// instead of running prettier a second time inside ESLint.
module.exports = {
  root: true,
  extends: [
    'eslint:recommended',
    'plugin:@typescript-eslint/eslint-recommended',
    'plugin:@typescript-eslint/recommended',
    'prettier'
  ],
  parser: '@typescript-eslint/parser',
  parserOptions: { sourceType: 'module', ecmaVersion: 2022 },
  plugins: ['@typescript-eslint'],
  env: { es2022: true, node: true },
  ignorePatterns: [
    'node_modules/',
    'lib/',
    'server/dist/',
    'server/.bench/',
    'jupyterlab_modelreg/labextension/',
    'ui-tests/test-results/',
    'ui-tests/playwright-report/',
    'ui-tests/.e2e/',
    'coverage/',
    '.venv/',
    'src/generated/',
    '*.generated.ts'
  ],
  rules: {
    '@typescript-eslint/no-unused-vars': [
      'warn',
      { args: 'none', varsIgnorePattern: '^_', ignoreRestSiblings: true }
    ],
    '@typescript-eslint/no-explicit-any': 'off',
    '@typescript-eslint/no-namespace': 'off',
    '@typescript-eslint/no-use-before-define': 'off',
    '@typescript-eslint/no-require-imports': 'off',
    curly: ['error', 'all'],
    eqeqeq: ['error', 'smart'],
    'prefer-arrow-callback': 'error'
  },
  overrides: [
    {
      files: ['src/**/*.ts', 'src/**/*.tsx'],
      rules: {
        '@typescript-eslint/naming-convention': [
          'error',
          {
            selector: 'interface',
            format: ['PascalCase'],
            custom: { regex: '^I[A-Z]', match: true }
          }
        ]
      }
    },
    {
      files: [
        '**/__tests__/**',
        'server/test/**',
        '**/*.test.ts',
        '**/*.spec.ts',
        '**/*.spec.tsx'
      ],
      env: { jest: true }
    },
    {
      files: ['ui-tests/**', 'src/__tests__/setup/**'],
      env: { browser: true, node: true }
    }
  ]
};
