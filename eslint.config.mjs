// Lint: typescript-eslint's recommended rules, no `any` at boundaries, and the layering of
// ../shared/DESIGN.md ("Dependency direction") as import restrictions per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** An import of `dir` from anywhere: `../dir/x`, `../../dir`, `./dir/x`. */
const dirImport = (dirs) => `^(\\.{1,2}/)+(${dirs.join('|')})(/|$)`;
const restrict = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map(([regex, message]) => ({ regex, message })) }],
});
const CDKTF = ['^(cdktf|constructs|@cdktf/.*)$', 'only main.ts, stacks/, constructs/ and scripts/ use cdktf'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'cdktf.out/**', 'dist/**', '.tmp/**', 'models/**', 'data/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // util/ is the leaf every layer may import (isRecord, formatValue): it imports nothing from the project.
  {
    files: ['util/**/*.ts'],
    rules: restrict(
      [
        dirImport(['stacks', 'constructs', 'service', 'model', 'scripts', 'bench']),
        'util/ is the leaf layer: it imports nothing from the project',
      ],
      CDKTF,
    ),
  },
  // constructs -> constructs/azapi, cdktf and provider lib/* only: stacks pass them builders.
  {
    files: ['constructs/**/*.ts'],
    rules: restrict([
      dirImport(['stacks', 'service', 'model', 'scripts', 'bench']),
      'constructs never import stacks/, service/, model/ or scripts/: take a builder or a value as a prop',
    ]),
  },
  {
    files: ['constructs/azapi/**/*.ts'],
    rules: restrict([
      dirImport([
        'core',
        'platform',
        'serving',
        'jobs',
        'monitoring',
        'policy',
        'stacks',
        'service',
        'model',
      ]),
      'constructs/azapi is the bottom layer: it imports only cdktf and constructs',
    ]),
  },
  // stacks -> constructs (and the model/service builders they hand to constructs), never scripts/.
  {
    files: ['stacks/**/*.ts'],
    rules: restrict([dirImport(['scripts', 'bench']), 'stacks never import scripts/ or bench/']),
  },
  // service -> model/{schema,features,package,explain,runtime}; never infrastructure.
  {
    files: ['service/**/*.ts'],
    ignores: ['service/cli/start.ts'],
    rules: restrict(
      [
        dirImport(['stacks', 'constructs', 'scripts', 'bench']),
        'the service never imports infrastructure code',
      ],
      [
        '^(\\.\\./)+model/(?!(schema|features|package|explain|runtime)(/|$))',
        'service/ imports only model/{schema,features,package,explain,runtime}; only service/cli/start.ts may train',
      ],
      CDKTF,
    ),
  },
  {
    files: ['service/cli/start.ts'],
    rules: restrict(
      [
        dirImport(['stacks', 'constructs', 'scripts', 'bench']),
        'the service never imports infrastructure code',
      ],
      CDKTF,
    ),
  },
  // model never imports service/ or any infrastructure code.
  {
    files: ['model/**/*.ts'],
    rules: restrict(
      [
        dirImport(['service', 'stacks', 'constructs', 'scripts', 'bench']),
        'model/ never imports service/, infrastructure code, scripts/ or bench/',
      ],
      CDKTF,
    ),
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
