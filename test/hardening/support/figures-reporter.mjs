// Prints the fault and attack suite's figures (see figures.ts) once, after every test file has run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), '.tmp', 'hardening-figures');

export default class FiguresReporter {
  onRunStart() {
    rmSync(dir, { recursive: true, force: true });
  }

  onRunComplete() {
    if (!existsSync(dir)) return;
    const totals = {};
    const faults = [];
    for (const file of readdirSync(dir)) {
      const { figures, accounting } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      for (const [kind, count] of Object.entries(figures)) totals[kind] = (totals[kind] ?? 0) + count;
      for (const [fault, a] of Object.entries(accounting)) faults.push({ fault, ...a });
    }
    const lines = ['', 'Fault and attack suite:'];
    for (const [kind, count] of Object.entries(totals)) lines.push(`  ${kind}: ${count}`);
    for (const f of faults.sort((a, b) => a.fault.localeCompare(b.fault))) {
      const balanced = f.sent === f.delivered + f.counted;
      lines.push(`  ${f.fault}: sent ${f.sent} = delivered ${f.delivered} + counted ${f.counted}${balanced ? '' : '  <-- UNBALANCED'}`);
    }
    console.log(lines.join('\n'));
  }
}
