import type { Row } from './types.js';
import { formatOps } from './measure.js';

function ratio(ours: number, peer: number | undefined): string {
  return peer === undefined || !(peer > 0) ? '–' : `${(ours / peer).toFixed(2)}x`;
}

export function targetMet(row: Row): boolean | undefined {
  if (row.targetVsEe2 === undefined || row.ee2 === undefined) return undefined;
  return row.ours / row.ee2 >= row.targetVsEe2;
}

/** One markdown table, ready to paste into the README. */
export function markdownTable(rows: readonly Row[]): string {
  const header = ['workload', 'ours ops/s', 'EE2 ops/s', 'EventEmitter ops/s', 'ours/EE2', 'ours/EE', 'target', 'met', 'notes'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const met = targetMet(row);
    lines.push(
      `| ${[
        row.workload,
        formatOps(row.ours),
        row.ee2 === undefined ? '–' : formatOps(row.ee2),
        row.ee === undefined ? '–' : formatOps(row.ee),
        ratio(row.ours, row.ee2),
        ratio(row.ours, row.ee),
        row.targetVsEe2 === undefined ? '–' : `≥${row.targetVsEe2}x EE2`,
        met === undefined ? '–' : met ? 'yes' : '**no**',
        row.note ?? '',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
