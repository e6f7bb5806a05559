// Counts passed/failed/skipped tests over every browser and writes them where `npm test` reads them,
// so the closing line sums every suite. The failed tests' names go along, so the closing lines (all a CI
// log may keep) say which ones failed.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

function count(suite, totals, where, path = []) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) totals.skipped += 1;
    else if (test.passed) totals.passed += 1;
    else {
      totals.failed += 1;
      const message = String(test.error?.message ?? '').split('\n')[0].slice(0, 200);
      totals.failures.push(`${where}: ${[...path, test.name].join(' › ')}${message ? ` — ${message}` : ''}`);
    }
  }
  for (const child of suite?.suites ?? []) count(child, totals, where, [...path, child.name]);
}

export function countingReporter() {
  return {
    onTestRunFinished({ sessions }) {
      const totals = { passed: 0, failed: 0, skipped: 0, sessionErrors: 0, failures: [] };
      for (const session of sessions) {
        const where = `${session.browser?.name ?? 'browser'} ${relative(process.cwd(), session.testFile)}`;
        count(session.testResults, totals, where);
        // A file that failed to load or threw outside a test counts as a failure.
        if (!session.passed && (session.errors?.length ?? 0) > 0) {
          totals.sessionErrors += 1;
          const message = String(session.errors[0]?.message ?? '').split('\n')[0].slice(0, 200);
          totals.failures.push(`${where}: outside any test — ${message}`);
        }
      }
      totals.failed += totals.sessionErrors;
      const out = process.env.WTR_COUNT_FILE;
      if (out) writeFileSync(out, JSON.stringify(totals));
    },
  };
}
