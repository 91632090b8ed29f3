/**
 * Jest runs TypeScript through ts-jest with isolatedModules (transpile only):
 * type errors are caught by `npm run typecheck`, which keeps each test file
 * fast and light on memory (PITFALLS.md §2).
 * @type {import('jest').Config}
 */
module.exports = {
  // node, plus the main realm's typed-array constructors that onnxruntime-node checks against.
  testEnvironment: '<rootDir>/__tests__/ort-environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
  },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  testTimeout: 60000,
  modulePathIgnorePatterns: ['<rootDir>/cdktf.out', '<rootDir>/dist', '<rootDir>/.tmp'],
};
