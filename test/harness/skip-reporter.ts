// Prints why each skipped test was skipped, beside the default reporter's summary, so that a skip
// on some machine says its reason in the run's output.
import type { Reporter, TestCase } from 'vitest/node';

export default class SkipReasons implements Reporter {
  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    if (result.state !== 'skipped') return;
    process.stdout.write(`skipped: ${test.module.moduleId.split('/test/').pop()} > ${test.fullName}: ${result.note ?? 'no reason given'}\n`);
  }
}
