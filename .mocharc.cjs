// Tests run on the TypeScript sources through tsx; the summary reporter prints "N passed, N failed".
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['test/**/*.test.ts'],
  reporter: './test/support/summary-reporter.cjs',
  timeout: 120000,
};
