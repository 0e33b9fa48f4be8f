// One jest run for the whole workspace. @swc/jest strips types (no type check here: `npm run typecheck` does that),
// so tests start fast on a 2-core machine. Workspace packages resolve through their exports maps only.
const { exportedModules } = require('./scripts/workspace-exports.js');

const moduleNameMapper = {};
for (const [specifier, file] of Object.entries(exportedModules(__dirname))) {
  moduleNameMapper[`^${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`] = `<rootDir>/${file}`;
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/out/'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' },
      module: { type: 'commonjs' },
    }],
  },
  moduleNameMapper,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
