// Tests run on the TypeScript sources through tsx; the summary reporter prints "N passed, N failed".
// `npx mocha test/ros/live.test.ts` (or any *.test.ts files or quoted globs such as
// 'test/ros/*.test.ts' on the command line) runs just those: mocha adds command-line files to the
// config's spec list, so the whole suite is the spec only when none are given.
const named = process.argv.slice(2).some((a) => !a.startsWith('-') && (/\.test\.[cm]?[jt]s$/.test(a) || a.includes('*')));

module.exports = {
  'node-option': ['import=tsx'],
  spec: named ? [] : ['test/**/*.test.ts'],
  reporter: './test/support/summary-reporter.cjs',
  timeout: 120000,
};
