// Prints the plain closing line "N passed, N failed" (with ", N skipped") that CI reads, after jest's own summary.
// Jest runs its summary reporter after the custom ones, so the line is written once the current reporters are done.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suitesFailed = results.numFailedTestSuites > 0 && results.numFailedTests === 0 ? results.numFailedTestSuites : 0;
    const failed = results.numFailedTests + suitesFailed;
    setImmediate(() => process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '') + '\n'));
  }
}
module.exports = SummaryReporter;
