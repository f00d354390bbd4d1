/**
 * `describe` for suites that need a system binary (redis-server, chromium): without it they are skipped with
 * a loud message, except under CI=true, where they fail (a CI machine must have it: .ci/run installs it).
 */
export function describeWithBinary(name: string, binary: { label: string; found: boolean; install: string }, body: () => void): void {
  if (binary.found) {
    describe(name, body);
    return;
  }
  const message = `${binary.label} was not found: the tests "${name}" cannot run. Install it (${binary.install}).`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${binary.label} (CI=true: failing instead of skipping)`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  const banner = '!'.repeat(100);
  console.warn(`\n${banner}\nSKIPPED: ${message}\n${banner}\n`);
  describe.skip(name, body);
}
