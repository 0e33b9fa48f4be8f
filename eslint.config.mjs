import js from '@eslint/js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { packageBoundaries } from './scripts/lint/packageBoundaries.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { astep: { rules: { 'package-boundaries': packageBoundaries(root) } } },
    rules: {
      'astep/package-boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration[const=true]', message: 'No const enum (isolatedModules, esbuild).' }],
    },
  },
);
